// A reference model of Go's channel semantics, and the check that a trace
// printed by a test/runtime/chanprog.ts program is one the model allows.
//
// Model state: per channel a FIFO buffer (at most cap values) and a closed
// flag; per goroutine the index of its current op and whether that op is
// idle (not begun), pending (begun, not committed) or committed (result
// fixed, completion line not printed yet). Each op commits atomically at
// one instant between its `b` line and its `e` line (Go's ops are
// linearizable); a commit is allowed when:
//  - send c v: c not closed and its buffer has room (append v); or c is
//    unbuffered and another pending goroutine receives v from c, both
//    committing at once (rendezvous); panics "send on closed channel" iff c
//    is closed;
//  - recv c: the buffer's head (FIFO), also after close; (undefined, false)
//    only once c is closed and drained; on an unbuffered c, only by rendezvous;
//  - close c: c open (then later recvs see closed, later sends panic: that
//    is how close wakes parked receivers and senders); panics
//    "close of closed channel" iff c is closed;
//  - select: any ready case (Go picks at random, so any one is allowed), as
//    that case's send/recv; default only if no case is ready at that
//    instant; a nil channel's case is never ready;
//  - gosched: always.
// A receive from a full buffered channel with a blocked sender (Go's chanrecv
// moves the sender's value into the freed slot) is the recv's commit
// followed at once by the send's. A case is "ready" by rendezvous when
// another goroutine is pending on the opposite end: the harness has no
// scheduling point between a `b` line and its op, so a pending goroutine is
// parked in (or running) its op, where Go's select would find it.
//
// The search (depth-first, memoising visited states) looks for commit points
// for every completed op, in the order of the trace's lines, that give
// each op exactly the result it printed; ops never completed never commit. At
// "end" every op must have completed; at Go's deadlock report no goroutine
// may have a legal step left (each unfinished one pending in an op that
// cannot commit). Finally every value sent is received exactly once or
// still buffered in the final state.
import type { ChanOp, Program } from "./chanprog.js";

/** How the run ended: main printed "end", or Go reported that all goroutines are asleep. */
export type Ending = "end" | "deadlock";

/** What a completed op did, read from its completion line. */
type Action =
  | { k: "send"; c: number; v: number }
  | { k: "recv"; c: number; v: number }
  | { k: "recvClosed"; c: number }
  | { k: "close"; c: number }
  | { k: "panicClose"; c: number }
  /** "send on closed channel": one of these channels must be closed */
  | { k: "panicSend"; cs: number[] }
  | { k: "default" }
  | { k: "nop" };

type Event = { g: number; i: number; begin: true } | { g: number; i: number; begin: false; action: Action; line: string };

const enum Phase {
  Idle,
  Pending,
  Committed,
}

interface State {
  bufs: number[][];
  closed: boolean[];
  /** per goroutine: its current (or next) op */
  pc: number[];
  phase: Phase[];
}

/** The action an op's printed result stands for, or why the result is impossible for that op. */
function actionOf(op: ChanOp, r: unknown): Action | string {
  const isArr = Array.isArray(r);
  if (r !== null && typeof r === "object" && !isArr) {
    const msg = (r as { panic?: unknown }).panic;
    if (msg === "close of closed channel" && op[0] === "c") return { k: "panicClose", c: op[1] };
    const sendChans = op[0] === "s" ? [op[1]] : op[0] === "x" ? op[1].filter((k) => k[0] === "s" && k[1] >= 0).map((k) => k[1]) : [];
    if (msg === "send on closed channel" && sendChans.length > 0) return { k: "panicSend", cs: sendChans };
    return `unexpected panic ${JSON.stringify(msg)}`;
  }
  if (!isArr) return "unreadable result";
  const recv = (c: number, v: unknown, ok: unknown): Action | string => {
    if (ok === true && typeof v === "number") return { k: "recv", c, v };
    if (ok === false && v === null) return { k: "recvClosed", c };
    return `bad receive result ${JSON.stringify([v, ok])}`;
  };
  switch (op[0]) {
    case "s":
      return r.length === 0 ? { k: "send", c: op[1], v: op[2] } : "a send returned a value";
    case "c":
      return r.length === 0 ? { k: "close", c: op[1] } : "a close returned a value";
    case "y":
      return r.length === 0 ? { k: "nop" } : "gosched returned a value";
    case "r":
      return r.length === 2 ? recv(op[1], r[0], r[1]) : "a receive did not return [v, ok]";
    case "x": {
      const j: unknown = r[0];
      if (j === -1 && r.length === 1) return op[2] ? { k: "default" } : "default taken by a select without one";
      const k = typeof j === "number" ? op[1][j] : undefined;
      if (!k) return `select returned case ${JSON.stringify(j)} of ${op[1].length}`;
      if (k[1] < 0) return `select chose case ${j}, a nil channel`;
      if (k[0] === "s") return r.length === 1 ? { k: "send", c: k[1], v: k[2] } : "a select send case returned a value";
      return r.length === 3 ? recv(k[1], r[1], r[2]) : "a select receive case did not return [j, v, ok]";
    }
  }
}

/** The trace's events, or the first line that is not a well-formed step of p. */
function parse(p: Program, stdout: string, ending: Ending): Event[] | string {
  const lines = stdout.split("\n");
  if (lines.pop() !== "") return "the trace does not end with a newline";
  if (ending === "end" && lines.pop() !== "end") return 'the run ended normally but "end" is not the last line';
  const events: Event[] = [];
  const next = p.goroutines.map(() => 0);
  const open = p.goroutines.map(() => false);
  for (const [n, line] of lines.entries()) {
    const m = /^([be]) (\d+) (\d+)(?: (.*))?$/.exec(line);
    const g = Number(m?.[2]);
    const i = Number(m?.[3]);
    const op = p.goroutines[g]?.[i];
    if (!m || !op) return `line ${n + 1} is not a step of the program: ${line}`;
    if (m[1] === "b") {
      if (open[g] || i !== next[g]) return `line ${n + 1}: g${g} began op ${i} out of order`;
      open[g] = true;
      events.push({ g, i, begin: true });
      continue;
    }
    if (!open[g] || i !== next[g]) return `line ${n + 1}: g${g} completed op ${i}, which was not running`;
    let r: unknown;
    try {
      r = JSON.parse(m[4] ?? "");
    } catch {
      return `line ${n + 1}: unreadable result: ${line}`;
    }
    const action = actionOf(op, r);
    if (typeof action === "string") return `line ${n + 1} (${line}): ${action}`;
    open[g] = false;
    next[g]!++;
    events.push({ g, i, begin: false, action, line: `line ${n + 1} (${line})` });
  }
  return events;
}

function key(s: State): string {
  return JSON.stringify([s.bufs, s.closed, s.pc, s.phase]);
}

function clone(s: State): State {
  return { bufs: s.bufs.map((b) => b.slice()), closed: s.closed.slice(), pc: s.pc.slice(), phase: s.phase.slice() };
}

function describeState(p: Program, s: State): string {
  const chans = p.caps.map((cap, c) => `c${c} (cap ${cap}) [${s.bufs[c]!.join(", ")}]${s.closed[c] ? " closed" : ""}`);
  const gs = p.goroutines.map((ops, g) => {
    const pc = s.pc[g]!;
    if (pc >= ops.length) return `g${g} done`;
    const what = ["before", "pending in", "committed"][s.phase[g]!];
    return `g${g} ${what} op ${pc} ${JSON.stringify(ops[pc])}`;
  });
  return [...chans, ...gs].join("; ");
}

/** The Go semantics of p's channels, and a search for an execution that prints a given trace. */
class Model {
  /** per goroutine, per op: what it did if the trace shows it completed */
  private readonly actions: (Action | undefined)[][];
  private readonly visited = new Set<string>();
  /** the furthest trace position explained, and a state there (for the failure message) */
  furthest = { k: -1, state: "" };
  finalFailure = "";

  constructor(
    private readonly p: Program,
    private readonly events: Event[],
    private readonly ending: Ending,
  ) {
    this.actions = p.goroutines.map((ops) => ops.map((): Action | undefined => undefined));
    for (const e of events) if (!e.begin) this.actions[e.g]![e.i] = e.action;
  }

  private op(s: State, g: number): ChanOp | undefined {
    return this.p.goroutines[g]![s.pc[g]!];
  }

  /** Another goroutine is pending in an op with a `kind` case (or plain op) on unbuffered channel c. */
  private waiting(s: State, self: number, kind: "s" | "r", c: number): boolean {
    return s.phase.some((ph, g) => {
      if (g === self || ph !== Phase.Pending) return false;
      const op = this.op(s, g)!;
      return (op[0] === kind && op[1] === c) || (op[0] === "x" && op[1].some((k) => k[0] === kind && k[1] === c));
    });
  }

  /** Go's readiness of a send or receive on c by goroutine self, whatever the trace says. */
  private ready(s: State, self: number, kind: "s" | "r", c: number): boolean {
    if (c < 0) return false;
    if (s.closed[c]) return true; // a recv gets a buffered value or ok=false; a send panics
    const cap = this.p.caps[c]!;
    if (kind === "r") return s.bufs[c]!.length > 0 || (cap === 0 && this.waiting(s, self, "s", c));
    return s.bufs[c]!.length < cap || (cap === 0 && this.waiting(s, self, "r", c));
  }

  /** Goroutine g has a legal next step in Go's semantics (begin, commit or complete), whatever the trace says. */
  private canStep(s: State, g: number): boolean {
    const op = this.op(s, g);
    if (!op) return false;
    if (s.phase[g] !== Phase.Pending) return true;
    switch (op[0]) {
      case "s":
      case "r":
        return this.ready(s, g, op[0], op[1]);
      case "x":
        return op[2] || op[1].some((k) => this.ready(s, g, k[0], k[1]));
      default:
        return true;
    }
  }

  /** States after one commit that gives a pending op the result the trace shows for it. */
  private *commits(s: State): Generator<State> {
    for (let g = 0; g < s.phase.length; g++) {
      if (s.phase[g] !== Phase.Pending) continue;
      const a = this.actions[g]![s.pc[g]!];
      if (!a) continue; // never completed: never commits
      const commit = (t: State = clone(s)): State => {
        t.phase[g] = Phase.Committed;
        return t;
      };
      switch (a.k) {
        case "nop":
          yield commit();
          break;
        case "close":
          if (!s.closed[a.c]) {
            const t = commit();
            t.closed[a.c] = true;
            yield t;
          }
          break;
        case "panicClose":
          if (s.closed[a.c]) yield commit();
          break;
        case "panicSend":
          if (a.cs.some((c) => s.closed[c])) yield commit();
          break;
        case "recvClosed":
          if (s.closed[a.c] && s.bufs[a.c]!.length === 0) yield commit();
          break;
        case "recv":
          if (s.bufs[a.c]![0] === a.v) {
            const t = commit();
            t.bufs[a.c]!.shift();
            yield t;
          }
          break; // an unbuffered receive commits with its sender, below
        case "send": {
          if (s.closed[a.c]) break;
          if (this.p.caps[a.c]! > 0) {
            if (s.bufs[a.c]!.length < this.p.caps[a.c]!) {
              const t = commit();
              t.bufs[a.c]!.push(a.v);
              yield t;
            }
            break;
          }
          for (let h = 0; h < s.phase.length; h++) {
            const b = this.actions[h]![s.pc[h]!];
            if (h !== g && s.phase[h] === Phase.Pending && b?.k === "recv" && b.c === a.c && b.v === a.v) {
              const t = commit();
              t.phase[h] = Phase.Committed;
              yield t;
            }
          }
          break;
        }
        case "default": {
          const op = this.op(s, g);
          if (op?.[0] === "x" && !op[1].some((k) => this.ready(s, g, k[0], k[1]))) yield commit();
          break;
        }
      }
    }
  }

  /** Why the final state contradicts the ending, or "" if it does not. */
  private finalCheck(s: State): string {
    const unfinished = this.p.goroutines.flatMap((ops, g) => (s.pc[g]! < ops.length ? [g] : []));
    if (this.ending === "end") return unfinished.length > 0 ? `the program ended but g${unfinished[0]} did not finish` : "";
    if (unfinished.length === 0) return "deadlock reported after every goroutine finished";
    const able = unfinished.find((g) => this.canStep(s, g));
    return able === undefined ? "" : `deadlock reported while g${able} could still proceed`;
  }

  /** An execution from state s at trace position k to the end, or null. */
  search(s: State, k: number): State | null {
    const id = `${k} ${key(s)}`;
    if (this.visited.has(id)) return null;
    this.visited.add(id);
    if (k > this.furthest.k) this.furthest = { k, state: describeState(this.p, s) };
    if (k === this.events.length) {
      const why = this.finalCheck(s);
      if (!why) return s;
      this.finalFailure ||= `${why} (${describeState(this.p, s)})`;
      return null;
    }
    const e = this.events[k]!;
    if (e.begin) {
      const t = clone(s);
      t.phase[e.g] = Phase.Pending;
      const r = this.search(t, k + 1);
      if (r) return r;
    } else if (s.phase[e.g] === Phase.Committed) {
      const t = clone(s);
      t.phase[e.g] = Phase.Idle;
      t.pc[e.g]!++;
      const r = this.search(t, k + 1);
      if (r) return r;
    }
    for (const t of this.commits(s)) {
      const r = this.search(t, k);
      if (r) return r;
    }
    return null;
  }
}

/** Values sent (by completed sends) vs received and left buffered: each sent value exactly once. */
function conservation(events: Event[], final: State): string[] {
  const bad: string[] = [];
  const sentOn = new Map<number, number>();
  const got = new Map<number, number>();
  for (const e of events) {
    if (e.begin) continue;
    if (e.action.k === "send") sentOn.set(e.action.v, e.action.c);
    if (e.action.k === "recv") got.set(e.action.v, (got.get(e.action.v) ?? 0) + 1);
  }
  const buffered = new Map<number, number>();
  for (const [c, buf] of final.bufs.entries()) for (const v of buf) buffered.set(v, c);
  for (const [v, c] of sentOn) {
    const n = (got.get(v) ?? 0) + (buffered.get(v) === c ? 1 : 0);
    if (n !== 1) bad.push(`value ${v} sent on c${c} was received or left buffered ${n} times`);
  }
  for (const v of got.keys()) if (!sentOn.has(v)) bad.push(`value ${v} was received but never sent`);
  for (const v of buffered.keys()) if (!sentOn.has(v)) bad.push(`value ${v} is buffered but its send never completed`);
  return bad;
}

/** Violations of Go's channel semantics in one run of p (empty when the trace is one the model allows). */
export function check(p: Program, stdout: string, ending: Ending): string[] {
  const events = parse(p, stdout, ending);
  if (typeof events === "string") return [events];
  const m = new Model(p, events, ending);
  const start: State = {
    bufs: p.caps.map(() => []),
    closed: p.caps.map(() => false),
    pc: p.goroutines.map(() => 0),
    phase: p.goroutines.map(() => Phase.Idle),
  };
  const final = m.search(start, 0);
  if (!final) {
    if (m.furthest.k === events.length) return [`no execution of the model ends as the run did: ${m.finalFailure}`];
    const e = events[m.furthest.k]!;
    const at = e.begin ? `g${e.g} beginning op ${e.i}` : e.line;
    return [`no execution of the model explains the trace past ${at}; a state reached just before it: ${m.furthest.state}`];
  }
  return conservation(events, final);
}
