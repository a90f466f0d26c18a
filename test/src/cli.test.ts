import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hasJspi } from "../../runtime/engine/jspi.js";
import { jspiNeedsFlag } from "../../src/backend.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const bin = path.join(root, "bin", "quickgo.js");
const quickgo = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: root });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-cli-"));
const write = (name: string, text: string): string => {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, text);
  return f;
};

test("--help and --version", () => {
  const h = quickgo("--help");
  assert.is(h.status, 0);
  assert.match(h.stdout, /quickgo run \[flags\] <file\.js> \[args\.\.\.\]/);
  const v = quickgo("--version");
  assert.is(v.status, 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };
  assert.ok(v.stdout.startsWith(`quickgo ${pkg.version} `), v.stdout);
});

test("run passes args to the guest", () => {
  const r = quickgo("run", "examples/primes.js", "10");
  assert.is(r.stderr, "");
  assert.is(r.status, 0);
  assert.is(r.stdout, "2 3 5 7 11 13 17 19 23 29\n");
});

test("missing file: clear message, exit 1", () => {
  const r = quickgo("run", "no/such/file.js");
  assert.is(r.status, 1);
  assert.is(r.stderr, "quickgo: run: open no/such/file.js: no such file or directory\n");
});

test("syntax error: file:line:col and the message, exit 1", () => {
  const f = write("bad.js", "function main() {\n  let x = ;\n}\n");
  const r = quickgo("run", f);
  assert.is(r.status, 1);
  assert.match(r.stderr, new RegExp(`^${f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2:11: SyntaxError: Unexpected token`));
});

test("panic exits 2 with the panic report on stderr", () => {
  const f = write("panic.js", "function main() {\n  throw new Error('oops')\n}\n");
  const r = quickgo("run", f);
  assert.is(r.status, 2);
  assert.match(r.stderr, /^panic: oops\n\ngoroutine 1 \[running\]:\nmain\(\.\.\.\)\n\t.*panic\.js:2:\d+\n$/);
});

test("--max-goroutine-memory sets each goroutine's heap limit (Go's size units); bad sizes are usage errors", () => {
  const f = write("hog.js", 'function main() {\n  const a = []\n  try { for (;;) a.push("x".repeat(1 << 20)) } catch (e) { println(a.length) }\n}\n');
  const small = quickgo("run", "--max-goroutine-memory", "8MiB", f);
  assert.is(small.status, 0, small.stderr);
  const dflt = quickgo("run", f);
  assert.is(dflt.status, 0, dflt.stderr);
  const big = quickgo("run", "--max-goroutine-memory=100663296", f); // 96 MiB in bytes
  assert.is(big.status, 0, big.stderr);
  // 1 MiB strings held: about 7 under 8 MiB, 63 under the default 64 MiB, 95 under 96 MiB.
  assert.equal([small, dflt, big].map((r) => Math.round(Number(r.stdout) / 8)), [1, 8, 12]);
  for (const bad of ["lots", "-1", "4GiB", "12MB"]) {
    const r = quickgo("run", "--max-goroutine-memory", bad, f);
    assert.is(r.status, 1, bad);
    assert.match(r.stderr, /--max-goroutine-memory: ".*" is not a size/);
  }
});

test("unknown command and bad flags are usage errors", () => {
  assert.is(quickgo("frobnicate").status, 1);
  assert.is(quickgo("run", "--backend", "fibers", "examples/hello.js").status, 1);
  assert.is(quickgo("run", "--timeslice", "-3", "examples/hello.js").status, 1);
});

test("SIGQUIT prints every goroutine's stack and exits 2, like Go", async () => {
  const f = write("quit.js", "function spin() { for (;;) {} }\nfunction waiter(ch) { ch.recv() }\nfunction main() {\n  go(spin)\n  go(waiter, chan())\n  sleep(60000)\n}\n");
  const child = spawn(process.execPath, [bin, "run", f], { cwd: root });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  await new Promise((r) => setTimeout(r, 1500));
  child.kill("SIGQUIT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.is(code, 2);
  assert.match(stderr, /^SIGQUIT: quit\n\ngoroutine 1 \[sleep\]:\nmain\(\.\.\.\)\n\t.*quit\.js:6:\d+\n\ngoroutine 2 \[runnable\]:\nspin\(\.\.\.\)\n\t.*quit\.js:1:\d+\n\ngoroutine 3 \[chan receive\]:\nwaiter/);
});

// A terminal sends Ctrl-C to the whole foreground process group: where the
// command has started itself again (asyncify's stack, Node 20/22 jspi's flag),
// the program gets the terminal's SIGINT and its parent's copy, and must stop
// once, as for one. The dump is printed once, and the exit is the shell's 130.
test("Ctrl-C (SIGINT to the process group) stops the program once, with the exit status 130", async () => {
  const f = write("int.js", "function main() {\n  println('up')\n  sleep(60000)\n}\n");
  const child = spawn(process.execPath, [bin, "run", f], { cwd: root, detached: true });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d));
  await new Promise<void>((r) => child.stdout.once("data", () => r()));
  process.kill(-child.pid!, "SIGINT");
  const code = await new Promise<number | null>((r) => child.on("exit", (c) => r(c)));
  assert.is(code, 130);
  assert.is(stderr.split("SIGINT: interrupt").length - 1, 1, stderr);
  assert.match(stderr, /^SIGINT: interrupt\n\ngoroutine 1 \[sleep\]:\nmain/);
});

// Node 24+ runs jspi as it is; Node 20 and 22 only with V8's flag on Node's
// command line, so there `quickgo run --backend jspi` runs itself again with it.
if (hasJspi() || jspiNeedsFlag()) {
  test("run --backend jspi: the program runs, a panic exits 2, SIGTERM ends it (Node 20/22: relaunched with V8's JSPI flag)", async () => {
    const ok = quickgo("run", "--backend", "jspi", "examples/primes.js", "10");
    assert.is(ok.stderr, "");
    assert.is(ok.status, 0);
    assert.is(ok.stdout, quickgo("run", "--backend", "asyncify", "examples/primes.js", "10").stdout);
    assert.match(ok.stdout, /^2 3 5 7 11 13 17 19 23 29\b/);
    const p = quickgo("run", "--backend", "jspi", write("panic-jspi.js", "function main() {\n  throw new Error(\"boom\")\n}\n"));
    assert.is(p.status, 2);
    assert.match(p.stderr, /^panic: boom\n\ngoroutine 1 \[running\]:/);
    const child = spawn(process.execPath, [bin, "run", "--backend", "jspi", write("sleep-jspi.js", "function main() { println('up'); sleep(60000) }\n")], { cwd: root });
    await new Promise<void>((r) => child.stdout.once("data", () => r()));
    child.kill("SIGTERM");
    const [code, signal] = await new Promise<[number | null, string | null]>((r) => child.on("exit", (c, s) => r([c, s])));
    assert.equal([code, signal], [null, "SIGTERM"]);
  });
}

test.run();
