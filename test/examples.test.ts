// Every example's output against its golden file in test/examples/.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eachBackend, run } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const golden = (name: string): string => fs.readFileSync(path.join(root, "test", "examples", `${name}.stdout`), "utf8");
const source = (name: string): string => fs.readFileSync(path.join(root, "examples", `${name}.js`), "utf8");

for (const name of ["hello", "pingpong", "primes", "workers", "select", "stackful"]) {
  eachBackend(test, `examples/${name}.js`, async (backend) => {
    const r = await run(source(name), { backend, filename: `examples/${name}.js` });
    assert.is(r.stderr, "");
    assert.is(r.code, 0);
    assert.is(r.stdout, golden(name));
  });
}

eachBackend(test, "examples/primes.js with an argument", async (backend) => {
  const r = await run(source("primes"), { backend, args: ["1000"] });
  const primes = r.stdout.trim().split(" ").map(Number);
  assert.is(primes.length, 1000);
  assert.is(primes[999], 7919);
});

eachBackend(test, "examples/deadlock.js reports the deadlock and exits 2", async (backend) => {
  const r = await run(source("deadlock"), { backend, filename: "examples/deadlock.js" });
  assert.is(r.code, 2);
  assert.is(r.stdout, golden("deadlock"));
  assert.is(
    r.stderr,
    "fatal error: all goroutines are asleep - deadlock!\n\n" +
      "goroutine 1 [chan receive]:\nmain(...)\n\texamples/deadlock.js:12:9\n\n" +
      "goroutine 2 [chan receive]:\nwaiter(...)\n\texamples/deadlock.js:4:10\n",
  );
});

test.run();
