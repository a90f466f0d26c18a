// The reference model of test/runtime/chanmodel.ts on hand-written traces:
// it must reject what Go's semantics forbid (or the property test proves
// nothing) and accept the executions Go allows, including the ones quickgo
// prints in an unusual order. Trace format: see test/runtime/chanprog.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { check, type Ending } from "./chanmodel.js";
import type { ChanOp, Program } from "./chanprog.js";

const prog = (caps: number[], ...goroutines: ChanOp[][]): Program => ({ caps, goroutines });
const trace = (...lines: string[]): string => lines.map((l) => l + "\n").join("");

function rejected(p: Program, t: string, ending: Ending, why: RegExp): void {
  const v = check(p, t, ending);
  assert.ok(v.length > 0, "the model allowed it");
  assert.match(v.join("\n"), why);
}
function allowed(p: Program, t: string, ending: Ending): void {
  assert.equal(check(p, t, ending), []);
}

const sendRecv = prog([1], [["s", 0, 1]], [["r", 0]]);
const unbuffered = prog([0], [["s", 0, 1]], [["r", 0]]);

test("rejects a receive of a value never sent", () => {
  rejected(prog([1], [["r", 0]]), trace("b 0 0", "e 0 0 [7,true]", "end"), "end", /past line 2/);
});

test("rejects a receive from an empty open channel completing before any send begins", () => {
  rejected(sendRecv, trace("b 1 0", "e 1 0 [1,true]", "b 0 0", "e 0 0 []", "end"), "end", /past line 2/);
  rejected(unbuffered, trace("b 1 0", "e 1 0 [1,true]", "b 0 0", "e 0 0 []", "end"), "end", /past line 2/);
});

test("rejects FIFO order violations on a buffered channel", () => {
  const p = prog([2], [["s", 0, 1], ["s", 0, 2]], [["r", 0], ["r", 0]]);
  rejected(p, trace("b 0 0", "e 0 0 []", "b 0 1", "e 0 1 []", "b 1 0", "e 1 0 [2,true]", "b 1 1", "e 1 1 [1,true]", "end"), "end", /line 6/);
});

test("rejects a select default taken while a case was ready", () => {
  // a buffered value
  const p = prog([1], [["s", 0, 1]], [["x", [["r", 0]], true]]);
  rejected(p, trace("b 0 0", "e 0 0 []", "b 1 0", "e 1 0 [-1]", "end"), "end", /past line 4/);
  // a sender parked on an unbuffered channel since before the select began
  const q = prog([0], [["s", 0, 1]], [["x", [["r", 0]], true]]);
  rejected(q, trace("b 0 0", "b 1 0", "e 1 0 [-1]"), "deadlock", /past line 3/);
  // a closed channel is ready for a receive case
  const r = prog([0], [["c", 0]], [["x", [["s", -1, 1], ["r", 0]], true]]);
  rejected(r, trace("b 0 0", "e 0 0 []", "b 1 0", "e 1 0 [-1]", "end"), "end", /past line 4/);
});

test("rejects a deadlock report while a goroutine could proceed", () => {
  rejected(sendRecv, trace("b 0 0", "e 0 0 []", "b 1 0"), "deadlock", /g1 could still proceed/);
  // a goroutine that never began can begin
  rejected(sendRecv, trace("b 0 0", "e 0 0 []"), "deadlock", /g1 could still proceed/);
  // both ends of an unbuffered channel are waiting
  rejected(unbuffered, trace("b 0 0", "b 1 0"), "deadlock", /could still proceed/);
  // a select with default never blocks
  rejected(prog([0], [["x", [["r", 0]], true]]), trace("b 0 0"), "deadlock", /g0 could still proceed/);
});

test("rejects lost, duplicated and invented values and impossible results", () => {
  // the receiver got the value but the rendezvous never completed the sender
  rejected(unbuffered, trace("b 0 0", "b 1 0", "e 1 0 [1,true]"), "deadlock", /past line 3/);
  // one value received twice
  const twice = prog([1], [["s", 0, 1]], [["r", 0], ["r", 0]]);
  rejected(twice, trace("b 0 0", "e 0 0 []", "b 1 0", "e 1 0 [1,true]", "b 1 1", "e 1 1 [1,true]", "end"), "end", /line 6/);
  // more values buffered than the capacity
  rejected(prog([1], [["s", 0, 1], ["s", 0, 2]]), trace("b 0 0", "e 0 0 []", "b 0 1", "e 0 1 []", "end"), "end", /line 4/);
  // ok=false from a channel not closed yet
  const early = prog([0], [["r", 0]], [["c", 0]]);
  rejected(early, trace("b 0 0", "e 0 0 [null,false]", "b 1 0", "e 1 0 []", "end"), "end", /line 2/);
  // ok=false while a value is still buffered
  const drained = prog([1], [["s", 0, 1], ["c", 0]], [["r", 0]]);
  rejected(drained, trace("b 0 0", "e 0 0 []", "b 0 1", "e 0 1 []", "b 1 0", "e 1 0 [null,false]", "end"), "end", /line 6/);
  // panics that are not true
  rejected(prog([1], [["s", 0, 1]]), trace("b 0 0", 'e 0 0 {"panic":"send on closed channel"}', "end"), "end", /line 2/);
  rejected(prog([1], [["c", 0]]), trace("b 0 0", 'e 0 0 {"panic":"close of closed channel"}', "end"), "end", /line 2/);
  // a nil channel's case chosen; a default taken by a select without one
  rejected(prog([0], [["x", [["r", -1]], true]]), trace("b 0 0", "e 0 0 [0,null,false]", "end"), "end", /nil channel/);
  rejected(prog([0], [["x", [["r", 0]], false]]), trace("b 0 0", "e 0 0 [-1]", "end"), "end", /without one/);
  // "end" although a goroutine never finished; a goroutine's ops out of order
  rejected(sendRecv, trace("b 0 0", "e 0 0 []", "end"), "end", /g1 did not finish/);
  rejected(twice, trace("b 1 1"), "deadlock", /out of order/);
});

test("accepts executions Go allows", () => {
  // a value left buffered at the end is not lost
  allowed(prog([1], [["s", 0, 1]]), trace("b 0 0", "e 0 0 []", "end"), "end");
  allowed(sendRecv, trace("b 0 0", "e 0 0 []", "b 1 0", "e 1 0 [1,true]", "end"), "end");
  // a rendezvous: either side may print its completion first
  allowed(unbuffered, trace("b 0 0", "b 1 0", "e 1 0 [1,true]", "e 0 0 []", "end"), "end");
  allowed(unbuffered, trace("b 1 0", "b 0 0", "e 0 0 []", "e 1 0 [1,true]", "end"), "end");
  // chanrecv on a full buffer with a parked sender: the sender's value takes the freed slot
  const full = prog([1], [["s", 0, 1], ["s", 0, 2]], [["r", 0], ["r", 0]]);
  allowed(full, trace("b 0 0", "e 0 0 []", "b 0 1", "b 1 0", "e 1 0 [1,true]", "b 1 1", "e 1 1 [2,true]", "e 0 1 []", "end"), "end");
  // close wakes a parked receiver (ok=false) and a parked sender (panic)
  allowed(prog([0], [["r", 0]], [["c", 0]]), trace("b 0 0", "b 1 0", "e 1 0 []", "e 0 0 [null,false]", "end"), "end");
  allowed(prog([0], [["s", 0, 1]], [["c", 0]]), trace("b 0 0", "b 1 0", "e 1 0 []", 'e 0 0 {"panic":"send on closed channel"}', "end"), "end");
  // buffered values are received after close, then ok=false
  const drain = prog([2], [["s", 0, 1], ["c", 0]], [["r", 0], ["r", 0]]);
  allowed(drain, trace("b 0 0", "e 0 0 []", "b 0 1", "e 0 1 []", "b 1 0", "e 1 0 [1,true]", "b 1 1", "e 1 1 [null,false]", "end"), "end");
  // select: any ready case; default when none is; a select parked on both ends of one channel
  const sel = prog([1, 1], [["s", 0, 1], ["s", 1, 2]], [["x", [["r", 0], ["r", 1]], false]]);
  allowed(sel, trace("b 0 0", "e 0 0 []", "b 0 1", "e 0 1 []", "b 1 0", "e 1 0 [1,2,true]", "end"), "end");
  allowed(prog([0], [["x", [["r", 0], ["s", -1, 1]], true]]), trace("b 0 0", "e 0 0 [-1]", "end"), "end");
  const both = prog([0], [["x", [["s", 0, 1], ["r", 0]], false]], [["r", 0]]);
  allowed(both, trace("b 0 0", "b 1 0", "e 1 0 [1,true]", "e 0 0 [0]", "end"), "end");
  // deadlocks: a lone receive, a select over nil channels only, a lone select on both ends of one channel
  allowed(prog([0], [["r", 0]]), trace("b 0 0"), "deadlock");
  allowed(prog([0], [["x", [["r", -1], ["s", -1, 1]], false]]), trace("b 0 0"), "deadlock");
  allowed(prog([0], [["x", [["s", 0, 1], ["r", 0]], false]]), trace("b 0 0"), "deadlock");
});

test.run();
