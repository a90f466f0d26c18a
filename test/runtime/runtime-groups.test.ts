// Goroutines sharing a QuickJS runtime (runtime/engine/runtime-groups.ts):
// what QuickJS keeps per runtime but belongs to the running goroutine (its
// frame chain, its stack limit, its heap account) must follow it across
// switches, and dead goroutines' contexts must not pile up in a runtime
// whose other goroutines sit parked. The first 16 goroutines of a program
// (main included) share one runtime.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Runtime } from "../../src/runtime.js";
import { DEFAULT_GOROUTINES_PER_RUNTIME } from "../../runtime/engine/runtime-groups.js";
import { eachBackend, run } from "../helpers.js";

test("the first goroutines of a program share a runtime by default", () => {
  assert.ok(DEFAULT_GOROUTINES_PER_RUNTIME >= 8, "the tests below rely on main and its first goroutines sharing one");
});

eachBackend(test, "an error's stack holds only its own goroutine's frames while others of its runtime are parked deep in theirs", async (backend) => {
  const r = await run(
    `function deep(n, c, out) {
       if (n > 0) return deep(n - 1, c, out) + 1
       c.recv()
       out.send(new Error("bottom").stack.split("\\n").filter((l) => l.includes("deep")).length)
       return 0
     }
     function shallow(out) { out.send(new Error("here").stack.split("\\n").length) }
     function main() {
       const c = chan(), out = chan()
       go(deep, 30, c, out)
       gosched()
       go(shallow, out)
       println("shallow frames:", out.recv())
       c.send(1)
       println("deep frames:", out.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  // shallow: the Error line, shallow, and the prelude's entry (no location, dropped by tracebacks but in .stack)
  const [shallowLine, deepLine] = r.stdout.trim().split("\n");
  const shallow = Number(shallowLine!.split(": ")[1]);
  assert.ok(shallow > 0 && shallow <= 4, shallowLine);
  assert.is(deepLine, "deep frames: 31");
});

eachBackend(test, "a goroutine that overflows its stack fails alone; one of its runtime parked deep resumes and returns", async (backend) => {
  const r = await run(
    `function deep(n, c) { if (n > 0) return deep(n - 1, c) + 1; c.recv(); return 0 }
     function runaway(n) { return runaway(n + 1) + 1 }
     function main() {
       const c = chan(), res = chan()
       go(() => res.send(deep(1000, c)))
       gosched()
       go(() => { try { runaway(0) } catch (e) { res.send(e.message) } })
       println(res.recv())
       c.send(0)
       println(res.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "stack overflow\n1000\n");
});

eachBackend(test, "the contexts of goroutines that died are collected while the others of their runtime stay parked", async (backend) => {
  const heap: number[] = [];
  let rt: Runtime | undefined;
  rt = await Runtime.create({ backend, stdout: () => void heap.push(rt!.stats().heapBytes) });
  // main and three goroutines parked for good share a runtime with the
  // goroutines that fill it up, each of which leaves ~40 KiB of garbage in
  // its context (a global array) when it ends: too little for QuickJS's own
  // threshold to start its collector, and nothing else allocates there.
  // (Output is flushed, and heapBytes sampled, when main sleeps.)
  const churners = DEFAULT_GOROUTINES_PER_RUNTIME - 4;
  const status = await rt.run(
    `var kept
     function churn(done) { kept = []; for (let i = 0; i < 40; i++) kept.push("x".repeat(1000) + i); done.send(0) }
     function main() {
       const never = chan(), done = chan()
       for (let i = 0; i < 3; i++) go(() => never.recv())
       gosched()
       println("before"); sleep(20)
       for (let i = 0; i < ${churners}; i++) { go(churn, done); done.recv() }
       gosched()
       println("after"); sleep(20)
     }`,
  );
  await rt.shutdown();
  assert.is(status.code, 0);
  assert.is(heap.length, 2);
  const grown = heap[1]! - heap[0]!;
  // Left as garbage, the dead contexts would add ~100 KiB each (12 of them with 16 per runtime).
  assert.ok(grown < 4 * 100 * 1024, `heap grew by ${grown} bytes`);
});

test.run();
