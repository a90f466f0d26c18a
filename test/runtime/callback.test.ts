// Guest code the host runs on its own account (Scheduler.callback): a setter
// of the program's that a prelude module's load triggers, a toString that
// the panic report calls. It runs inside a host call or a switch and cannot
// be suspended, so an operation that would block panics there, on either
// backend, instead of suspending the wrong stack (jspi trapped, asyncify
// returned garbage: found 2026-11-30); operations that never block work.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

const BLOCK_MESSAGE = /cannot block in code the runtime runs on its own account/;

eachBackend(test, "a setter run by a module's load cannot block; the load fails with a catchable error", async (backend) => {
  const r = await run(
    `Object.defineProperty(globalThis, "__qg_module", { set(v) { sleep(1); this._m = v; }, get() { return this._m; }, configurable: true });
function main() {
  try { net.listen("tcp", "127.0.0.1:0"); println("listened"); } catch (e) { println("caught " + e.message); }
  println("after");
}`,
    { backend },
  );
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, BLOCK_MESSAGE);
  assert.ok(r.stdout.endsWith("after\n"), r.stdout);
});

eachBackend(test, "a setter run by a module's load may use operations that never block", async (backend) => {
  const r = await run(
    `Object.defineProperty(globalThis, "__qg_module", { set(v) { println("set at " + (typeof now())); const c = chan(1); c.close(); this._m = v; }, get() { return this._m; }, configurable: true });
function main() {
  const ln = net.listen("tcp", "127.0.0.1:0");
  println("listening " + (typeof ln.addr));
  ln.close();
}`,
    { backend },
  );
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "set at number\nlistening string\n");
});

eachBackend(test, "a panic value whose message getter blocks is reported as a panic of its goroutine", async (backend) => {
  // jspi before the fix: "quickgo internal error: SuspendError: trying to suspend without WebAssembly.promising"
  const r = await run(
    `function main() {
  const e = new Error("x");
  Object.defineProperty(e, "message", { get() { sleep(1); return "never"; } });
  throw e;
}`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: \(unknown panic\)\n\ngoroutine 1 \[running\]:/);
  assert.not.match(r.stderr, /internal error|never/);
});

test.run();
