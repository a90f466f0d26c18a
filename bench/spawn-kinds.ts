// CPU per goroutine for the common ways a short-lived goroutine starts and
// reports back: what a spawn costs once its value has to cross a channel.
// Measured with process.cpuUsage (not wall time: less sensitive to a shared
// machine), median of --rounds rounds of --n goroutines, after a warm-up.
//
//   node dist/bench/spawn-kinds.js [--n 300] [--rounds 5]
import { Runtime } from "../src/runtime.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const n = flag("--n", 300);
const rounds = flag("--rounds", 5);

/** A program in which each of `count` goroutines sends `value` (guest source) to main. */
const sends = (value: string) => (count: number): string =>
  `function main() { const c = chan(); for (let i = 0; i < ${count}; i++) { go(() => c.send(${value})); c.recv() } }`;

const kinds: [string, (count: number) => string][] = [
  ["sends a number", sends("i")],
  ["sends a plain object (JSON, no codec)", sends(`{ id: i, v: 1, tags: ["x"] }`)],
  ["sends an object the codec copies (-0 inside)", sends(`{ id: i, v: -0, tags: ["x"] }`)],
];

const rt = await Runtime.create({ stdout: () => {} });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function cpuPerGoroutine(run: (count: number) => Promise<void>): Promise<number> {
  await run(Math.min(n, 30)); // warm-up
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    await run(n);
    const c = process.cpuUsage(c0);
    samples.push((c.user + c.system) / n);
  }
  return median(samples);
}

console.log(`# CPU per goroutine — ${process.version}, ${rt.backend}, median of ${rounds} × ${n}\n`);
console.log("| goroutine | CPU per goroutine (spawn, run, exit) |\n|---|---|");
for (const [label, program] of kinds) {
  const us = await cpuPerGoroutine(async (count) => void (await rt.run(program(count))));
  console.log(`| ${label} | ${(us / 1000).toFixed(2)} ms |`);
}
// Started by the host (rt.go) with a number and a channel: arguments in guest.js's fast forms.
const done = rt.chan<number>(n);
const src = `function work(i, done) { done.send(i) }`;
const hostUs = await cpuPerGoroutine(async (count) => {
  for (let i = 0; i < count; i++) rt.go(src, "work", i, done);
  for (let i = 0; i < count; i++) await done.recv();
});
console.log(`| started by the host, rt.go(src, "work", i, channel) | ${(hostUs / 1000).toFixed(2)} ms |`);
await rt.shutdown();
