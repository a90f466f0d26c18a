// `npm run bench`: the stackful-vs-stackless suite. Every model runs every
// workload it implements, in this process (warm-up, then `runs` runs: median,
// min–max), every figure also as a ratio to Node async/await. Results go to
// bench/results/<timestamp>-node<major>.json, and docs/BENCHMARKS.md is
// regenerated from the newest result of each Node major found there.
//
//   npm run bench                  full run (a few minutes)
//   npm run bench -- --quick       tiny workloads: only checks every model is correct (CI)
//   npm run bench -- --node PATH   run the suite under another node binary too (e.g. Node 26 for jspi)
//   npm run bench -- --report      only regenerate docs/BENCHMARKS.md from bench/results/
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { models, Skip, type Params, type WorkloadName } from "./models.js";
import { writeReport, type Figure, type SuiteResult } from "./report.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const resultsDir = path.join(root, "bench", "results");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const otherNode = argv.includes("--node") ? argv[argv.indexOf("--node") + 1] : undefined;

const DEPTHS = [0, 1, 10, 100, 1000];
const params: Params = quick
  ? { rounds: 200, depth: 0, spawns: 10, primes: 30, fib: 15 }
  : { rounds: 20000, depth: 0, spawns: 300, primes: 1000, fib: 25 };
const runs = quick ? 1 : 3;

function log(s: string): void {
  process.stderr.write(s);
}

async function measure(run: () => Promise<number>): Promise<Figure> {
  if (!quick) await run(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await run());
  xs.sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, max: xs[xs.length - 1]! };
}

async function suite(): Promise<SuiteResult> {
  const result: SuiteResult = {
    date: new Date().toISOString(),
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    quick,
    params,
    figures: {},
    failures: [],
  };
  const jobs: [WorkloadName, string, Params][] = [
    ["pingpong", "pingpong", params],
    ...DEPTHS.map((d): [WorkloadName, string, Params] => ["depth", `depth ${d}`, { ...params, depth: d }]),
    ["spawn", "spawn", params],
    ["sieve", "sieve", params],
    ["fib", "fib", params],
  ];
  for (const model of models()) {
    for (const [w, label, p] of jobs) {
      log(`${result.node} ${model.name}: ${label} … `);
      try {
        const fig = await measure(() => model.run(w, p));
        (result.figures[label] ??= {})[model.name] = fig;
        log(`${fig.median.toFixed(0)} ns\n`);
      } catch (e) {
        if (e instanceof Skip) {
          log("n/a\n");
          continue;
        }
        const message = (e as Error).message.split("\n")[0]!;
        result.failures.push({ model: model.name, workload: label, message });
        log(`FAILED: ${message}\n`);
      }
    }
  }
  return result;
}

async function main(): Promise<void> {
  if (!argv.includes("--report")) {
    const result = await suite();
    fs.mkdirSync(resultsDir, { recursive: true });
    if (!quick) {
      const stamp = result.date.replace(/[:.]/g, "-");
      fs.writeFileSync(path.join(resultsDir, `${stamp}-node${process.versions.node.split(".")[0]}.json`), JSON.stringify(result, null, 2));
    }
    const wrong = result.failures.filter((f) => / computed /.test(f.message));
    if (result.failures.length) log(`${result.failures.length} failure(s): ${result.failures.map((f) => `${f.model} ${f.workload}`).join(", ")}\n`);
    if (quick) {
      // A model that cannot run a workload at all (e.g. a stack overflow) is a finding, not a bug;
      // a wrong answer is a bug.
      log(wrong.length ? "bench --quick: FAILED: wrong results\n" : "bench --quick: every model that ran computed the right results\n");
      process.exitCode = wrong.length ? 1 : 0;
      return;
    }
    if (otherNode) {
      const r = spawnSync(otherNode, [fileURLToPath(import.meta.url), ...argv.filter((a, i) => a !== "--node" && argv[i - 1] !== "--node")], {
        stdio: "inherit",
      });
      if (r.status !== 0) process.exitCode = r.status ?? 1;
    }
  }
  writeReport(resultsDir, path.join(root, "docs"));
  log("docs/BENCHMARKS.md written\n");
}

await main();
