// Preemption benchmark (issue 3): the cost of preemption on CPU-bound guests
// (interrupt poll on vs off), and how long a ready goroutine waits with 1, 10
// and 50 spinning goroutines (wake-up latency p50/p99), with the switches and
// preemptions per second of that run.
//
//   node dist/bench/preemption.js [--backend asyncify|jspi] [--runs 5] [--save]
// --save also writes the tables to bench/results/preemption-node<major>.md for the report.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { availableBackends, type Backend } from "../src/backend.js";
import { Runtime } from "../src/runtime.js";
import { args, flag } from "./args.js";

const backends: Backend[] = args.includes("--backend") ? [flag("--backend", "asyncify") as Backend] : availableBackends();
const runs = Number(flag("--runs", "5"));

const cpuBound: Record<string, string> = {
  "fib(27)": `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }
    function main() { const t = now(); const r = fib(27); println(now() - t, r) }`,
  "sort 200 000": `function main() { const a = []; for (let i = 0; i < 200000; i++) a.push((i * 7919) % 100003)
    const t = now(); a.sort((x, y) => x - y); println(now() - t, a[5]) }`,
};

const latencyProgram = (spinners: number): string => `
  function spin() { for (;;) {} }
  function main() {
    for (let i = 0; i < ${spinners}; i++) go(spin)
    const delays = []
    const until = now() + 2000
    while (now() < until) { const t = now(); sleep(2); delays.push(now() - t - 2) }
    delays.sort((a, b) => a - b)
    const q = (p) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]
    println(q(0.5), q(0.99), delays.length)
  }`;

async function runGuest(backend: Backend, source: string, preempt = true): Promise<{ out: string; ms: number; switches: number; preemptions: number }> {
  let out = "";
  const rt = await Runtime.create({ backend, preempt, stdout: (s) => void (out += s) });
  const t0 = performance.now();
  const status = await rt.run(source, { filename: "bench.js" });
  if (status.code !== 0) throw new Error(`guest failed with status ${status.code}`);
  return { out, ms: performance.now() - t0, switches: status.stats.switches, preemptions: status.stats.preemptions };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`# Preemption — ${process.version}, ${runs} runs, median\n`);
  for (const backend of backends) {
    console.log(`## ${backend}\n\n| CPU-bound guest | preemption off | on | overhead |\n|---|---|---|---|`);
    for (const [name, src] of Object.entries(cpuBound)) {
      const off: number[] = [];
      const on: number[] = [];
      for (let i = 0; i < runs; i++) {
        off.push(Number((await runGuest(backend, src, false)).out.split(" ")[0]));
        on.push(Number((await runGuest(backend, src, true)).out.split(" ")[0]));
      }
      const a = median(off);
      const b = median(on);
      console.log(`| ${name} | ${a.toFixed(1)} ms | ${b.toFixed(1)} ms | ${((b / a - 1) * 100).toFixed(1)}% |`);
    }
    console.log(`\n| spinners | wake-up delay p50 | p99 | switches/s | preemptions/s |\n|---|---|---|---|---|`);
    for (const n of [1, 10, 50]) {
      const r = await runGuest(backend, latencyProgram(n));
      const [p50, p99] = r.out.split(" ").map(Number);
      const perSec = (k: number): string => Math.round((k * 1000) / r.ms).toLocaleString("en-US");
      console.log(`| ${n} | ${p50!.toFixed(2)} ms | ${p99!.toFixed(2)} ms | ${perSec(r.switches)} | ${perSec(r.preemptions)} |`);
    }
    console.log("");
  }
}

const lines: string[] = [];
const print = console.log;
console.log = (...a: unknown[]): void => {
  lines.push(a.join(" "));
  print(...a);
};
await main();
if (args.includes("--save")) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench/results");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `preemption-node${process.versions.node.split(".")[0]}.md`), lines.join("\n") + "\n");
}
