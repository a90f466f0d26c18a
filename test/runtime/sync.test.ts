import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";
import { Scheduler } from "../../runtime/scheduler.js";

eachBackend(test, "WaitGroup.wait returns once every goroutine called done", async (backend) => {
  const r = await run(
    `function work(i, wg, out) { sleep(i * 3); out.send(i); wg.done() }
     function main() {
       const wg = new WaitGroup(), out = chan(10)
       for (let i = 0; i < 10; i++) { wg.add(1); go(work, i, wg, out) }
       wg.wait()
       println(out.len)
       wg.wait() // counter is zero: returns at once
       println("done")
     }`,
    { backend },
  );
  assert.is(r.stdout, "10\ndone\n");
});

eachBackend(test, "negative WaitGroup counter panics", async (backend) => {
  const r = await run(`function main() {\n  new WaitGroup().done()\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: sync: negative WaitGroup counter\n/);
});

eachBackend(test, "Mutex gives mutual exclusion across goroutines that block inside the critical section", async (backend) => {
  const r = await run(
    `function inc(mu, state, wg) {
       for (let i = 0; i < 20; i++) {
         mu.lock()
         const v = state.recv()   // take the shared value…
         gosched()                // …let everyone else run…
         state.send(v + 1)        // …and put it back incremented
         mu.unlock()
       }
       wg.done()
     }
     function main() {
       const mu = new Mutex(), state = chan(1), wg = new WaitGroup()
       state.send(0)
       for (let i = 0; i < 5; i++) { wg.add(1); go(inc, mu, state, wg) }
       wg.wait()
       println(state.recv(), mu.tryLock(), mu.tryLock())
     }`,
    { backend },
  );
  assert.is(r.stdout, "100 true false\n");
});

eachBackend(test, "unlock of unlocked mutex is a fatal error: try/catch cannot recover it, other goroutines stop", async (backend) => {
  const r = await run(
    `function other() { for (;;) { sleep(1); println("other ran") } }
     function main() {
       go(other)
       try {
         new Mutex().unlock()
       } catch (e) {
         println("recovered", e)
       }
       println("after")
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, /^fatal error: sync: unlock of unlocked mutex\n\ngoroutine 1 \[running\]:\nmain\(\.\.\.\)\n\tprog\.js:5:\d+\n$/);
});

eachBackend(test, "WaitGroup.go starts goroutines (closures and top-level functions) and wait returns after all of them", async (backend) => {
  const r = await run(
    `function square(out, n) { sleep(n); out.send(n * n) }
     function main() {
       const wg = new sync.WaitGroup(), out = chan(10), base = 100
       for (let i = 1; i <= 3; i++) wg.go(() => { sleep(i); out.send(base + i) })
       wg.go(square, out, 4)
       wg.wait()
       out.close()
       println([...out].sort((a, b) => a - b).join(" "))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "16 101 102 103\n");
});

eachBackend(test, "WaitGroup.go: done runs even when the goroutine panics (the panic still ends the program)", async (backend) => {
  const r = await run(
    `function main() {
       const wg = new WaitGroup()
       wg.go(() => { throw new Error("in wg.go") })
       wg.wait()
       sleep(100)
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: in wg\.go\n\ngoroutine 2 \[running\]:/);
});

eachBackend(test, "the sync namespace holds the core API's types too", async (backend) => {
  const r = await run(
    `function main() {
       println(sync.WaitGroup === WaitGroup, sync.Mutex === Mutex, sync.Once === Once, time.sleep === sleep, time.after === after)
       const wg = new sync.WaitGroup()
       wg.add(1)
       go((wg) => wg.done(), wg)
       wg.wait()
       println("ok")
     }`,
    { backend },
  );
  assert.is(r.stdout, "true true true true true\nok\n");
});

eachBackend(test, "a goroutine handed a WaitGroup and a Mutex loads only their modules, and they are sync's classes", async (backend) => {
  // Which prelude modules each goroutine loads, seen from the host.
  const loaded: string[] = [];
  const load = Scheduler.prototype.loadPreludeModule;
  Scheduler.prototype.loadPreludeModule = function (g, name) {
    loaded.push(`${g.id}:${name}`);
    return load.call(this, g, name);
  };
  try {
    const r = await run(
      `function worker(wg, mu, out) { mu.lock(); out.send(1); mu.unlock(); wg.done() }
       function main() {
         const wg = new WaitGroup(), mu = new Mutex(), out = chan(1)
         wg.add(1)
         go(worker, wg, mu, out)
         wg.wait()
         println(out.recv(), wg instanceof sync.WaitGroup, mu instanceof sync.Mutex, new sync.Cond(mu).L === mu)
       }`,
      { backend },
    );
    assert.is(r.stdout, "1 true true true\n");
    assert.equal(loaded.filter((l) => l.startsWith("2:")).sort(), ["2:mutex", "2:waitgroup"]);
    assert.ok(loaded.includes("1:sync"), "main, naming sync, loads it");
  } finally {
    Scheduler.prototype.loadPreludeModule = load;
  }
});

eachBackend(test, "Once runs its function once; concurrent callers wait for it", async (backend) => {
  const r = await run(
    `function init(log) { log.send("init start"); sleep(10); log.send("init end") }
     function caller(once, log, wg) { once.do(() => init(log)); log.send("after do"); wg.done() }
     function main() {
       const once = new Once(), log = chan(20), wg = new WaitGroup()
       for (let i = 0; i < 3; i++) { wg.add(1); go(caller, once, log, wg) }
       wg.wait()
       log.close()
       println([...log].join(","))
     }`,
    { backend },
  );
  assert.is(r.stdout, "init start,init end,after do,after do,after do\n");
});

test.run();
