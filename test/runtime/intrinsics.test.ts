// Lazy built-ins (runtime/engine/intrinsics.ts): a goroutine's context starts
// without Date, Proxy, the Map/Set family and the typed arrays, and gets each
// group when the program first names one of its globals. A program must not
// be able to tell, but for the global's property descriptor before that.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { QuickJSWasm } from "../../runtime/engine/quickjs.js";
import { LAZY_INTRINSICS } from "../../runtime/engine/intrinsics.js";
import { eachBackend, run } from "../helpers.js";

const ALL_LAZY = LAZY_INTRINSICS.flatMap((g) => g.globals);

async function output(src: string, backend: Parameters<typeof run>[1]["backend"]): Promise<string> {
  const r = await run(src, { backend });
  assert.is(r.code, 0, r.stderr);
  return r.stdout;
}

// Top-level code runs in every goroutine's context during its setup, where the
// runtime is off limits; naming a lazy built-in there must still work.
eachBackend(test, "top-level code may use every lazy built-in: Map, Set, WeakMap, Date, Proxy, the typed arrays", async (backend) => {
  const out = await output(
    `const cache = new Map([[1, "one"]]);
     const seen = new Set([1, 1, 2]);
     const weak = new WeakMap();
     const bytes = new Uint8Array([7, 8]);
     const epoch = new Date(0).getUTCFullYear();
     const p = new Proxy({}, { get: () => "trapped" });
     function main() {
       println(cache.get(1), seen.size, weak instanceof WeakMap, bytes[1], epoch, p.x);
       const done = chan();
       go(() => { println("goroutine", cache.size, bytes.length); done.send(1) });
       done.recv();
     }`,
    backend,
  );
  assert.is(out, "one 2 true 8 1970 trapped\ngoroutine 1 2\n");
});

eachBackend(test, "a goroutine starts without the lazy groups and gets each on first use", async (backend) => {
  const out = await output(
    `function main() {
      const accessor = (n) => typeof Object.getOwnPropertyDescriptor(globalThis, n).get === "function";
      println(${JSON.stringify(ALL_LAZY)}.every(accessor));
      const m = new Map([[1, "one"]]);
      println(m.get(1), m instanceof Map, accessor("Set"), accessor("Date"), new Set([1, 1, 2]).size);
      println(typeof Object.getOwnPropertyDescriptor(globalThis, "WeakMap").value);
    }`,
    backend,
  );
  assert.is(out, "true\none true false true 2\nfunction\n");
});

eachBackend(test, "every lazy global is the real built-in once named", async (backend) => {
  const out = await output(
    `function main() {
      const names = ${JSON.stringify(ALL_LAZY)};
      const bad = names.filter((n) => typeof globalThis[n] !== "function" || globalThis[n].name !== n);
      println(bad.join(",") || "ok");
      println(new Date(0).toISOString(), new Proxy({}, { get: () => 7 }).x, new WeakSet().has({}));
      const u = new Uint8Array([1, 2, 3]);
      println(u.buffer instanceof ArrayBuffer, u.buffer.byteLength, new DataView(u.buffer).getUint8(2), Object.prototype.toString.call(u));
      const d = Object.getOwnPropertyDescriptor(globalThis, "Uint8Array");
      println(d.writable, d.enumerable, d.configurable, Object.keys(globalThis).some((k) => names.includes(k)));
    }`,
    backend,
  );
  assert.is(out, "ok\n1970-01-01T00:00:00.000Z 7 false\ntrue 3 3 [object Uint8Array]\ntrue false true false\n");
});

eachBackend(test, "globals the program replaced or deleted stay so when their group is added", async (backend) => {
  const out = await output(
    `function main() {
      globalThis.Set = "mine";
      delete globalThis.WeakMap;
      Float64Array = 42;
      println(new Map().size, Set, typeof WeakMap, typeof WeakSet);
      println(typeof Int8Array, Float64Array);
    }`,
    backend,
  );
  assert.is(out, "0 mine undefined function\nfunction 42\n");
});

eachBackend(test, "values of lazy classes cross channels between goroutines", async (backend) => {
  const out = await output(
    `function main() {
      const c = chan(1);
      go(() => c.send({ when: new Date(86400000), seen: new Set(["a"]), bytes: new Uint8Array([9, 8]) }));
      const v = c.recv();
      println(v.when.toISOString().slice(0, 10), v.seen.has("a"), v.bytes[1], v.bytes instanceof Uint8Array);
    }`,
    backend,
  );
  assert.is(out, "1970-01-02 true 8 true\n");
});

eachBackend(test, "the prelude keeps no debug info (source, lines); the program's functions do", async (backend) => {
  const out = await output(
    `function mine(a) { return a + 1 }
    function main() {
      println(String(chan).includes("[native code]"), String(mine));
      try { chan(-1) } catch (e) { println(e.stack.split("\\n").map((l) => l.trim()).slice(0, 2).join(" | ")) }
    }`,
    backend,
  );
  assert.is(out, "true function mine(a) { return a + 1 }\nat chan | at main (prog.js:4:17)\n");
});

eachBackend(test, "an ArrayBuffer the host creates in a lazy context has its prototype", async (backend) => {
  const noImports = { hostCall: () => 0, interrupt: () => 0, hostCallSuspend: () => 0, interruptSuspend: () => 0 };
  const w = await QuickJSWasm.load(backend, noImports, () => {});
  w.stackPointer = (w.x.malloc(1 << 20) + (1 << 20)) & ~15;
  const rt = w.x.QTS_NewRuntime();
  const ctx = w.newGoroutineContext(rt);
  const check = (code: string): string => {
    const r = w.evalScript(ctx, code, "check.js");
    const out = w.getString(ctx, r);
    w.x.QTS_FreeValuePointer(ctx, r);
    return out;
  };
  assert.is(check("typeof Uint8Array"), "undefined", "no typed arrays before");
  const ab = w.newArrayBuffer(ctx, new Uint8Array([5, 6]));
  w.setGlobal(ctx, "ab", ab);
  w.x.QTS_FreeValuePointer(ctx, ab);
  assert.is(check("Object.getPrototypeOf(ab) === ArrayBuffer.prototype && new Uint8Array(ab)[1] === 6"), "true");
  w.freeContext(ctx);
  w.x.QTS_FreeRuntime(rt);
});

test("the escape hatches QUICKGO_BYTECODE=0, QUICKGO_LAZY_INTRINSICS=0 and QUICKGO_GOROUTINES_PER_RUNTIME=1 run programs the same", () => {
  const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../bin/quickgo.js");
  const src = `function where(c) { c.send(typeof Map + " " + new Error("x").stack.split("\\n")[0].trim()) }
function main() { const c = chan(); go(where, c); println(c.recv(), String(chan).includes("[native code]")) }`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-hatches-")), "prog.js");
  fs.writeFileSync(file, src);
  const hatches = [{}, { QUICKGO_BYTECODE: "0" }, { QUICKGO_LAZY_INTRINSICS: "0" }, { QUICKGO_GOROUTINES_PER_RUNTIME: "1" }];
  const outputs = [...hatches, { QUICKGO_BYTECODE: "0", QUICKGO_LAZY_INTRINSICS: "0", QUICKGO_GOROUTINES_PER_RUNTIME: "1" }].map((env) => {
    const r = spawnSync(process.execPath, [bin, "run", file], { encoding: "utf8", env: { ...process.env, ...env } });
    assert.is(r.status, 0, r.stderr);
    return r.stdout;
  });
  assert.is(outputs[0], `function at where (${file}:1:56) true\n`);
  for (const o of outputs) assert.is(o, outputs[0]);
});

test.run();
