// Property-based tests of channels (runtime/chan.ts, runtime/select.ts):
// random programs of send/recv/close/select over channels of random capacity,
// run by random numbers of goroutines, each checked against Go's channel
// semantics. fast-check is not a dependency, so a seeded PRNG generates the
// programs and a greedy shrinker minimizes a failing one; the failure message
// prints the seed and the shrunk program. QUICKGO_PROP_SEED=<n> replays a
// seed, QUICKGO_PROP_RUNS=<n> changes how many programs are tried.
//
// Each goroutine prints `b g i` before its op i and a completion line after
// it. The run ends with "end" (all goroutines done) or Go's deadlock report;
// either way every completed op has been printed. Checked (see check()):
//  - a received value was sent on that channel, and is received at most once;
//  - sent minus received is what stays buffered: at most cap values;
//  - values one goroutine sends on a channel reach any one receiver in order;
//  - ok=false (closed) receipts only after a close, and then nothing stays buffered;
//  - panics "send on closed channel" / "close of closed channel" only when true;
//  - on deadlock, every blocked op really cannot proceed in the final state.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Runtime } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { eachBackend } from "../helpers.js";

/** A channel index, or -1 for a nil channel (select cases only). */
type ChanRef = number;
type SelectCase = ["s", ChanRef, number] | ["r", ChanRef];
type ChanOp = ["s", number, number] | ["r", number] | ["c", number] | ["x", SelectCase[], boolean];
interface Program {
  caps: number[];
  goroutines: ChanOp[][];
}

/** mulberry32: small, seedable, good enough to pick programs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number): Program {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  let value = 0;
  const caps = Array.from({ length: int(1, 3) }, () => int(0, 3));
  const ch = (): number => int(0, caps.length - 1);
  const op = (): ChanOp => {
    const k = rnd();
    if (k < 0.35) return ["s", ch(), ++value];
    if (k < 0.7) return ["r", ch()];
    if (k < 0.9) {
      const cases = Array.from({ length: int(1, 3) }, (): SelectCase => {
        const c = rnd() < 0.1 ? -1 : ch();
        return rnd() < 0.5 ? ["s", c, ++value] : ["r", c];
      });
      return ["x", cases, rnd() < 0.3];
    }
    return ["c", ch()];
  };
  return { caps, goroutines: Array.from({ length: int(1, 4) }, () => Array.from({ length: int(1, 6) }, op)) };
}

/** The guest program: an interpreter of `p` that prints the trace described in the header. */
function source(p: Program): string {
  return `const P = ${JSON.stringify(p)}
function worker(id, chans, ops, wg) {
  const at = (c) => (c < 0 ? null : chans[c])
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]
    println("b " + id + " " + i)
    try {
      if (op[0] === "s") { at(op[1]).send(op[2]); println("s " + id + " " + i) }
      else if (op[0] === "r") { const [v, ok] = at(op[1]).recvOk(); println("r " + id + " " + i + " " + v + " " + ok) }
      else if (op[0] === "c") { at(op[1]).close(); println("c " + id + " " + i) }
      else {
        const cases = op[1].map((c, j) => c[0] === "s" ? send(at(c[1]), c[2], () => [j]) : recv(at(c[1]), (v, ok) => [j, v, ok]))
        if (op[2]) cases.push(otherwise(() => [-1]))
        println("x " + id + " " + i + " " + select(...cases).map(String).join(" "))
      }
    } catch (e) { println("p " + id + " " + i + " " + e.message) }
  }
  wg.done()
}
function main() {
  const chans = P.caps.map((c) => chan(c)), wg = new WaitGroup()
  P.goroutines.forEach((ops, id) => { wg.add(1); go(worker, id, chans, ops, wg) })
  wg.wait()
  println("end")
}`;
}

interface Outcome {
  stdout: string;
  deadlock: boolean;
  /** anything else that went wrong (an uncaught panic, an unexpected exit) */
  error: string;
}

async function execute(rt: Runtime, p: Program, out: { s: string; e: string }): Promise<Outcome> {
  out.s = out.e = "";
  const status = await rt.run(source(p), { filename: "prop.js" });
  const deadlock = status.code === 2 && out.e.startsWith("fatal error: all goroutines are asleep - deadlock!");
  const ended = status.code === 0 && out.s.endsWith("end\n");
  return { stdout: out.s, deadlock, error: deadlock || ended ? "" : `exit ${status.code}: ${out.e.split("\n")[0]}` };
}

/** The violations of Go's channel semantics in one run's trace (empty when it is allowed). */
export function check(p: Program, o: Outcome): string[] {
  const bad: string[] = [];
  if (o.error) return [o.error];
  const chanOfValue = new Map<number, number>();
  for (const ops of p.goroutines) {
    for (const op of ops) {
      if (op[0] === "s") chanOfValue.set(op[2], op[1]);
      if (op[0] === "x") for (const c of op[1]) if (c[0] === "s") chanOfValue.set(c[2], c[1]);
    }
  }
  const n = p.caps.length;
  const sent = p.caps.map(() => new Set<number>());
  const received = p.caps.map(() => new Set<number>());
  const closes = p.caps.map(() => 0);
  const closedRecv = p.caps.map(() => false);
  /** per receiver goroutine, per channel: values in the order it received them */
  const recvOrder = p.goroutines.map(() => p.caps.map((): number[] => []));
  const begun = p.goroutines.map(() => -1);
  const finished = p.goroutines.map((ops) => new Array<boolean>(ops.length).fill(false));
  const panics: { g: number; i: number; msg: string }[] = [];
  const receive = (g: number, c: number, v: string, ok: string): void => {
    if (ok === "false") {
      if (v !== "undefined") bad.push(`g${g} got ${v} with ok=false on c${c}`);
      closedRecv[c] = true;
      return;
    }
    const value = Number(v);
    if (chanOfValue.get(value) !== c) bad.push(`g${g} received ${v} on c${c}, which was never sent there`);
    else if (received[c]!.has(value)) bad.push(`value ${v} received twice`);
    received[c]!.add(value);
    recvOrder[g]![c]!.push(value);
  };
  for (const line of o.stdout.split("\n")) {
    if (line === "" || line === "end") continue;
    const [kind, gs, is, ...rest] = line.split(" ");
    const g = Number(gs), i = Number(is);
    const op = p.goroutines[g]?.[i];
    if (!op) {
      bad.push(`unexpected output line: ${line}`);
      continue;
    }
    if (kind === "b") {
      if (i !== begun[g]! + 1) bad.push(`g${g} began op ${i} out of order`);
      begun[g] = i;
      continue;
    }
    if (finished[g]![i]) bad.push(`g${g} op ${i} completed twice`);
    finished[g]![i] = true;
    if (kind === "s" && op[0] === "s") sent[op[1]]!.add(op[2]);
    else if (kind === "r" && op[0] === "r") receive(g, op[1], rest[0]!, rest[1]!);
    else if (kind === "c" && op[0] === "c") closes[op[1]]!++;
    else if (kind === "x" && op[0] === "x") {
      const j = Number(rest[0]);
      if (j === -1) {
        if (!op[2]) bad.push(`g${g} op ${i}: default chosen by a select without one`);
        continue;
      }
      const c = op[1][j];
      if (!c) bad.push(`g${g} op ${i}: select chose case ${j} of ${op[1].length}`);
      else if (c[1] < 0) bad.push(`g${g} op ${i}: select chose a nil channel`);
      else if (c[0] === "s") sent[c[1]]!.add(c[2]);
      else receive(g, c[1], rest[1]!, rest[2]!);
    } else if (kind === "p") panics.push({ g, i, msg: rest.join(" ") });
    else bad.push(`line ${line} does not match op ${JSON.stringify(op)}`);
  }
  for (let c = 0; c < n; c++) {
    for (const v of received[c]!) if (!sent[c]!.has(v)) bad.push(`value ${v} received on c${c} but its send never completed`);
    const buffered = [...sent[c]!].filter((v) => !received[c]!.has(v));
    if (buffered.length > p.caps[c]!) bad.push(`c${c} (cap ${p.caps[c]}) would still buffer ${buffered.length} values: ${buffered.join()}`);
    if (closedRecv[c] && closes[c] === 0) bad.push(`c${c} reported closed but was never closed`);
    if (closedRecv[c] && buffered.length > 0) bad.push(`c${c} reported closed and drained, yet ${buffered.join()} stayed buffered`);
  }
  for (const { g, i, msg } of panics) {
    const op = p.goroutines[g]![i]!;
    const sendsTo = op[0] === "s" ? [op[1]] : op[0] === "x" ? op[1].filter((c) => c[0] === "s" && c[1] >= 0).map((c) => c[1]) : [];
    if (msg === "send on closed channel" && !sendsTo.some((c) => closes[c]! > 0)) bad.push(`g${g} op ${i}: send on closed channel, but none was closed`);
    else if (msg === "close of closed channel" && !(op[0] === "c" && closes[op[1]]! > 0)) bad.push(`g${g} op ${i}: close of closed channel, but it was open`);
    else if (msg !== "send on closed channel" && msg !== "close of closed channel") bad.push(`g${g} op ${i}: unexpected panic ${msg}`);
  }
  // Values one goroutine sent on one channel reach each receiver in send order.
  for (const ops of p.goroutines) {
    for (let c = 0; c < n; c++) {
      const order = ops.flatMap((op) => (op[0] === "s" && op[1] === c ? [op[2]] : op[0] === "x" ? op[1].filter((k) => k[0] === "s" && k[1] === c).map((k) => k[2] as number) : []));
      const rank = new Map(order.map((v, k) => [v, k]));
      for (const [g, perChan] of recvOrder.entries()) {
        const seen = perChan[c]!.filter((v) => rank.has(v)).map((v) => rank.get(v)!);
        if (seen.some((r, k) => k > 0 && r < seen[k - 1]!)) bad.push(`g${g} received one sender's values on c${c} out of order`);
      }
    }
  }
  // Completion: a clean end finished every op; a deadlock left each unfinished goroutine in an op that cannot proceed.
  const blocked = p.goroutines.flatMap((ops, g) => (begun[g]! >= 0 && !finished[g]![begun[g]!] ? [{ g, op: ops[begun[g]!]! }] : []));
  for (const [g, ops] of p.goroutines.entries()) {
    const last = begun[g]!;
    const done = last === ops.length - 1 && finished[g]![last];
    if (!o.deadlock && !done) bad.push(`the program ended but g${g} did not finish`);
    if (o.deadlock && !done && (last < 0 || finished[g]![last])) bad.push(`deadlock reported while g${g} was between ops`);
  }
  if (o.deadlock) {
    const buffered = (c: number): number => [...sent[c]!].filter((v) => !received[c]!.has(v)).length;
    // Another goroutine blocked on the other end (a goroutine never pairs with itself).
    const waiting = (kind: "s" | "r", c: number, self: number): boolean =>
      blocked.some(({ g, op }) => g !== self && ((op[0] === kind && op[1] === c) || (op[0] === "x" && op[1].some((k) => k[0] === kind && k[1] === c))));
    const canProceed = (self: number, k: SelectCase | ["s", number, number] | ["r", number]): boolean => {
      const c = k[1];
      if (c < 0) return false;
      if (k[0] === "r") return buffered(c) > 0 || closes[c]! > 0 || (p.caps[c] === 0 && waiting("s", c, self));
      return closes[c]! > 0 || buffered(c) < p.caps[c]! || (p.caps[c] === 0 && waiting("r", c, self));
    };
    if (blocked.length === 0) bad.push("deadlock reported but no goroutine was blocked");
    for (const { g, op } of blocked) {
      if (op[0] === "c") bad.push(`g${g} blocked in close`);
      else if (op[0] === "x" ? op[2] || op[1].some((k) => canProceed(g, k)) : canProceed(g, op)) bad.push(`g${g} is blocked in ${JSON.stringify(op)}, which could proceed`);
    }
  }
  return bad;
}

function show(p: Program): string {
  return `caps ${JSON.stringify(p.caps)}\n` + p.goroutines.map((ops, g) => `  g${g}: ${ops.map((op) => JSON.stringify(op)).join(" ")}`).join("\n");
}

/** Smaller variants of p: a goroutine or an op removed, a select case or default dropped, a capacity lowered. */
function* shrinks(p: Program): Generator<Program> {
  const clone = (): Program => JSON.parse(JSON.stringify(p)) as Program;
  for (let g = 0; g < p.goroutines.length; g++) {
    if (p.goroutines.length > 1) {
      const q = clone();
      q.goroutines.splice(g, 1);
      yield q;
    }
    for (let i = 0; i < p.goroutines[g]!.length; i++) {
      const q = clone();
      q.goroutines[g]!.splice(i, 1);
      if (q.goroutines[g]!.length > 0) yield q;
      const op = p.goroutines[g]![i]!;
      if (op[0] === "x") {
        for (let j = 0; j < op[1].length && op[1].length > 1; j++) {
          const r = clone();
          (r.goroutines[g]![i] as ["x", SelectCase[], boolean])[1].splice(j, 1);
          yield r;
        }
        if (op[2]) {
          const r = clone();
          (r.goroutines[g]![i] as ["x", SelectCase[], boolean])[2] = false;
          yield r;
        }
      }
    }
  }
  for (let c = 0; c < p.caps.length; c++) {
    if (p.caps[c]! > 0) {
      const q = clone();
      q.caps[c] = p.caps[c]! - 1;
      yield q;
    }
  }
}

/** Greedy shrinking: keep any smaller variant that still fails (tried 3 times: select picks cases at random). */
async function shrink(rt: Runtime, p: Program, out: { s: string; e: string }): Promise<{ program: Program; violations: string[]; trace: string }> {
  let best = p;
  let o = await execute(rt, p, out);
  let violations = check(p, o);
  let trace = o.stdout;
  for (let budget = 200, improved = true; improved && budget > 0; ) {
    improved = false;
    for (const q of shrinks(best)) {
      if (--budget <= 0) break;
      for (let attempt = 0; attempt < 3; attempt++) {
        o = await execute(rt, q, out);
        const v = check(q, o);
        if (v.length > 0) {
          [best, violations, trace, improved] = [q, v, o.stdout, true];
          break;
        }
      }
      if (improved) break;
    }
  }
  return { program: best, violations, trace };
}

const baseSeed = Number(process.env.QUICKGO_PROP_SEED ?? 20260409);
const runs = Number(process.env.QUICKGO_PROP_RUNS ?? 40);

async function property(backend: Backend): Promise<void> {
  const out = { s: "", e: "" };
  const rt = await Runtime.create({ backend, stdout: (s) => void (out.s += s), stderr: (s) => void (out.e += s) });
  let deadlocks = 0;
  for (let k = 0; k < runs; k++) {
    const seed = baseSeed + k;
    const p = generate(seed);
    const o = await execute(rt, p, out);
    if (o.deadlock) deadlocks++;
    const violations = check(p, o);
    if (violations.length > 0) {
      const s = await shrink(rt, p, out);
      assert.unreachable(
        `channel property failed for seed ${seed} (replay: QUICKGO_PROP_SEED=${seed} QUICKGO_PROP_RUNS=1)\n` +
          `program:\n${show(p)}\nshrunk:\n${show(s.program)}\nviolations:\n  ${s.violations.join("\n  ")}\ntrace of the shrunk program:\n${s.trace}`,
      );
    }
  }
  // Both outcomes must be exercised, or the property says little.
  assert.ok(deadlocks > 0 && deadlocks < runs, `${deadlocks} of ${runs} programs deadlocked`);
  await rt.shutdown();
}

eachBackend(test, "random channel programs: every trace obeys Go's channel semantics and loses no value", property);

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
});

test("the checker rejects traces Go's semantics do not allow", () => {
  const p: Program = { caps: [1], goroutines: [[["s", 0, 1]], [["r", 0], ["r", 0]]] };
  const ok = "b 0 0\ns 0 0\nb 1 0\nr 1 0 1 true\nb 1 1\n";
  assert.equal(check(p, { stdout: ok, deadlock: true, error: "" }), []);
  const twice = "b 0 0\ns 0 0\nb 1 0\nr 1 0 1 true\nb 1 1\nr 1 1 1 true\nend\n";
  assert.ok(check(p, { stdout: twice, deadlock: false, error: "" }).includes("value 1 received twice"));
  const lost = "b 0 0\ns 0 0\nb 1 0\nr 1 0 undefined false\nb 1 1\n";
  assert.ok(check(p, { stdout: lost, deadlock: true, error: "" }).some((v) => v.includes("never closed")));
  const stuck = "b 0 0\ns 0 0\nb 1 0\n"; // g1 waits in recv while value 1 is buffered
  assert.ok(check(p, { stdout: stuck, deadlock: true, error: "" }).some((v) => v.includes("could proceed")));
  const overfull: Program = { caps: [0], goroutines: [[["s", 0, 1]]] };
  assert.ok(check(overfull, { stdout: "b 0 0\ns 0 0\nend\n", deadlock: false, error: "" }).some((v) => v.includes("would still buffer")));
});

test.run();
