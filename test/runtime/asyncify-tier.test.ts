// asyncify-tier.ts: asyncify runs under TurboFan only in a Node whose stack
// has room for TurboFan's frames, and the quickgo command starts such a Node.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { asyncifyNodeFlags, asyncifyTier, OS_STACK_SLACK_KB, asyncifyV8Flags, osStackKb, stackLimitKb, stackSizeFlagKb, TURBOFAN_STACK_KB } from "../../runtime/engine/asyncify-tier.js";
import { missingNodeFlags } from "../../src/backend.js";
import { overflowOf, SHAPES } from "./stack-shapes.js";

test("the --stack-size on Node's command line is read in every form V8 takes, the last one winning", () => {
  assert.is(stackSizeFlagKb([]), undefined);
  assert.is(stackSizeFlagKb(["--expose-gc"]), undefined);
  assert.is(stackSizeFlagKb(["--stack-size=6144"]), 6144);
  assert.is(stackSizeFlagKb(["--stack_size=300"]), 300);
  assert.is(stackSizeFlagKb(["--stack-size", "700", "--inspect"]), 700);
  assert.is(stackSizeFlagKb(["--stack-size=100", "--stack-size=9000"]), 9000);
  assert.is(stackSizeFlagKb(["--stack-size-limit=5"]), undefined);
});

test("TurboFan only with a stack of TURBOFAN_STACK_KB or more, unless QUICKGO_WASM_TIERUP says otherwise", () => {
  const big = [`--stack-size=${TURBOFAN_STACK_KB}`];
  assert.is(asyncifyTier({}, []).tier, "liftoff");
  assert.is(asyncifyTier({}, [`--stack-size=${TURBOFAN_STACK_KB - 1}`]).tier, "liftoff");
  assert.is(asyncifyTier({}, big).tier, "turbofan");
  assert.is(asyncifyTier({ QUICKGO_WASM_TIERUP: "0" }, big).tier, "liftoff");
  assert.is(asyncifyTier({ QUICKGO_WASM_TIERUP: "1" }, []).tier, "turbofan");
  assert.match(asyncifyTier({}, ["--stack-size=984"]).why, "--stack-size=984 < ");
});

test("Liftoff turns tier-up off; TurboFan on V8 11 takes later V8s' register allocator and tier-up budget", () => {
  assert.equal(asyncifyV8Flags("liftoff", "11.3.244.8"), ["--liftoff-only", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering"]);
  assert.equal(asyncifyV8Flags("turbofan", "11.3.244.8-node.38"), ["--no-turbo-use-mid-tier-regalloc-for-huge-functions", "--wasm-tiering-budget=13000000"]);
  assert.equal(asyncifyV8Flags("turbofan", "12.4.254.21-node.57"), []);
  assert.equal(asyncifyV8Flags("turbofan", "14.6.202.34-node.34"), []);
});

test("the OS's stack limit is read from /proc/self/limits", () => {
  const limits = (soft: string): string =>
    `Limit                     Soft Limit           Hard Limit           Units     \nMax file size             unlimited            unlimited            bytes     \nMax stack size            ${soft}              unlimited            bytes     \n`;
  assert.is(stackLimitKb(limits("8388608")), 8192);
  assert.is(stackLimitKb(limits("unlimited")), Infinity);
  assert.is(stackLimitKb("Max file size  unlimited  unlimited  bytes\n"), undefined);
  if (process.platform === "linux") assert.is(osStackKb(), stackLimitKb(fs.readFileSync("/proc/self/limits", "utf8")));
});

test("the quickgo command adds the stack asyncify needs where the OS has room for it, and keeps a --stack-size the user gave", () => {
  const os = osStackKb();
  const expected = os !== undefined && os >= TURBOFAN_STACK_KB + OS_STACK_SLACK_KB ? [`--stack-size=${TURBOFAN_STACK_KB}`] : [];
  assert.equal(asyncifyNodeFlags({}), expected);
  assert.equal(asyncifyNodeFlags({ QUICKGO_WASM_TIERUP: "0" }), []);
  assert.equal(missingNodeFlags("asyncify"), stackSizeFlagKb() === undefined ? expected : []);
});

// The worst case of the TurboFan tier: `--no-liftoff` compiles every function
// with TurboFan before it runs, and the quickgo command adds its stack. Every
// recursion shape must still reach QuickJS's own, catchable limit first.
test("under TurboFan with the quickgo command's stack, every recursion shape is a catchable overflow", async () => {
  const flags = asyncifyNodeFlags({});
  assert.ok(flags.length > 0, "this machine's OS stack has no room for TurboFan's (the CI machines do)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-tier-"));
  const names = Object.keys(SHAPES);
  const program = names
    .map((name, i) => SHAPES[name]!.replaceAll(/\bf\b/g, `f${i}`).replaceAll(/\bF\b/g, `F${i}`).replaceAll(/\bgen\b/g, `gen${i}`))
    .join("\n");
  const file = path.join(dir, "shapes.js");
  fs.writeFileSync(
    file,
    `${program}
     const fs = [${names.map((_, i) => `f${i}`).join(", ")}]
     function main() {
       for (const f of fs) { try { f(0); println("returned") } catch (e) { println(String(e)) } }
     }`,
  );
  const out = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, ["--no-liftoff", ...flags, path.resolve("bin/quickgo.js"), "run", "--backend", "asyncify", file], (err, stdout, stderr) =>
      err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
  fs.rmSync(dir, { recursive: true });
  const lines = out.trim().split("\n");
  assert.is(lines.length, names.length, out);
  names.forEach((name, i) => assert.match(lines[i]!, overflowOf(name), name));
});

test.run();
