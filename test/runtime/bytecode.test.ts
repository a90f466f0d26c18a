// The bytecode cache (runtime/engine/bytecode.ts): a script is parsed once per
// wasm instance and later contexts run it from bytecode. What a context sees
// must not change: results, its own globals, line numbers in stacks, function
// source, syntax errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { QuickJSWasm, type JSContextPtr } from "../../runtime/engine/quickjs.js";
import { BytecodeCache, EVAL_COMPILE_ONLY } from "../../runtime/engine/bytecode.js";
import { backends, eachBackend, run } from "../helpers.js";

const noImports = { hostCall: () => 0, interrupt: () => 0, hostCallSuspend: () => 0, interruptSuspend: () => 0 };

interface Harness {
  w: QuickJSWasm;
  /** A fresh runtime and context; freed by close(). */
  context(): JSContextPtr;
  /** Evaluates through the cache; the completion value as a string, or "throws: <message>". */
  evaluate(ctx: JSContextPtr, code: string, file?: string): string;
  close(): void;
}

async function harness(backend: (typeof backends)[number]): Promise<Harness> {
  const w = await QuickJSWasm.load(backend, noImports, () => {});
  const stackBase = w.x.malloc(1 << 20);
  const open: [number, number][] = [];
  return {
    w,
    context() {
      w.stackPointer = (stackBase + (1 << 20)) & ~15;
      const rt = w.x.QTS_NewRuntime();
      const ctx = w.x.QTS_NewContext(rt, 0);
      open.push([rt, ctx]);
      return ctx;
    },
    evaluate(ctx, code, file = "script.js") {
      const r = w.evalScript(ctx, code, file);
      const exc = w.exceptionOf(ctx, r);
      const out = exc ? "throws: " + w.getString(ctx, exc) : w.getString(ctx, r);
      if (exc) w.x.QTS_FreeValuePointer(ctx, exc);
      w.x.QTS_FreeValuePointer(ctx, r);
      return out;
    },
    close() {
      for (const [rt, ctx] of open) {
        w.x.QTS_FreeContext(ctx);
        w.x.QTS_FreeRuntime(rt);
      }
    },
  };
}

eachBackend(test, "the second context runs the cached bytecode with its own globals", async (backend) => {
  const h = await harness(backend);
  const code = "var n = (globalThis.n || 0) + 1; const seen = typeof Map + ':' + n; seen";
  const a = h.context();
  assert.is(h.w.bytecode!.lookup("script.js", code), 0, "nothing cached before the first run");
  assert.is(h.evaluate(a, code), "function:1");
  assert.ok(h.w.bytecode!.lookup("script.js", code) > 0, "compiled once, kept");
  assert.is(h.evaluate(h.context(), code), "function:1", "a new context starts from its own globals");
  assert.is(h.evaluate(a, "n"), "1");
  h.close();
});

eachBackend(test, "functions read from bytecode keep their source and line numbers", async (backend) => {
  const h = await harness(backend);
  const code = "function where() {\n  return new Error('x').stack;\n}\n[String(where), where()].join('|')";
  h.evaluate(h.context(), code, "lines.js");
  const out = h.evaluate(h.context(), code, "lines.js");
  const [src, stack] = out.split("|");
  assert.is(src, "function where() {\n  return new Error('x').stack;\n}");
  assert.match(stack!, /at where \(lines\.js:2:/);
  h.close();
});

eachBackend(test, "a syntax error is reported with its line and nothing is cached", async (backend) => {
  const h = await harness(backend);
  const code = "let ok = 1;\nlet = = 2;";
  assert.match(h.evaluate(h.context(), code, "bad.js"), /^throws: SyntaxError/);
  assert.is(h.w.bytecode!.lookup("bad.js", code), 0);
  h.close();
});

eachBackend(test, "the same source under another file name is compiled again", async (backend) => {
  const h = await harness(backend);
  const code = "new Error('x').stack";
  assert.match(h.evaluate(h.context(), code, "a.js"), /a\.js:1/);
  assert.match(h.evaluate(h.context(), code, "b.js"), /b\.js:1/);
  assert.match(h.evaluate(h.context(), code, "a.js"), /a\.js:1/);
  h.close();
});

eachBackend(test, "past its byte limit the cache drops the least recently used script", async (backend) => {
  const h = await harness(backend);
  const cache = new BytecodeCache(h.w, 2000);
  const ctx = h.context();
  const script = (i: number): string => `function f${i}() { return ${i} * 2 + ${"1 + ".repeat(20)}0 }\nf${i}()`;
  const file = h.w.allocString("s.js");
  const compile = (i: number): void => {
    const code = h.w.allocString(script(i));
    const fn = h.w.x.QTS_Eval(ctx, code, script(i).length, file, 0, EVAL_COMPILE_ONLY);
    cache.store(ctx, "s.js", script(i), fn);
    h.w.x.QTS_FreeValuePointer(ctx, fn);
    h.w.x.free(code);
  };
  for (let i = 0; i < 20; i++) {
    compile(i);
    cache.lookup("s.js", script(0)); // script 0 stays the most recently used
  }
  assert.ok(cache.bytes <= 2000, `held ${cache.bytes} bytes`);
  assert.ok(cache.lookup("s.js", script(0)) > 0, "the script used last survives");
  assert.ok(cache.lookup("s.js", script(19)) > 0, "the newest survives");
  assert.is(cache.lookup("s.js", script(1)), 0, "an old one was dropped");
  h.w.x.free(file);
  h.close();
});

eachBackend(test, "goroutines started from cached bytecode report the program's lines", async (backend) => {
  const src = [
    "function where(c) {",
    "  c.send(new Error('x').stack.split('\\n')[0].trim());",
    "}",
    "function main() {",
    "  const c = chan();",
    "  for (let i = 0; i < 3; i++) go(where, c);",
    "  for (let i = 0; i < 3; i++) println(c.recv());",
    "}",
  ].join("\n");
  const r = await run(src, { backend, filename: "lines.js" });
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "at where (lines.js:2:19)\n".repeat(3));
});

test.run();
