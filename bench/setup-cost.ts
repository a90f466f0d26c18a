// Where a spawn's time and a goroutine's memory go: each phase of a G's setup
// (runtime, context with all intrinsics, prelude parse, prelude run, a small
// program) and freeing it again, timed over the raw exports, and the QuickJS
// heap each step adds (real bytes, see runtime/engine/heap-accounting.ts). For asyncify, setup is
// timed on the instrumented instance and on its uninstrumented setup twin. Modes: "parse" parses the
// prelude in every context with all built-ins (as before the bytecode cache); "bytecode" reads it
// from the instance's bytecode cache (runtime/engine/bytecode.ts); "lazy" also leaves the lazy
// built-ins out of the context (runtime/engine/intrinsics.ts) and compiles the prelude without
// its source text: how goroutines now start.
//
//   node dist/bench/setup-cost.js [--contexts 40] [--rounds 5]
import { availableBackends } from "../src/backend.js";
import { preludeSources } from "../src/prelude.js";
import { QuickJSWasm, type JSContextPtr } from "../runtime/engine/quickjs.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const contexts = flag("--contexts", 40);
const rounds = flag("--rounds", 5);

const prelude = preludeSources().main;
const program = `function child(done, i) { done.send(i) }
function main() { const done = chan(); for (let i = 0; i < 500; i++) { go(child, done, i); done.recv() } println(500) }`;
/** JS_EVAL_FLAG_COMPILE_ONLY: parse and compile, do not run. */
const COMPILE_ONLY = 1 << 5;
const phases = ["runtime", "context", "prelude parse/read", "prelude run", "program", "free"] as const;
const MODES = ["parse", "bytecode", "lazy"] as const;
type Mode = (typeof MODES)[number];

function newContext(w: QuickJSWasm, rt: number, mode: Mode): JSContextPtr {
  return mode === "lazy" ? w.newGoroutineContext(rt) : w.x.QTS_NewContext(rt, 0);
}
type Phase = (typeof phases)[number];

const noImports = { hostCall: () => 0, interrupt: () => 0, hostCallSuspend: () => 0, interruptSuspend: () => 0 };

function evalOk(w: QuickJSWasm, ctx: JSContextPtr, code: string, flags: number): void {
  const c = w.allocString(code);
  const f = w.allocString("<quickgo>");
  const r = w.x.QTS_Eval(ctx, c, w.heapU8().indexOf(0, c) - c, f, 0, flags);
  w.x.free(c);
  w.x.free(f);
  const e = w.exceptionOf(ctx, r);
  if (e) throw new Error(`setup-cost: eval threw ${w.getString(ctx, e)}`);
  w.x.QTS_FreeValuePointer(ctx, r);
}

/** The prelude's file name in each mode: the cache keys by it, and only "lazy" strips the source. */
const preludeFile = (mode: Mode): string => (mode === "lazy" ? "<quickgo>" : "<quickgo, with source>");

/** Runs a script in ctx the way goroutines now do: through the instance's bytecode cache. */
function evalCached(w: QuickJSWasm, ctx: JSContextPtr, code: string, mode: Mode, file = "prog.js"): void {
  const r = w.evalScript(ctx, code, file, mode === "lazy" && file === "<quickgo>");
  const e = w.exceptionOf(ctx, r);
  if (e) throw new Error(`setup-cost: eval threw ${w.getString(ctx, e)}`);
  w.x.QTS_FreeValuePointer(ctx, r);
}

/** The prelude's bytecode descriptor in w's cache (compiled there once, in a scratch context). */
function preludeBytecode(w: QuickJSWasm, mode: Mode): number {
  const rt = w.x.QTS_NewRuntime();
  const ctx = w.x.QTS_NewContext(rt, 0);
  const host = w.newFunction(ctx, "__qg", 1);
  w.setGlobal(ctx, "__qg", host);
  w.x.QTS_FreeValuePointer(ctx, host);
  evalCached(w, ctx, prelude, mode, preludeFile(mode));
  w.x.QTS_FreeContext(ctx);
  w.x.QTS_FreeRuntime(rt);
  const desc = w.bytecode?.lookup(preludeFile(mode), prelude);
  if (!desc) throw new Error("setup-cost: no bytecode cache (QUICKGO_BYTECODE=0?)");
  return desc;
}

/** Median µs per context of each phase, over `rounds` rounds of `contexts` contexts. */
function timeSetup(w: QuickJSWasm, stackTop: number, mode: Mode): Record<Phase, number> {
  const desc = mode === "parse" ? 0 : preludeBytecode(w, mode);
  const samples = Object.fromEntries(phases.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  for (let r = 0; r < rounds + 1; r++) {
    const sum = Object.fromEntries(phases.map((p) => [p, 0])) as Record<Phase, number>;
    for (let i = 0; i < contexts; i++) {
      w.stackPointer = stackTop;
      let t = performance.now();
      const lap = (p: Phase): void => {
        const now = performance.now();
        sum[p] += now - t;
        t = now;
      };
      const rt = w.x.QTS_NewRuntime();
      w.x.QTS_RuntimeSetMaxStackSize(rt, 256 * 1024);
      lap("runtime");
      const ctx = newContext(w, rt, mode);
      const host = w.newFunction(ctx, "__qg", 1);
      w.setGlobal(ctx, "__qg", host);
      w.x.QTS_FreeValuePointer(ctx, host);
      lap("context");
      if (mode === "parse") {
        evalOk(w, ctx, prelude, COMPILE_ONLY);
        lap("prelude parse/read");
        evalOk(w, ctx, prelude, 0); // parses again, then runs: the run is this minus the parse (below)
        lap("prelude run");
        evalOk(w, ctx, program, 0);
      } else {
        const fn = w.x.qg_read_bytecode(ctx, desc);
        lap("prelude parse/read");
        const r = w.x.qg_eval_function(ctx, fn);
        w.x.free(fn);
        if (w.exceptionOf(ctx, r)) throw new Error("setup-cost: the prelude threw");
        w.x.QTS_FreeValuePointer(ctx, r);
        lap("prelude run");
        evalCached(w, ctx, program, mode);
      }
      lap("program");
      w.freeContext(ctx);
      w.x.QTS_FreeRuntime(rt);
      lap("free");
    }
    if (mode === "parse") sum["prelude run"] -= sum["prelude parse/read"];
    if (r > 0) for (const p of phases) samples[p].push((sum[p] * 1000) / contexts); // round 0 warms up
  }
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return Object.fromEntries(phases.map((p) => [p, med(samples[p])])) as Record<Phase, number>;
}

/** A G's QuickJS heap (real bytes, runtime/engine/heap-accounting.ts) after each setup step. */
function memory(w: QuickJSWasm, stackTop: number, mode: Mode): { runtime: number; context: number; prelude: number; program: number } {
  w.stackPointer = stackTop;
  const rt = w.x.QTS_NewRuntime();
  const runtime = w.runtimeHeapBytes(rt);
  const ctx = newContext(w, rt, mode);
  const host = w.newFunction(ctx, "__qg", 1);
  w.setGlobal(ctx, "__qg", host);
  w.x.QTS_FreeValuePointer(ctx, host);
  const context = w.runtimeHeapBytes(rt);
  if (mode === "parse") evalOk(w, ctx, prelude, 0);
  else evalCached(w, ctx, prelude, mode, preludeFile(mode));
  const withPrelude = w.runtimeHeapBytes(rt);
  if (mode === "parse") evalOk(w, ctx, program, 0);
  else evalCached(w, ctx, program, mode);
  const withProgram = w.runtimeHeapBytes(rt);
  w.freeContext(ctx);
  w.x.QTS_FreeRuntime(rt);
  return { runtime, context: context - runtime, prelude: withPrelude - context, program: withProgram - withPrelude };
}

const fmt = (t: Record<Phase, number>): string =>
  phases.map((p) => `${t[p].toFixed(0)}`).join(" | ") + ` | ${phases.reduce((n, p) => n + t[p], 0).toFixed(0)}`;

console.log(`# Setup cost per goroutine — ${process.version}, µs per context, median of ${rounds} rounds of ${contexts}\n`);
console.log(`prelude: ${prelude.length} bytes\n`);
console.log(`| instance | ${phases.join(" | ")} | total |`);
console.log(`|---|${phases.map(() => "---|").join("")}---|`);
const mem = new Map<Mode, ReturnType<typeof memory>>();
for (const backend of availableBackends()) {
  const w = await QuickJSWasm.load(backend, noImports, () => {}, backend === "asyncify" ? noImports : undefined);
  const sp = w.stackPointer;
  const top = (w.x.malloc(1 << 20) + (1 << 20)) & ~15;
  for (const mode of MODES) {
    console.log(`| ${backend}, ${mode} | ${fmt(timeSetup(w, top, mode))} |`);
    if (backend === "asyncify") console.log(`| asyncify, setup twin, ${mode} | ${fmt(w.onSetupTwin(() => timeSetup(w, top, mode)))} |`);
    if (!mem.has(mode)) mem.set(mode, memory(w, top, mode));
  }
  w.stackPointer = sp;
}
const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;
console.log("\nQuickJS heap of a goroutine (real bytes, each block's usable size + 8):");
for (const [mode, m] of mem) {
  console.log(
    `- ${mode}: runtime ${kib(m.runtime)}, context +${kib(m.context)}, ` +
      `prelude +${kib(m.prelude)}, a small program +${kib(m.program)}`,
  );
}
