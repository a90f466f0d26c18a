// examples/gobyexample/*.js against their golden output in test/examples/gobyexample/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eachBackend, run } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const dir = path.join(root, "examples", "gobyexample");
const goldenDir = path.join(root, "test", "examples", "gobyexample");

/** In Go by Example's order of the concurrency chapters, then the extra patterns. */
const examples = [
  "goroutines", "channels", "channel-buffering", "channel-synchronization", "channel-directions", "select",
  "timeouts", "non-blocking-channel-operations", "closing-channels", "range-over-channels", "timers", "tickers",
  "worker-pools", "waitgroups", "rate-limiting", "atomic-counters", "mutexes", "stateful-goroutines", "context",
  "pipelines", "fan-in-fan-out", "bounded-parallelism", "errgroup",
];
/**
 * Examples whose line order depends on timing (as in Go): compared as sorted
 * lines, after this normalization (worker-pools: which worker takes which job varies too).
 */
const unordered = new Map<string, (line: string) => string>([
  ["worker-pools", (l) => l.replace(/^worker \d/, "worker N")],
  ["waitgroups", (l) => l],
  ["goroutines", (l) => l],
]);

test("every example in examples/gobyexample is listed, has a golden file, and starts with a two-line comment", () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => f.slice(0, -3));
  assert.equal(files.sort(), [...examples].sort());
  for (const name of examples) {
    assert.ok(fs.existsSync(path.join(goldenDir, `${name}.stdout`)), `${name}.stdout`);
    const [l1, l2] = fs.readFileSync(path.join(dir, `${name}.js`), "utf8").split("\n");
    assert.ok(l1!.startsWith("// ") && l2!.startsWith("// "), `${name}.js starts with a two-line comment`);
  }
});

const lines = (s: string, normalize: (line: string) => string): string[] => s.split("\n").map(normalize).sort();

for (const name of examples) {
  eachBackend(test, `examples/gobyexample/${name}.js`, async (backend) => {
    const file = `examples/gobyexample/${name}.js`;
    const r = await run(fs.readFileSync(path.join(root, file), "utf8"), { backend, filename: file });
    assert.is(r.stderr, "");
    assert.is(r.code, 0);
    const golden = fs.readFileSync(path.join(goldenDir, `${name}.stdout`), "utf8");
    const normalize = unordered.get(name);
    if (normalize) assert.equal(lines(r.stdout, normalize), lines(golden, normalize));
    else assert.is(r.stdout, golden);
  });
}

eachBackend(test, "worker-pools: each job is started before it is finished, by the same worker", async (backend) => {
  const file = "examples/gobyexample/worker-pools.js";
  const r = await run(fs.readFileSync(path.join(root, file), "utf8"), { backend, filename: file });
  const out = r.stdout.trim().split("\n");
  for (let j = 1; j <= 5; j++) {
    const started = out.findIndex((l) => new RegExp(`started  job ${j}$`).test(l));
    const finished = out.findIndex((l) => new RegExp(`finished job ${j}$`).test(l));
    assert.ok(started >= 0 && started < finished, `job ${j}`);
    assert.is(out[started]!.split(" ")[1], out[finished]!.split(" ")[1]);
  }
});

test.run();
