// `npm run bench`: the stackful-vs-stackless suite. Every model runs every
// workload it implements in a child process of its own (warm-up, then `runs`
// runs: median, min–max), so one model's JIT state, heap and V8 flags (asyncify
// sets V8 flags for its tier, and runs with a bigger stack) do not reach the next. Memory per parked coroutine is
// sampled in a fresh child per sample (bench/parked.ts). Every figure is also
// a ratio to Node async/await in the report. Results go to
// bench/results/<timestamp>-node<major>.json, and docs/BENCHMARKS.md is
// regenerated from the newest result of each Node major found there.
//
//   npm run bench                  full run (~6 minutes per Node on a busy 2-core machine)
//   npm run bench -- --quick       tiny workloads: only checks every model is correct (CI)
//   npm run bench -- --node PATH   run the suite under another node binary too (e.g. Node 26 for jspi)
//   npm run bench -- --report      only regenerate docs/BENCHMARKS.md from bench/results/
//   npm run bench -- --note TEXT   a remark on the run's conditions, printed under its table
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildGo, models, Skip, type Model, type ParkedSample, type Params, type WorkloadName } from "./models.js";
import { writeReport, type Figure, type SuiteResult } from "./report.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const resultsDir = path.join(root, "bench", "results");
const argv = process.argv.slice(2);
const quick = argv.includes("--quick");
const otherNode = argv.includes("--node") ? argv[argv.indexOf("--node") + 1] : undefined;
/** Set in a child process: the one model it measures. */
const childModel = argv.includes("--model") ? argv[argv.indexOf("--model") + 1] : undefined;
const self = fileURLToPath(import.meta.url);
const parkedEntry = path.join(path.dirname(self), "parked.js");

const DEPTHS = [0, 1, 10, 100, 1000];
const params: Params = quick
  ? { rounds: 200, depth: 0, spawns: 10, primes: 30, fib: 15, ring: 10, hops: 100 }
  : { rounds: 20000, depth: 0, spawns: 300, primes: 1000, fib: 25, ring: 1000, hops: 100000 };
const runs = quick ? 1 : 3;
/** Parked coroutines per memory sample. */
const PARKED = quick ? [50] : [1000, 10000];

function log(s: string): void {
  process.stderr.write(s);
}

function summarize(samples: number[]): Figure {
  const xs = [...samples].sort((a, b) => a - b);
  return { median: xs[Math.floor(xs.length / 2)]!, min: xs[0]!, max: xs[xs.length - 1]! };
}

async function measure(run: () => Promise<number>): Promise<Figure> {
  if (!quick) await run(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await run());
  return summarize(xs);
}

type Figures = SuiteResult["figures"];
type Failures = SuiteResult["failures"];

/** In a child process: every timing workload of one model. */
async function timeModel(model: Model): Promise<{ figures: Figures; failures: Failures }> {
  const figures: Figures = {};
  const failures: Failures = [];
  const jobs: [WorkloadName, string, Params][] = [
    ["pingpong", "pingpong", params],
    ...DEPTHS.map((d): [WorkloadName, string, Params] => ["depth", `depth ${d}`, { ...params, depth: d }]),
    ["spawn", "spawn", params],
    ["ring", "ring", params],
    ["sieve", "sieve", params],
    ["fib", "fib", params],
  ];
  for (const [w, label, p] of jobs) {
    log(`${process.version} ${model.name}: ${label} … `);
    try {
      const fig = await measure(() => model.run(w, p));
      (figures[label] ??= {})[model.name] = fig;
      log(`${fig.median.toFixed(0)} ns\n`);
    } catch (e) {
      if (e instanceof Skip) {
        log("n/a\n");
        continue;
      }
      const message = (e as Error).message.split("\n")[0]!;
      failures.push({ model: model.name, workload: label, message });
      log(`FAILED: ${message}\n`);
    }
  }
  return { figures, failures };
}

/** Runs a child node (this one, with its flags and `flags`) and returns the JSON of its last stdout line. */
function child<T>(args: string[], flags: string[] = []): T {
  const r = spawnSync(process.execPath, [...process.execArgv, ...flags, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 26 });
  const last = r.stdout?.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) throw new Error(`child ${path.basename(args[0]!)} exited with ${r.status ?? r.signal}`);
  return JSON.parse(last) as T;
}

/** Memory per parked coroutine at each size: RSS delta and heap delta, one fresh process per sample. */
function parkModel(model: Model, result: SuiteResult): void {
  for (const n of PARKED) {
    log(`${process.version} ${model.name}: parked ${n} … `);
    const rss: number[] = [];
    const heap: number[] = [];
    try {
      for (let i = 0; i < runs; i++) {
        // Without the model's flags: under them asyncify tiers up, and TurboFan's
        // compile of the interpreter (tens of MB of zone memory while it runs, freed
        // after) would land between the samples: -10 KiB per coroutine at 1 000.
        const s = child<ParkedSample | { skip: string }>(["--expose-gc", parkedEntry, model.name, String(n)]);
        if ("skip" in s) throw new Skip(s.skip);
        rss.push((s.rssAfter - s.rssBefore) / n);
        heap.push((s.heapAfter - s.heapBefore) / n);
      }
    } catch (e) {
      if (e instanceof Skip) {
        log("n/a\n");
        return;
      }
      const message = (e as Error).message.split("\n")[0]!;
      result.failures.push({ model: model.name, workload: `parked ${n}`, message });
      log(`FAILED: ${message}\n`);
      continue;
    }
    (result.figures[`parked ${n} rss`] ??= {})[model.name] = summarize(rss);
    (result.figures[`parked ${n} heap`] ??= {})[model.name] = summarize(heap);
    log(`${(summarize(rss).median / 1024).toFixed(1)} KiB RSS, ${(summarize(heap).median / 1024).toFixed(1)} KiB heap per coroutine\n`);
  }
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
    ...(argv.includes("--note") ? { note: argv[argv.indexOf("--note") + 1] } : {}),
  };
  buildGo(); // once: the children find the binary through the environment
  for (const model of models()) {
    try {
      const r = child<{ figures: Figures; failures: Failures }>([self, "--model", model.name, ...(quick ? ["--quick"] : [])], model.nodeFlags);
      for (const [label, byModel] of Object.entries(r.figures)) Object.assign((result.figures[label] ??= {}), byModel);
      result.failures.push(...r.failures);
    } catch (e) {
      result.failures.push({ model: model.name, workload: "all timing workloads", message: (e as Error).message });
    }
    parkModel(model, result);
  }
  return result;
}

async function main(): Promise<void> {
  if (childModel) {
    const model = models().find((m) => m.name === childModel);
    if (!model) throw new Error(`no model named ${childModel}`);
    process.stdout.write(`${JSON.stringify(await timeModel(model))}\n`);
    return;
  }
  if (!argv.includes("--report")) {
    const result = await suite();
    fs.mkdirSync(resultsDir, { recursive: true });
    if (!quick) {
      const stamp = result.date.replace(/[:.]/g, "-");
      fs.writeFileSync(path.join(resultsDir, `${stamp}-node${process.versions.node.split(".")[0]}.json`), JSON.stringify(result, null, 2));
    }
    // A wrong answer or a crashed child is a bug; a model that cannot run a workload is a finding.
    const wrong = result.failures.filter((f) => / computed |^child /.test(f.message));
    if (result.failures.length) log(`${result.failures.length} failure(s): ${result.failures.map((f) => `${f.model} ${f.workload}`).join(", ")}\n`);
    if (quick) {
      log(wrong.length ? "bench --quick: FAILED: wrong results or a crashed child\n" : "bench --quick: every model that ran computed the right results\n");
      process.exitCode = wrong.length ? 1 : 0;
      return;
    }
    if (otherNode) {
      const r = spawnSync(otherNode, [self, ...argv.filter((a, i) => a !== "--node" && argv[i - 1] !== "--node")], {
        stdio: "inherit",
      });
      if (r.status !== 0) process.exitCode = r.status ?? 1;
    }
  }
  writeReport(resultsDir, path.join(root, "docs"));
  log("docs/BENCHMARKS.md written\n");
}

await main();
