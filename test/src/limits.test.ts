// Runtime limits (src/runtime.ts options, Scheduler.spawn): maxGoroutines
// defaults to 1 000 000 and bounds live goroutines; spawning past it panics
// in the spawner (catchable), loses nothing and leaves the host unharmed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GoroutinePanic, Runtime } from "../../src/index.js";
import { DEFAULT_MAX_GOROUTINES } from "../../src/runtime.js";
import { eachBackend, run } from "../helpers.js";

test("maxGoroutines defaults to 1 000 000", async () => {
  const rt = await Runtime.create();
  assert.is(DEFAULT_MAX_GOROUTINES, 1_000_000);
  // Internal read: the effective options of a Runtime created without the option.
  assert.is((rt as unknown as { opts: { maxGoroutines: number } }).opts.maxGoroutines, 1_000_000);
  await rt.shutdown();
});

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

test.run();
