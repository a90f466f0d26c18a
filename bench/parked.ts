// Child process of the suite (bench/run.ts) for the memory workload: parks n
// coroutines of one model and prints the memory samples as one JSON line.
// A fresh process per sample, so no other model's heap, JIT code or wasm
// instance is in its RSS; run with --expose-gc so samples hold live objects only.
//
//   node --expose-gc dist/bench/parked.js <model name> <n>
//   → {"n":1000,"rssBefore":…,"rssAfter":…,"heapBefore":…,"heapAfter":…}  or  {"skip":"why"}
import { models, Skip } from "./models.js";

const [name, count] = process.argv.slice(2);
const model = models().find((m) => m.name === name);
if (!model || !(Number(count) > 0)) {
  process.stderr.write(`usage: parked.js <${models().map((m) => m.name).join(" | ")}> <n>\n`);
  process.exit(1);
}
try {
  // A first, small pass compiles and tiers up the code that parking runs
  // (V8 compiles wasm lazily), so that code is not counted as coroutines' memory.
  await model.park(Math.min(Number(count), 100));
  process.stdout.write(`${JSON.stringify(await model.park(Number(count)))}\n`);
} catch (e) {
  if (!(e instanceof Skip)) throw e;
  process.stdout.write(`${JSON.stringify({ skip: e.message })}\n`);
}
