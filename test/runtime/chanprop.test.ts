// Property-based tests of channels (runtime/chan.ts, runtime/select.ts), with
// fast-check: random programs of send/recv/close/select (with default and nil
// channel cases)/gosched over 1–3 channels of capacity 0–3, run by 1–4
// goroutines (test/runtime/chanprog.ts), each run's trace checked against a
// reference model of Go's channel semantics (test/runtime/chanmodel.ts): some
// execution of the model must print exactly that trace and end the same way
// (normally, or in Go's deadlock report with every unfinished goroutine
// blocked), and every value sent must be received exactly once or still
// buffered at the end.
//
// A run's schedule depends on select's random picks and on timing (a fresh
// Runtime is slow enough to lose its time slice), so a failure may not repeat:
// shrinking runs each smaller candidate 3 times, a replay up to 20 times. The
// failure message shows the seed and path, the shrunk program as guest
// source, the model's complaint and the trace. Knobs:
//   QUICKGO_PROP_RUNS=<n>           programs per backend (default 500)
//   QUICKGO_PROP_SEED=<seed>[:<path>] fast-check's seed, and path to replay
//                                   one counterexample (the failure prints it);
//                                   "random" for a fresh seed (default: fixed)
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { Runtime } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { eachBackend } from "../helpers.js";
import { programs, source, type Program } from "./chanprog.js";
import { check, type Ending } from "./chanmodel.js";

const runs = Number(process.env.QUICKGO_PROP_RUNS ?? 500);

function seedAndPath(): { seed: number; path?: string } {
  const v = process.env.QUICKGO_PROP_SEED;
  if (v === "random") return { seed: Math.floor(Math.random() * 2 ** 31) };
  if (!v) return { seed: 20260409 };
  const [seed, ...path] = v.split(":");
  return path.length > 0 ? { seed: Number(seed), path: path.join(":") } : { seed: Number(seed) };
}

interface Run {
  ending: Ending | "error";
  violations: string[];
  stdout: string;
}

async function execute(rt: Runtime, p: Program, out: { s: string; e: string }): Promise<Run> {
  out.s = out.e = "";
  const status = await rt.run(source(p), { filename: "prop.js" });
  const deadlock = status.code === 2 && out.e.startsWith("fatal error: all goroutines are asleep - deadlock!");
  if (!deadlock && status.code !== 0) return { ending: "error", violations: [`exit ${status.code}: ${out.e.split("\n")[0]}`], stdout: out.s };
  const ending: Ending = deadlock ? "deadlock" : "end";
  return { ending, violations: check(p, out.s, ending), stdout: out.s };
}

async function property(backend: Backend): Promise<void> {
  const out = { s: "", e: "" };
  // preempt: false, so nothing switches goroutines between a `b` line and its op (see chanprog.ts).
  const rt = await Runtime.create({ backend, preempt: false, stdout: (s) => void (out.s += s), stderr: (s) => void (out.e += s) });
  let tried = 0;
  let deadlocks = 0;
  let failing = false;
  const params = seedAndPath();
  const prop = fc.asyncProperty(programs, async (p) => {
    for (let attempt = 0; attempt < (params.path !== undefined ? 20 : failing ? 3 : 1); attempt++) {
      const r = await execute(rt, p, out);
      if (!failing) {
        tried++;
        if (r.ending === "deadlock") deadlocks++;
      }
      if (r.violations.length > 0) {
        failing = true;
        throw new Error(`${r.violations.join("\n")}\ntrace (ended: ${r.ending}):\n${r.stdout}`);
      }
    }
  });
  const details = await fc.check(prop, { numRuns: runs, ...params });
  await rt.shutdown();
  if (details.failed) {
    const replay = `QUICKGO_PROP_SEED=${details.seed}:${details.counterexamplePath ?? ""} QUICKGO_PROP_RUNS=1`;
    const why = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    assert.unreachable(`channel property failed [${backend}] (replay the shrunk program: ${replay})\n${fc.defaultReportMessage(details)}\nthe model says: ${why}`);
  }
  // Both endings must be common, or the property says little.
  if (tried >= 50) assert.ok(deadlocks > tried / 10 && deadlocks < tried - tried / 10, `${deadlocks} of ${tried} programs deadlocked`);
}

eachBackend(test, "random channel programs: every trace is one Go's semantics allow and no value is lost or duplicated", property);

// Shrunk from a failure the property found: selectgo's second pass paired the
// send case with the same select's receive case ("quickgo internal error").
eachBackend(test, "a select on both ends of an unbuffered channel never pairs with itself", async (backend) => {
  let out = "";
  let err = "";
  const rt = await Runtime.create({ backend, stdout: (s) => void (out += s), stderr: (s) => void (err += s) });
  const status = await rt.run(
    `function main() {
       const c = chan(), done = chan()
       go(() => { sleep(5); println("other got", c.recv()); done.send(1) })
       println(select(send(c, "v", () => "sent"), recv(c, (v) => "received " + v)))
       done.recv()
       select(send(c, 1, () => {}), recv(c, () => {}))   // alone: Go's deadlock
     }`,
  );
  assert.is(out, "other got v\nsent\n");
  assert.is(status.code, 2);
  assert.ok(err.startsWith("fatal error: all goroutines are asleep - deadlock!"), err);
  await rt.shutdown();
});

test.run();
