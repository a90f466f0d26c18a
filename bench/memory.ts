// Memory per goroutine: N goroutines parked at once (wasm heap and RSS per G),
// and N spawn/exit cycles one after another (the heap must not grow: finished
// goroutines' runtimes are freed).
//
//   node dist/bench/memory.js [--parked 3000] [--cycles 20000]
import { Runtime } from "../src/runtime.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const MiB = 2 ** 20;

const parkedProgram = (n: number): string => `
  function parked(ch) { ch.recv() }
  function main() { const ch = chan(); for (let i = 0; i < ${n}; i++) go(parked, ch); gosched(); sleep(10); println(numGoroutine()) }`;

const cyclesProgram = (n: number): string => `
  function child(done) { const junk = new Array(1000).fill("x"); done.send(junk.length) }
  function main() { const done = chan(); for (let i = 0; i < ${n}; i++) { go(child, done); done.recv() } println(${n}) }`;

async function measure(label: string, source: string, per: number): Promise<void> {
  let out = "";
  const rss0 = process.memoryUsage().rss;
  const rt = await Runtime.create({ stdout: (s) => void (out += s) });
  const t0 = performance.now();
  const status = await rt.run(source, { filename: "memory.js" });
  const ms = performance.now() - t0;
  const heap = status.stats.wasmMemoryBytes;
  const rss = process.memoryUsage().rss;
  console.log(
    `${process.version} ${rt.backend} ${label}: wasm heap ${(heap / MiB).toFixed(0)} MiB in ${status.stats.instances} instance(s)` +
      ` (${((heap / per) / 1024).toFixed(0)} KiB per goroutine), RSS ${(rss0 / MiB).toFixed(0)} → ${(rss / MiB).toFixed(0)} MiB, ${(ms / per).toFixed(2)} ms per goroutine` +
      ` [guest printed ${out.trim()}]`,
  );
}

const parked = flag("--parked", 3000);
const cycles = flag("--cycles", 20000);
if (parked > 0) await measure(`${parked} parked goroutines`, parkedProgram(parked), parked);
if (cycles > 0) await measure(`${cycles} spawn/exit cycles`, cyclesProgram(cycles), cycles);
