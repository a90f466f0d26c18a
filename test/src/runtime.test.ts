// The library API (src/runtime.ts, src/session.ts): goroutines started by the
// host, typed errors and events, stats, limits, shutdown, independent runtimes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  DeadlockError, GoroutineKilled, GoroutinePanic, GuestSyntaxError, Runtime, ShutdownError,
  type RuntimeOptions,
} from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { eachBackend, rejects } from "../helpers.js";

interface Captured {
  rt: Runtime;
  out: () => string;
  err: () => string;
}

async function runtime(backend: Backend, opts: RuntimeOptions = {}): Promise<Captured> {
  let out = "";
  let err = "";
  const rt = await Runtime.create({ backend, stdout: (s) => void (out += s), stderr: (s) => void (err += s), ...opts });
  return { rt, out: () => out, err: () => err };
}

eachBackend(test, "go: a goroutine of a host-given program runs, spawns its own goroutines and prints", async (backend) => {
  const { rt, out } = await runtime(backend);
  const g = rt.go(
    `function helper(wg, n) { println("child", n); wg.done() }
     function parent(n) {
       const wg = new WaitGroup()
       for (let i = 0; i < n; i++) { wg.add(1); go(helper, wg, i) }
       wg.add(1); go(() => { println("closure", n); wg.done() })
       wg.wait()
     }`,
    "parent", 2,
  );
  assert.is(typeof g.id, "number");
  await g.done;
  assert.equal(out().trim().split("\n").sort(), ["child 0", "child 1", "closure 2"]);
  await rt.shutdown();
});

eachBackend(test, "go: goroutines of different programs share one session and talk over channels", async (backend) => {
  const { rt } = await runtime(backend);
  const ch = rt.chan<string>(), out = rt.chan<string>();
  rt.go({ source: `function a(ch) { ch.send("from a") }`, filename: "a.js" }, "a", ch);
  rt.go({ source: `function b(ch, out) { out.send(ch.recv() + " via b") }`, filename: "b.js" }, "b", ch, out);
  assert.is(await out.recv(), "from a via b");
  await rt.shutdown();
});

eachBackend(test, "go: programs that do not load and unknown functions throw GuestSyntaxError", async (backend) => {
  const { rt } = await runtime(backend);
  assert.throws(() => rt.go({ source: "function f( {", filename: "bad.js" }, "f"), (e: unknown) => e instanceof GuestSyntaxError && e.file === "bad.js");
  assert.throws(() => rt.go("function f() {}", "g"), (e: unknown) => e instanceof GuestSyntaxError && /function g is undeclared/.test(e.message));
  await rt.shutdown();
});

eachBackend(test, "a session panic rejects done and pending host operations with GoroutinePanic, emits it, and a new session starts", async (backend) => {
  const { rt, err } = await runtime(backend);
  const events: GoroutinePanic[] = [];
  rt.on("panic", (e) => events.push(e));
  const never = rt.chan();
  const waiting = never.recv();
  waiting.catch(() => {}); // awaited below, after other assertions
  const parked = rt.chan();
  rt.go(`function sleeper(parked) { parked.send(1); chan().recv() }`, "sleeper", parked);
  await parked.recv();
  const g = rt.go({ source: `function boom(x) {\n  throw new Error("boom " + x)\n}`, filename: "boom.js" }, "boom", 7);
  const e = (await rejects(g.done, GoroutinePanic)) as GoroutinePanic;
  assert.is(e.goroutine, g.id);
  assert.is(e.panicMessage, "boom 7");
  assert.match(e.trace, /^boom\(\.\.\.\)\n\tboom\.js:2:\d+/);
  assert.match(e.dump, /goroutine \d+ \[chan receive\]:\nsleeper\(\.\.\.\)/);
  assert.match(e.report, /^panic: boom 7\n\ngoroutine \d+ \[running\]:\nboom/);
  assert.is(await rejects(waiting, GoroutinePanic), e);
  assert.equal(events, [e]);
  assert.is(err(), "", "a delivered panic is not printed");
  await rejects(() => never.send(1), GoroutinePanic);
  const again = rt.go(`function ok() {}`, "ok");
  await again.done;
  await rt.shutdown();
});

eachBackend(test, "a panic nobody observes is printed to stderr like Go", async (backend) => {
  const { rt, err } = await runtime(backend);
  rt.go(`function boom() { throw new Error("unseen") }`, "boom");
  for (let i = 0; i < 100 && !err(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(err(), /^panic: unseen\n\ngoroutine 1 \[running\]:\nboom/);
  await rt.shutdown();
});

eachBackend(test, "the host awaiting what no goroutine will do is a DeadlockError with the dump", async (backend) => {
  const { rt } = await runtime(backend);
  const events: DeadlockError[] = [];
  rt.on("deadlock", (e) => events.push(e));
  const ch = rt.chan<number>();
  rt.go({ source: `function stuck(c) {\n  c.recv()\n}`, filename: "stuck.js" }, "stuck", rt.chan());
  const e = (await rejects(ch.recv(), DeadlockError)) as DeadlockError;
  assert.match(e.dump, /goroutine 1 \[chan receive\]:\nstuck\(\.\.\.\)\n\tstuck\.js:2:\d+/);
  assert.match(e.dump, /host \[chan receive\]/);
  assert.equal(events, [e]);
  await rt.shutdown();
});

eachBackend(test, "no deadlock while a host timer can still act", async (backend) => {
  const { rt } = await runtime(backend);
  const ch = rt.chan<number>(), out = rt.chan<number>();
  rt.go(`function relay(c, out) { out.send(c.recv() + 1) }`, "relay", ch, out);
  setTimeout(() => void ch.send(41), 50);
  assert.is(await out.recv(), 42);
  await rt.shutdown();
});

eachBackend(test, "kill: a goroutine's done rejects with GoroutineKilled", async (backend) => {
  const { rt } = await runtime(backend);
  const g = rt.go(`function spin() { for (;;) {} }`, "spin");
  const w = rt.go(`function wait(c) { c.recv() }`, "wait", rt.chan());
  await new Promise((r) => setTimeout(r, 30));
  assert.ok(g.kill());
  assert.ok(rt.kill(w.id));
  assert.is(((await rejects(g.done, GoroutineKilled)) as GoroutineKilled).goroutine, g.id);
  await rejects(w.done, GoroutineKilled);
  assert.is(g.kill(), false);
  await rt.shutdown();
});

eachBackend(test, "shutdown rejects pending operations and done with ShutdownError, and closes the runtime", async (backend) => {
  const { rt } = await runtime(backend);
  const ch = rt.chan();
  const g = rt.go(`function wait(c) { c.recv() }`, "wait", rt.chan());
  const done = g.done;
  const pending = ch.recv();
  await rt.shutdown();
  await rejects(pending, ShutdownError);
  await rejects(done, ShutdownError);
  assert.throws(() => rt.chan(), (e: unknown) => e instanceof ShutdownError);
  assert.throws(() => rt.go("function f() {}", "f"), (e: unknown) => e instanceof ShutdownError);
  await rejects(() => rt.run("function main() {}"), ShutdownError);
});

eachBackend(test, "stats while running: live goroutines, switches, memory", async (backend) => {
  const { rt } = await runtime(backend);
  const ready = rt.chan<number>(10);
  for (let i = 0; i < 5; i++) rt.go(`function park(ready) { ready.send(1); select() }`, "park", ready);
  for (let i = 0; i < 5; i++) await ready.recv();
  const s = rt.stats();
  assert.is(s.goroutines, 5);
  assert.is(s.spawns, 5);
  assert.ok(s.switches >= 5);
  assert.ok(s.wasmMemoryBytes > 0);
  assert.is(s.instances, 1);
  assert.is(s.programs, 0);
  // Each parked goroutine holds its context and prelude (tens of KiB), and heapBytes follows what they keep.
  assert.ok(s.heapBytes > 5 * 32 * 1024 && s.heapBytes < 5 * 1024 * 1024, `heapBytes ${s.heapBytes}`);
  for (let i = 0; i < 2; i++) rt.go(`function hold(ready) { const keep = "k".repeat(4 << 20); ready.send(1); select(); println(keep) }`, "hold", ready);
  for (let i = 0; i < 2; i++) await ready.recv();
  const grown = rt.stats().heapBytes - s.heapBytes;
  assert.ok(grown >= 8 << 20 && grown < 9 << 20, `grew by ${grown}`);
  await rt.shutdown();
});

eachBackend(test, "maxGoroutines: go past the limit throws in the guest and in the host", async (backend) => {
  const { rt, out } = await runtime(backend, { maxGoroutines: 3 });
  const status = await rt.run(
    `function main() {
       go(() => select()); go(() => select())
       try { go(() => select()) } catch (e) { println(e.message) }
     }`,
  );
  assert.is(status.code, 0);
  assert.is(out(), "go: too many goroutines (the limit is 3)\n");
  for (let i = 0; i < 3; i++) rt.go(`function park() { select() }`, "park");
  assert.throws(() => rt.go(`function park() { select() }`, "park"), (e: unknown) => e instanceof RangeError && /too many goroutines/.test(e.message));
  await rt.shutdown();
});

eachBackend(test, "memoryLimit: allocations past it throw out of memory in that goroutine (a panic unless caught)", async (backend) => {
  const { rt, out } = await runtime(backend, { memoryLimit: 1 << 20 });
  const status = await rt.run(
    `function hog() { const a = []; for (;;) a.push({ n: a.length }) }
     function main() {
       try { "x".repeat(4 << 20) } catch (e) { println("caught:", e.message) }
       go(hog); sleep(10000)
     }`,
  );
  assert.is(out(), "caught: out of memory\n");
  assert.is(status.code, 2);
  assert.instance(status.error, GoroutinePanic);
  assert.match(status.error!.message, /out of memory/);
  assert.is((status.error as GoroutinePanic).goroutine, 2);
  assert.match(status.error!.dump, /goroutine 1 \[sleep\]/);
  await rt.shutdown();
});

eachBackend(test, "run: ExitStatus.error and events carry panics and deadlocks as typed errors", async (backend) => {
  const { rt, err } = await runtime(backend);
  const seen: string[] = [];
  rt.on("panic", (e) => seen.push(e.name)).on("deadlock", (e) => seen.push(e.name));
  const p = await rt.run(`function main() { go(() => select()); sleep(5); throw new TypeError("bad") }`, { filename: "p.js" });
  assert.is(p.code, 2);
  assert.instance(p.error, GoroutinePanic);
  assert.is((p.error as GoroutinePanic).panicMessage, "TypeError: bad");
  assert.match(p.error!.dump, /goroutine 2 \[select \(no cases\)\]/);
  assert.match(err(), /^panic: TypeError: bad\n/);
  const d = await rt.run(`function main() { chan().recv() }`, { filename: "d.js" });
  assert.is(d.code, 2);
  assert.instance(d.error, DeadlockError);
  assert.match(d.error!.dump, /^goroutine 1 \[chan receive\]:\nmain\(\.\.\.\)\n\td\.js:1:\d+/);
  assert.equal(seen, ["GoroutinePanic", "DeadlockError"]);
  const ok = await rt.run(`function main() {}`);
  assert.is(ok.error, undefined);
  await rt.shutdown();
});

eachBackend(test, "run: an aborted signal ends a spinning program with a dump", async (backend) => {
  const { rt, err } = await runtime(backend);
  const status = await rt.run(`function main() { for (;;) {} }`, { signal: AbortSignal.timeout(100) });
  assert.is(status.code, 2);
  assert.is(status.aborted, true);
  assert.match(err(), /^quickgo: run aborted: .*\n\ngoroutine 1 \[runnable\]:\nmain/);
  await rt.shutdown();
});

eachBackend(test, "several runtimes in one process are independent", async (backend) => {
  const a = await runtime(backend), b = await runtime(backend);
  const src = `function count(name, n, out) { for (let i = 0; i < n; i++) { out.send(name + i); gosched() } out.close() }`;
  const oa = a.rt.chan<string>(), ob = b.rt.chan<string>();
  a.rt.go(src, "count", "a", 3, oa);
  b.rt.go(src, "count", "b", 3, ob);
  const ga = a.rt.go(`function boom() { throw new Error("only a") }`, "boom");
  const got: string[] = [];
  for await (const v of ob) got.push(v);
  assert.equal(got, ["b0", "b1", "b2"]);
  await rejects(ga.done, GoroutinePanic);
  assert.is(b.rt.stats().goroutines, 0);
  const status = await b.rt.run(`function main() { println("b still runs") }`);
  assert.is(status.code, 0);
  assert.is(b.out(), "b still runs\n");
  await a.rt.shutdown();
  await b.rt.shutdown();
});

test.run();
