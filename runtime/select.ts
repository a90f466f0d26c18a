// select, after Go's select.go: poll every case in a random order and take the
// first ready one (so ready cases are chosen uniformly); else the default
// case; else enqueue a sudog on every channel and park until one case fires.
// The case that fires cancels the others (see Chan.dequeueWaiter).
import { type Chan, SelectWait } from "./chan.js";
import type { G, Wire } from "./goroutine.js";

export interface SelectCase {
  /** null is a nil channel: never ready */
  c: Chan | null;
  send: boolean;
  /** value to send */
  v: Wire | undefined;
}

/** selectgo's outcome: a case index (receive result in g.selectRecv/selectOk), -1 for default, or "park". */
export type SelectOutcome = number | "park";

export function selectgo(g: G, cases: SelectCase[], hasDefault: boolean): SelectOutcome {
  const n = cases.length;
  // Fisher-Yates permutation of case indexes: Go's pollorder.
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const j = Math.floor(Math.random() * (i + 1));
    order[i] = order[j]!;
    order[j] = i;
  }
  for (const i of order) {
    const k = cases[i]!;
    if (!k.c) continue;
    if (k.send) {
      if (k.c.send(g, k.v!, false) !== false) return i;
    } else if (k.c.recv(g, false) !== false) {
      g.selectRecv = g.param;
      g.selectOk = g.param2 === 1;
      return i;
    }
  }
  if (hasDefault) return -1;
  if (n === 0 || cases.every((k) => !k.c)) {
    g.waitReason = n === 0 ? "select (no cases)" : "select";
    g.unpark = () => {};
    return "park";
  }
  // Pass 1 found every case blocked and nothing ran since, so pass 2 only
  // queues: trying the cases again would pair a send case with this select's
  // own receive case on the same channel (found by test/runtime/chanprop.test.ts).
  const sel = new SelectWait();
  for (let i = 0; i < n; i++) {
    const k = cases[i]!;
    if (k.c) k.c.enqueueSelectCase(g, k.send, k.v, sel, i);
  }
  g.waitReason = "select";
  g.unpark = () => sel.cancel();
  return "park";
}
