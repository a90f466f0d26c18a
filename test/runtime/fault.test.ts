// Faults inside one goroutine (Scheduler.crashed, the engines' error paths):
// a wasm trap or an unexpected host error while a goroutine runs ends that
// goroutine with a panic naming the cause. Like any unrecovered panic it ends
// its program (or session); the process, the Runtime and other Runtimes go on.
// Faults are injected by wrapping Scheduler.prototype.hostCall for one
// goroutine: a real trap (wasm `free` of a bad pointer, executed on the
// goroutine's stack) or a thrown host error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GoroutinePanic, Runtime } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import type { G } from "../../runtime/goroutine.js";
import { Scheduler } from "../../runtime/scheduler.js";
import { eachBackend, rejects } from "../helpers.js";

type Fault = (g: G) => void;
const trap: Fault = (g) => void g.engine!.wasm.x.free(3);
const hostError: Fault = () => {
  throw new Error("injected host fault");
};

/** Runs `body` with `fault` injected into the first host call of goroutine `goid` made after `arm()`. */
async function withFault(goid: number, fault: Fault, body: (arm: () => void) => Promise<void>): Promise<void> {
  const original = Scheduler.prototype.hostCall;
  let armed = false;
  Scheduler.prototype.hostCall = function (this: Scheduler, g: G, argc: number, argv: number, thisPtr: number, hostRef: number): number {
    if (armed && g.id === goid) {
      armed = false;
      fault(g);
    }
    return original.call(this, g, argc, argv, thisPtr, hostRef);
  };
  try {
    await body(() => void (armed = true));
  } finally {
    Scheduler.prototype.hostCall = original;
  }
}

async function capture(backend: Backend): Promise<{ rt: Runtime; out: () => string; err: () => string }> {
  let out = "";
  let err = "";
  const rt = await Runtime.create({ backend, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  return { rt, out: () => out, err: () => err };
}

const PROGRAM = `function main() {
  const c = chan()
  go(() => { println("goroutine 2 starts"); c.send(1) })
  c.recv()
  println("main done")
}`;

for (const [name, fault, message] of [
  ["a wasm trap", trap, "runtime error: wasm trap: memory access out of bounds"],
  ["an unexpected host error", hostError, "runtime error: quickgo internal error: Error: injected host fault"],
] as const) {
  eachBackend(test, `${name} in a goroutine panics naming the cause; the Runtime and a second Runtime go on`, async (backend) => {
    const { rt, out, err } = await capture(backend);
    await withFault(2, fault, async (arm) => {
      arm();
      const status = await rt.run(PROGRAM, { filename: "fault.js" });
      assert.is(status.code, 2);
      assert.instance(status.error, GoroutinePanic);
      const p = status.error as GoroutinePanic;
      assert.is(p.goroutine, 2);
      assert.is(p.panicMessage, message);
      assert.ok(err().startsWith(`panic: ${message}\n\ngoroutine 2 [running]:\n`), err());
      assert.is(out(), ""); // the fault hit goroutine 2's first host call (println)
    });
    const again = await rt.run(PROGRAM);
    assert.is(again.code, 0);
    assert.is(out(), "goroutine 2 starts\nmain done\n");
    const other = await capture(backend);
    assert.is((await other.rt.run(`function main() { println("fine") }`)).code, 0);
    assert.is(other.out(), "fine\n");
  });
}

eachBackend(test, "session: a trap in a host-started goroutine rejects its done with the panic; the next go starts a new session", async (backend) => {
  const { rt } = await capture(backend);
  const src = `function wait(c) { c.recv() }\nfunction echo(c, out) { out.send(c.recv() * 2) }`;
  const c = rt.chan<number>();
  await withFault(1, trap, async (arm) => {
    const g = rt.go(src, "wait", c);
    arm();
    await c.send(1).catch(() => {}); // the fault hits the recv's resumption or the next call; either way g dies
    const e = (await rejects(g.done, GoroutinePanic)) as GoroutinePanic;
    assert.match(e.panicMessage, /^runtime error: wasm trap: /);
  });
  const c2 = rt.chan<number>(1), out = rt.chan<number>(1);
  const g2 = rt.go(src, "echo", c2, out);
  await c2.send(21);
  assert.is(await out.recv(), 42);
  await g2.done;
  await rt.shutdown();
});

test.run();
