// Runtime limits (src/runtime.ts options, Scheduler.spawn): maxGoroutines
// defaults to 1 000 000 and bounds live goroutines; spawning past it panics
// in the spawner (catchable), loses nothing and leaves the host unharmed.
// memoryLimit defaults to 64 MiB of heap per goroutine, counted in real bytes
// (runtime/engine/heap-accounting.ts); past it allocation fails in that
// goroutine only: a catchable error, or the panic "runtime: out of memory".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GoroutinePanic, Runtime } from "../../src/index.js";
import { DEFAULT_MAX_GOROUTINES, DEFAULT_MEMORY_LIMIT } from "../../src/runtime.js";
import { backends, eachBackend, run } from "../helpers.js";
import { jspiGoroutineBudget, nativeStacks } from "../../runtime/engine/native-stacks.js";

test("maxGoroutines defaults to 1 000 000", async () => {
  const rt = await Runtime.create();
  assert.is(DEFAULT_MAX_GOROUTINES, 1_000_000);
  // Internal read: the effective options of a Runtime created without the option.
  assert.is((rt as unknown as { opts: { maxGoroutines: number } }).opts.maxGoroutines, 1_000_000);
  await rt.shutdown();
});

test("the jspi goroutine budget leaves two memory mappings per goroutine under vm.max_map_count, beside a reserve", () => {
  assert.is(jspiGoroutineBudget(65530, 1000), Math.floor((65530 - 1000 - 4096) / 2));
  assert.is(jspiGoroutineBudget(Infinity, 1000), Infinity);
  assert.is(jspiGoroutineBudget(1000, 900), 1);
});

if (backends.includes("jspi")) {
  test("jspi: spawning past the process's native-stack budget panics in the spawner, and the goroutines count no more once the program ends", async () => {
    const live = nativeStacks.live;
    const saved = nativeStacks.budget;
    nativeStacks.budget = live + 4; // main and three more
    try {
      const r = await run(
        `function main() {
           for (let i = 0; i < 3; i++) go(() => select())
           try { go(() => select()) } catch (e) { println(e.message) }
         }`,
        { backend: "jspi" },
      );
      assert.is(r.code, 0);
      assert.match(r.stdout, /^go: too many goroutines \(the limit is \d+ in this process: under jspi each holds a native stack, and vm\.max_map_count allows about that many; raise it, or run with --backend asyncify\)\n$/);
      assert.is(nativeStacks.live, live);
    } finally {
      nativeStacks.budget = saved;
    }
  });
}

eachBackend(test, "maxGoroutines bounds live goroutines: past it go panics (catchable), and ended goroutines free their slots", async (backend) => {
  let out = "";
  const rt = await Runtime.create({ backend, maxGoroutines: 4, stdout: (s) => void (out += s) });
  const status = await rt.run(
    `function main() {
       const release = chan(), done = new WaitGroup()
       for (let i = 0; i < 3; i++) { done.add(1); go(() => { release.recv(); done.done() }) }
       try { go(() => println("never runs")); println("spawned past the limit") } catch (e) { println(e.name + ": " + e.message) }
       const wg = new WaitGroup()
       try { wg.go(() => println("never runs")) } catch (e) { println("WaitGroup.go:", e.message) }
       println(numGoroutine())
       for (let i = 0; i < 3; i++) release.send(i)
       done.wait()
       sleep(1)
       const c = chan()
       go(() => c.send("a slot is free again"))
       println(c.recv())
       wg.wait() // WaitGroup.go undid its add when the spawn failed
     }`,
  );
  assert.is(status.code, 0);
  assert.is(
    out,
    "Error: go: too many goroutines (the limit is 4)\n" +
      "WaitGroup.go: go: too many goroutines (the limit is 4)\n" +
      "4\n" +
      "a slot is free again\n",
  );
});

// With the default limit the same bomb ends the same way (~11 s, ~0.8 GB RSS):
// bench/soak.ts runs it; here a lower limit keeps the suite fast.
eachBackend(test, "a fork bomb past maxGoroutines panics in the guest (exit 2); the host and the next program are fine", async (backend) => {
  let err = "";
  const rt = await Runtime.create({ backend, maxGoroutines: 10_000, stderr: (s) => void (err += s) });
  const bomb = await rt.run(`function bomb() { for (;;) go(bomb) }\nfunction main() { bomb() }`);
  assert.is(bomb.code, 2);
  assert.instance(bomb.error, GoroutinePanic);
  assert.is((bomb.error as GoroutinePanic).panicMessage, "go: too many goroutines (the limit is 10000)");
  assert.ok(err.startsWith("panic: go: too many goroutines (the limit is 10000)\n"));
  const next = await run(`function main() { println("fine") }`, { backend });
  assert.is(next.stdout, "fine\n");
});

test("memoryLimit defaults to 64 MiB per goroutine", async () => {
  const rt = await Runtime.create();
  assert.is(DEFAULT_MEMORY_LIMIT, 64 * 1024 * 1024);
  assert.is((rt as unknown as { opts: { memoryLimit: number } }).opts.memoryLimit, DEFAULT_MEMORY_LIMIT);
  await rt.shutdown();
  for (const bad of [-1, 2 ** 32, Number.NaN]) {
    await Runtime.create({ memoryLimit: bad }).then(
      () => assert.unreachable(`memoryLimit ${bad} accepted`),
      (e: unknown) => assert.ok(e instanceof RangeError && /memoryLimit/.test(e.message)),
    );
  }
});

eachBackend(test, "the default limit stops a goroutine that keeps many small objects: panic \"runtime: out of memory\", exit 2", async (backend) => {
  const r = await run(
    `function main() {
       const keep = []
       for (;;) keep.push({ n: keep.length, tags: ["a", "b"] })
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: runtime: out of memory\n\ngoroutine 1 \[running\]:/);
  assert.instance(r.status.error, GoroutinePanic);
});

eachBackend(test, "memoryLimit counts bytes: 100 KiB strings kept under an 8 MiB limit fail after about 80, not thousands", async (backend) => {
  let out = "";
  const rt = await Runtime.create({ backend, memoryLimit: 8 << 20, stdout: (s) => void (out += s) });
  const status = await rt.run(
    `function main() {
       let keep = []
       try { for (let i = 0; i < 100000; i++) keep.push("x".repeat(100 * 1024) + i) } catch (e) { const n = keep.length; keep = null; println(e.message, n) }
     }`,
  );
  assert.is(status.code, 0);
  const m = /^out of memory (\d+)\n$/.exec(out);
  assert.ok(m, out);
  const kept = Number(m![1]);
  // 8 MiB / 100 KiB ≈ 82, less the goroutine's own context and prelude.
  assert.ok(kept >= 60 && kept <= 82, `kept ${kept}`);
  await rt.shutdown();
});

eachBackend(test, "an out-of-memory goroutine recovers by dropping what it holds; other goroutines keep their own budgets", async (backend) => {
  let out = "";
  const rt = await Runtime.create({ backend, memoryLimit: 16 << 20, stdout: (s) => void (out += s) });
  const status = await rt.run(
    `function fill(mib) { const a = []; for (let i = 0; i < mib; i++) a.push("y".repeat(1 << 20) + i); return a }
     function main() {
       let keep = []
       try { for (;;) keep.push({ n: keep.length }) } catch (e) { keep = null; println("recovered") }
       const done = chan()
       // Each goroutine has its own 16 MiB: together they hold 36 MiB.
       for (let i = 0; i < 3; i++) go(() => { const a = fill(12); done.send(a.length) })
       let total = 0
       for (let i = 0; i < 3; i++) total += done.recv()
       println("others held", total, "MiB")
       println("main allocates again:", fill(12).length)
     }`,
  );
  assert.is(status.code, 0);
  assert.is(out, "recovered\nothers held 36 MiB\nmain allocates again: 12\n");
  await rt.shutdown();
});

eachBackend(test, "memoryLimit 0 means no per-goroutine limit", async (backend) => {
  let out = "";
  const rt = await Runtime.create({ backend, memoryLimit: 0, stdout: (s) => void (out += s) });
  const status = await rt.run(`function main() { const a = []; for (let i = 0; i < 80; i++) a.push("z".repeat(1 << 20) + i); println(a.length) }`);
  assert.is(status.code, 0);
  assert.is(out, "80\n");
  await rt.shutdown();
});

test.run();
