// Random channel programs for test/runtime/chanprop.test.ts: their shape, the
// fast-check arbitrary that generates (and shrinks) them, and the guest source
// that runs one and prints its trace (the format test/runtime/chanmodel.ts reads).
import fc from "fast-check";

/** A channel index into Program.caps, or -1 for a nil channel (select cases only: never ready). */
export type ChanRef = number;
export type SelectCase = ["s", ChanRef, number] | ["r", ChanRef];
/** send c v | recv c | close c | select(cases, hasDefault) | gosched */
export type ChanOp = ["s", number, number] | ["r", number] | ["c", number] | ["x", SelectCase[], boolean] | ["y"];
export interface Program {
  /** capacity of each channel (0: unbuffered) */
  caps: number[];
  /** each goroutine's ops, run in order; every value sent (by any op) is distinct */
  goroutines: ChanOp[][];
}

const MAX_CHANS = 3;

/** Raw shapes before channel refs are folded into range and values numbered (so shrinking stays valid). */
type RawCase = { send: boolean; ch: number };
type RawOp = { k: "s" | "r" | "c"; ch: number } | { k: "x"; cases: RawCase[]; dflt: boolean } | { k: "y" };

const rawCh = fc.nat({ max: MAX_CHANS - 1 });
const rawCase: fc.Arbitrary<RawCase> = fc.record({
  send: fc.boolean(),
  ch: fc.oneof({ arbitrary: rawCh, weight: 9 }, { arbitrary: fc.constant(-1), weight: 1 }),
});
const rawOp: fc.Arbitrary<RawOp> = fc.oneof(
  { arbitrary: fc.record({ k: fc.constant("r" as const), ch: rawCh }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant("s" as const), ch: rawCh }), weight: 30 },
  { arbitrary: fc.record({ k: fc.constant("x" as const), cases: fc.array(rawCase, { minLength: 1, maxLength: 3 }), dflt: fc.boolean() }), weight: 20 },
  { arbitrary: fc.record({ k: fc.constant("c" as const), ch: rawCh }), weight: 10 },
  { arbitrary: fc.record({ k: fc.constant("y" as const) }), weight: 10 },
);

/** 1–3 channels of capacity 0–3; 1–4 goroutines of 1–6 ops each. */
export const programs: fc.Arbitrary<Program> = fc
  .tuple(
    fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: MAX_CHANS }),
    fc.array(fc.array(rawOp, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }),
  )
  .map(([caps, raw]) => {
    let value = 0;
    const ch = (c: number): number => (c < 0 ? -1 : c % caps.length);
    const op = (r: RawOp): ChanOp => {
      if (r.k === "y") return ["y"];
      if (r.k === "x") return ["x", r.cases.map((k): SelectCase => (k.send ? ["s", ch(k.ch), ++value] : ["r", ch(k.ch)])), r.dflt];
      if (r.k === "s") return ["s", ch(r.ch), ++value];
      return [r.k, ch(r.ch)];
    };
    const p: Program = { caps, goroutines: raw.map((ops) => ops.map(op)) };
    // fast-check prints a counterexample with this: the program as it runs.
    Object.defineProperty(p, fc.toStringMethod, { value: () => "\n" + source(p) });
    return p;
  });

const chanName = (c: ChanRef): string => (c < 0 ? "null" : `c${c}`);

/** One op as guest code; its value (an array, or undefined for []) is the op's result in the trace. */
function opSource(op: ChanOp): string {
  switch (op[0]) {
    case "s":
      return `${chanName(op[1])}.send(${op[2]})`;
    case "r":
      return `${chanName(op[1])}.recvOk()`;
    case "c":
      return `${chanName(op[1])}.close()`;
    case "y":
      return "gosched()";
    case "x": {
      const cases = op[1].map((k, j) =>
        k[0] === "s" ? `send(${chanName(k[1])}, ${k[2]}, () => [${j}])` : `recv(${chanName(k[1])}, (v, ok) => [${j}, v, ok])`,
      );
      if (op[2]) cases.push("otherwise(() => [-1])");
      return `select(${cases.join(", ")})`;
    }
  }
}

/**
 * The guest program. Goroutine g prints `b g i` just before its op i and
 * `e g i RESULT` after it, RESULT being JSON: [] (send, close, gosched),
 * [v, ok] (recv), [j] / [j, v, ok] (select case j sent / received), [-1]
 * (select default) or {"panic": message}. main prints "end" once all are done.
 * Nothing between a `b` line and its op can switch goroutines (println does
 * not yield; the test runs with preempt: false), which the model relies on.
 */
export function source(p: Program): string {
  const chans = p.caps.map((_, c) => `c${c}`).join(", ");
  const workers = p.goroutines.map(
    (ops, g) => `function g${g}(${chans}, wg) {\n${ops.map((op, i) => `  step(${g}, ${i}, () => ${opSource(op)})\n`).join("")}  wg.done()\n}\n`,
  );
  return `function main() {
  const [${chans}] = [${p.caps.map((c) => `chan(${c})`).join(", ")}], wg = new WaitGroup()
${p.goroutines.map((_, g) => `  wg.add(1); go(g${g}, ${chans}, wg)\n`).join("")}  wg.wait()
  println("end")
}
${workers.join("")}function step(g, i, op) {
  println("b " + g + " " + i)
  let r
  try { r = op() ?? [] } catch (e) { r = { panic: e.message } }
  println("e " + g + " " + i + " " + JSON.stringify(r))
}
`;
}
