import { test } from "uvu";
import v8 from "node:v8";
import vm from "node:vm";
import * as assert from "uvu/assert";
import { Runtime } from "../../src/index.js";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childNodeFlags, eachBackend, run } from "../helpers.js";

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/quickgo.js");

eachBackend(test, "main is goroutine 1; goids count up; numGoroutine counts live goroutines", async (backend) => {
  const r = await run(
    `function child(out) { out.send(goid()); select() }
     function main() {
       const out = chan()
       println(goid(), numGoroutine())
       println(go(child, out), out.recv(), go(child, out), out.recv(), numGoroutine())
     }`,
    { backend },
  );
  assert.is(r.stdout, "1 1\n2 2 3 3 3\n");
});

eachBackend(test, "the program ends when main returns, even with goroutines still running", async (backend) => {
  const r = await run(
    `function forever() { for (;;) sleep(1) }
     function main() { go(forever); go(forever); sleep(5); println("bye") }`,
    { backend },
  );
  assert.is(r.code, 0);
  assert.is(r.stdout, "bye\n");
});

eachBackend(test, "a woken goroutine runs next (runnext), before the queue", async (backend) => {
  const r = await run(
    `function spinner(log, i) { log.send("q" + i) }
     function receiver(ch, log) { ch.recv(); log.send("woken") }
     function main() {
       const ch = chan(), log = chan(10)
       go(receiver, ch, log)
       gosched()                       // receiver parks on ch
       go(spinner, log, 1); go(spinner, log, 2)
       ch.send(1)                      // readies receiver into runnext
       gosched()
       sleep(5)
       log.close()
       println([...log].join(" "))
     }`,
    // A long slice: runnext inherits the current slice, and a slice that ran out (a slow first run
    // of main on a loaded machine) sends it to the back of the queue instead. That is not tested here.
    { backend, timeslice: 1000 },
  );
  assert.is(r.stdout.trim().split(" ")[0], "woken");
});

eachBackend(test, "uncaught panic: message, goroutine id, guest stack with file:line, exit 2", async (backend) => {
  const r = await run(
    `function helper(x) {
  throw new Error("boom " + x)
}
function worker() {
  helper(7)
}
function main() {
  go(worker)
  sleep(100)
  println("not reached")
}`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^panic: boom 7\n\ngoroutine 2 \[running\]:\nhelper\(\.\.\.\)\n\tprog\.js:2:\d+\nworker\(\.\.\.\)\n\tprog\.js:5:\d+\n$/);
});

eachBackend(test, "panic of a non-Error value and of a TypeError", async (backend) => {
  let r = await run(`function main() {\n  throw "plain string"\n}`, { backend });
  assert.ok(r.stderr.startsWith("panic: plain string\n"), r.stderr);
  r = await run(`function main() {\n  null.x\n}`, { backend });
  assert.ok(r.stderr.startsWith("panic: TypeError: cannot read property 'x' of null\n"), r.stderr);
});

eachBackend(test, "deadlock: every goroutine listed with what it waits on", async (backend) => {
  const r = await run(
    `function a(ch) {
  ch.recv()
}
function b(mu) {
  mu.lock()
}
function main() {
  const mu = new Mutex(); mu.lock()
  go(a, chan()); go(b, mu)
  new WaitGroup().add(1) || null
  const wg = new WaitGroup(); wg.add(1)
  wg.wait()
}`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.is(
    r.stderr.replace(/:\d+\n/g, "\n"),
    "fatal error: all goroutines are asleep - deadlock!\n\n" +
      "goroutine 1 [sync.WaitGroup.Wait]:\nmain(...)\n\tprog.js:12\n\n" +
      "goroutine 2 [chan receive]:\na(...)\n\tprog.js:2\n\n" +
      "goroutine 3 [sync.Mutex.Lock]:\nb(...)\n\tprog.js:5\n",
  );
});

eachBackend(test, "no deadlock report while a timer is pending", async (backend) => {
  const r = await run(`function main() { const t = after(20); t.recv(); println("timer fired") }`, { backend });
  assert.is(r.stdout, "timer fired\n");
});

eachBackend(test, "blocking works deep in the stack: forEach inside 200-frame recursion", async (backend) => {
  const r = await run(
    `function feed(ch) { for (let i = 0; ; i++) ch.send(i) }
     function rec(d, ch) { if (d > 0) return 1 + rec(d - 1, ch); let s = 0; [1, 2, 3].forEach((k) => { s += k * ch.recv() }); return s }
     function main() { const ch = chan(); go(feed, ch); println(rec(200, ch)) }`,
    { backend },
  );
  assert.is(r.stdout, `${200 + (1 * 0 + 2 * 1 + 3 * 2)}\n`);
});

eachBackend(test, "top-level code may not use the runtime (it runs in every goroutine)", async (backend) => {
  const r = await run(`const ch = chan()\nfunction main() {}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: top-level code runs in every goroutine's context/);
});

eachBackend(test, "10 000 goroutines in a daisy chain", async (backend) => {
  const r = await run(
    `function link(left, right) { left.send(1 + right.recv()) }
     function main() {
       const leftmost = chan()
       let left = leftmost, right = leftmost
       for (let i = 0; i < 10000; i++) { right = chan(); go(link, left, right); left = right }
       right.send(1)
       println(leftmost.recv(), numGoroutine())
     }`,
    { backend },
  );
  assert.is(r.stdout, "10001 1\n");
});

eachBackend(test, "goroutines are sharded over several wasm instances and talk across them", async (backend) => {
  const r = await run(
    `function relay(inp, out) { out.send(inp.recv() + 1) }
     function main() {
       const first = chan()
       let inp = first
       for (let i = 0; i < 600; i++) { const out = chan(); go(relay, inp, out); inp = out; if (i % 50 === 49) sleep(100) }
       first.send(0)
       println(inp.recv())
     }`,
    { backend, shardBytes: 24 * 2 ** 20 },
  );
  assert.is(r.stdout, "600\n");
  assert.ok(r.status.stats.instances >= 2, `instances: ${r.status.stats.instances}`);
});

eachBackend(test, "finished goroutines are freed: memory does not grow with the number of spawns", async (backend) => {
  const prog = (n: number): string =>
    `function child(done) { const junk = new Array(1000).fill("x"); done.send(junk.length) }
     function main() { const done = chan(); for (let i = 0; i < ${n}; i++) { go(child, done); done.recv() } println("ok") }`;
  const small = await run(prog(200), { backend });
  const large = await run(prog(2000), { backend });
  assert.is(large.stdout, "ok\n");
  assert.is(large.status.stats.spawns, 2001);
  // A leak of a goroutine's runtime (~150 KB) would add ~270 MB over the 1800 extra spawns.
  const grown = large.status.stats.wasmMemoryBytes - small.status.stats.wasmMemoryBytes;
  assert.ok(grown < 16 * 2 ** 20, `wasm memory grew by ${(grown / 2 ** 20).toFixed(1)} MiB`);
});

eachBackend(test, "2000 goroutines over a program's life, each parking: every one starts and ends right (V8 11's optimized entry call)", async (backend) => {
  // On V8 11's JSPI (Node 20), once TurboFan inlined the engine's entry call into the
  // promising wasm export, new goroutines got shifted arguments and trapped after ~1500.
  // A process of its own: with one engine the call site stays monomorphic, as in `quickgo run`.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-sched-")), "spawns.js");
  fs.writeFileSync(
    file,
    `function child(c, done) { done.send(c.recv() + 1) }
     function main() {
       let sum = 0;
       for (let round = 0; round < 100; round++) {
         const c = chan(), done = chan();
         for (let i = 0; i < 20; i++) go(child, c, done);
         for (let i = 0; i < 20; i++) c.send(i);
         for (let i = 0; i < 20; i++) sum += done.recv();
       }
       println(sum);
     }`,
  );
  const r = spawnSync(process.execPath, [...childNodeFlags, bin, "run", "--backend", backend, file], { encoding: "utf8" });
  assert.is(r.stderr, "");
  assert.is(r.stdout, "21000\n");
  assert.is(r.status, 0);
});

eachBackend(test, "programs that end with goroutines still parked leave nothing behind (jspi: their suspended stacks are released)", async (backend) => {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const rt = await Runtime.create({ backend, stdout: () => {}, stderr: () => {} });
  const deadlocks = `function main() { const c = chan(); for (let i = 0; i < 3; i++) go(() => c.recv()); c.recv() }`;
  const mainReturns = `function main() { const c = chan(); for (let i = 0; i < 3; i++) go(() => c.recv()); sleep(1) }`;
  // Each goroutine parks on c before main takes its ready (a buffered send does not switch), so the dump sees them parked.
  const panics = `function main() { const c = chan(), ready = chan(3); for (let i = 0; i < 3; i++) go(() => { ready.send(1); c.recv() }); for (let i = 0; i < 3; i++) ready.recv(); throw new Error("boom") }`;
  const round = async (): Promise<void> => {
    for (let i = 0; i < 20; i++) {
      assert.is((await rt.run(deadlocks)).code, 2);
      assert.is((await rt.run(mainReturns)).code, 0);
      const p = await rt.run(panics);
      assert.is(p.code, 2);
      assert.match(p.error!.dump, /\[chan receive\]:\n<anonymous>\(\.\.\.\)\n\tmain\.js:1:\d+/); // the dump still reads parked stacks
    }
  };
  await round(); // warm-up: code, caches
  gc();
  const before = process.memoryUsage().heapUsed;
  await round();
  await round();
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Kept stacks held ~110 KB of JS heap per program: 120 programs would add ~13 MB.
  assert.ok(grown < 3 * 2 ** 20, `JS heap grew ${(grown / 2 ** 20).toFixed(1)} MiB over 120 programs`);
  await rt.shutdown();
});

test.run();
