// The TypeScript host examples in examples/host/ run (compiled by the
// project's tsc into dist/examples/host/) and print what they should.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { childNodeFlags, eachBackend } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const example = (backend: string, name: string, ...args: string[]) =>
  spawnSync(process.execPath, [...childNodeFlags, path.join(root, "dist", "examples", "host", `${name}.js`), ...args], {
    encoding: "utf8",
    env: { ...process.env, QUICKGO_BACKEND: backend },
  });

eachBackend(test, "examples/host/fanout.ts: work fanned out to goroutines, results collected with for await", async (backend) => {
  const r = example(backend, "fanout", "4", "100");
  assert.is(r.stderr, "");
  assert.is(r.status, 0);
  assert.is(
    r.stdout,
    "25 primes up to 100: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97\n100 jobs done\n",
  );
});

eachBackend(test, "examples/host/sandbox.ts: untrusted programs under a time slice, limits and a deadline", async (backend) => {
  const r = example(backend, "sandbox");
  assert.is(r.stderr, "");
  assert.is(r.status, 0);
  assert.is(
    r.stdout,
    'polite.js: exit 0, ok, printed "sum 500500\\n"\n' +
      'spinner.js: exit 2, deadline, printed "spinning\\n"\n' +
      "bomb.js: exit 2, panic: go: too many goroutines (the limit is 100)\n",
  );
});

test.run();
