// How a switch's cost grows with the number of goroutines a program cycles
// through (issue 4's 1000-connection case, without sockets): the suite's
// channel ring (bench/models.ts) at several sizes, per hop, for each model
// that runs it. Each quickgo goroutine has its own QuickJS context, so a hop
// touches memory the previous N - 1 hops did not: its bytecode, objects and
// shapes, its stack. Async/await and Go keep a coroutine in a few hundred
// bytes. The ratio is to the same model's smallest ring, in the same run.
//
//   node dist/bench/ring-size.js [--sizes 2,16,100,300,1000,3000] [--hops 100000] [--runs 3]
import { models, Skip, type Params } from "./models.js";
import { flag, median } from "./args.js";

const sizes = flag("--sizes", "2,16,100,300,1000,3000").split(",").map(Number);
const hops = Number(flag("--hops", "100000"));
const runs = Math.max(1, Number(flag("--runs", "3")));

/** The ring uses only `ring` and `hops`; the rest are the suite's defaults, unused here. */
const base: Params = { rounds: 0, depth: 0, spawns: 0, primes: 0, fib: 0, ring: 2, hops };

const fmt = (ns: number): string => (ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

async function main(): Promise<void> {
  console.log(`# Ring size — ${process.version}, ns per hop, median of ${runs} (× the same model's ring of ${sizes[0]})\n`);
  console.log(`| model | ${sizes.map((n) => `${n} goroutines`).join(" | ")} |`);
  console.log(`|---|${sizes.map(() => "---:").join("|")}|`);
  for (const model of models()) {
    const cells: string[] = [];
    let first = 0;
    try {
      await model.run("ring", { ...base, ring: sizes[0]! }); // warm-up: compiled code and a started runtime, as in the later runs
      for (const n of sizes) {
        const xs: number[] = [];
        for (let r = 0; r < runs; r++) xs.push(await model.run("ring", { ...base, ring: n }));
        const ns = median(xs);
        first ||= ns;
        cells.push(`${fmt(ns)} ${(ns / first).toFixed(1)}×`);
      }
    } catch (e) {
      if (!(e instanceof Skip)) throw e;
      continue;
    }
    console.log(`| ${model.name} | ${cells.join(" | ")} |`);
  }
}

await main();
