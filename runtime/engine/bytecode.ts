// Bytecode cache: every goroutine evaluates the prelude and the program's
// top-level code in its own fresh context, and parsing them was most of a
// spawn (~0.9 ms of ~1.3). A script is now parsed once per wasm instance;
// later contexts start it from QuickJS bytecode (JS_ReadObject +
// JS_EvalFunction), which is what qjsc-built programs do.
//
// Why build-time surgery: the pinned variant exports no bytecode API.
// QTS_bjson_encode/decode are JS_WriteObject/JS_ReadObject inlined with their
// flags folded into the stores that fill the writer's and reader's state, and
// JS_EvalFunction is reached only from QTS_Eval. So the build (addBytecodeFunctions)
// copies the two bjson functions with the "allow bytecode" byte set, takes its
// input from a {ptr, len} pair instead of an ArrayBuffer, and wraps the callee
// of QTS_Eval that is JS_EvalFunction. Each match is checked to be unique, and
// the build fails loudly when the variant's code no longer has that shape.
// Behaviour: test/runtime/bytecode.test.ts; a read that failed at run time
// would fail the goroutine's setup with QuickJS's error, never run stale code.
//
// The written bytecode keeps its debug info (file names, line tables, source
// for Function.prototype.toString), so stack traces and go(fn) are unchanged.
// Atoms are written as strings (first_atom stays 1, as in bjson): any runtime
// can read the bytecode whatever atoms it already has.
import type binaryenType from "binaryen";
import { api, copyFunction, infoOf, setI64, walk } from "./wasm-ir.js";

/** Exported names of the added functions. */
export const BYTECODE_EXPORTS = {
  /** (ctx, JSValue* fn) -> JSValue* ArrayBuffer of fn's bytecode (JS_EXCEPTION on failure). */
  write: "qg_write_bytecode",
  /** (ctx, {u32 ptr, u32 len}*) -> JSValue* the function read back (JS_EXCEPTION on failure). */
  read: "qg_read_bytecode",
  /** (ctx, JSValue* fn) -> JSValue* completion value: JS_EvalFunction, which consumes *fn (the cell is the caller's to free). */
  eval: "qg_eval_function",
} as const;

/** QuickJS's JS_EVAL_FLAG_COMPILE_ONLY: QTS_Eval then returns the compiled function, unrun. */
export const EVAL_COMPILE_ONLY = 1 << 5;

// The writer state (BCWriterState, wasm32): ctx@0, DynBuf@4..27, then the
// allow_bytecode/allow_sab/allow_reference bytes @28..30 and first_atom@32,
// set by one i64 store at frame offset 28 in QTS_bjson_encode: allow_reference=1,
// first_atom=1. Ours also sets allow_bytecode (byte 28).
const WRITER_FLAGS_OFFSET = 28;
const WRITER_FLAGS = 0x1_0001_0000n;
const WRITER_FLAGS_BYTECODE = 0x1_0001_0001n;
// The reader state (BCReaderState) sits at frame offset 12 in QTS_bjson_decode:
// its error_state@+28 and the allow_sab/allow_bytecode/is_rom_data/allow_reference
// bytes @+32..35 are zeroed by one i64 store at frame offset 40. Ours stores
// allow_bytecode = 1 (frame byte 45 = bit 40 of that store).
const READER_FLAGS_OFFSET = 40;
const READER_FLAGS_BYTECODE = 1n << 40n;

type B = typeof binaryenType;
type Expr = binaryenType.ExpressionRef;

class BytecodeShapeError extends Error {
  constructor(what: string) {
    super(`quickgo build: cannot derive the bytecode functions from the variant (${what}); reinstall the pinned version (npm ci)`);
  }
}

function only<T>(found: T[], what: string): T {
  if (found.length !== 1) throw new BytecodeShapeError(`${found.length} matches for ${what}`);
  return found[0]!;
}

function exportedFunction(b: B, mod: binaryenType.Module, exportName: string): binaryenType.FunctionInfo {
  const ref = mod.getExport(exportName);
  if (!ref) throw new BytecodeShapeError(`export ${exportName} missing`);
  return b.getFunctionInfo(mod.getFunction(b.getExportInfo(ref).value));
}

function sameTypes(b: B, t: number, want: number[]): boolean {
  const got = b.expandType(t);
  return got.length === want.length && got.every((x, i) => x === want[i]);
}

function isConstI64(b: B, e: Expr, v: bigint): boolean {
  const info = infoOf(b, e) as binaryenType.ExpressionInfo & { value: unknown };
  return info.id === b.ConstId && info.type === b.i64 && BigInt.asUintN(64, BigInt(info.value as bigint)) === v;
}

/**
 * Adds and exports the three BYTECODE_EXPORTS functions. `exportOf` maps a C
 * export name to its (minified) export name in this module.
 */
export function addBytecodeFunctions(b: B, mod: binaryenType.Module, exportOf: (cName: string) => string): void {
  const encode = exportedFunction(b, mod, exportOf("QTS_bjson_encode"));
  const decode = exportedFunction(b, mod, exportOf("QTS_bjson_decode"));
  const evalFn = exportedFunction(b, mod, exportOf("QTS_Eval"));
  const i32 = b.i32;
  const i64 = b.i64;

  // Writer: the bjson encoder with allow_bytecode set.
  const wbody = copyFunction(b, mod, encode, BYTECODE_EXPORTS.write);
  const flagStores: Expr[] = [];
  walk(b, wbody, (e, id) => {
    if (id !== b.StoreId) return;
    const s = infoOf(b, e) as binaryenType.StoreInfo;
    if (s.id === b.StoreId && s.bytes === 8 && s.offset === WRITER_FLAGS_OFFSET && isConstI64(b, s.value, WRITER_FLAGS)) flagStores.push(e);
  });
  const wflags = api(b).Store.getValue(only(flagStores, "the writer's flag store"));
  setI64(b, wflags, WRITER_FLAGS_BYTECODE);
  mod.addFunctionExport(BYTECODE_EXPORTS.write, BYTECODE_EXPORTS.write);

  // Reader: the bjson decoder with allow_bytecode set, reading {ptr, len} at its second argument.
  const rbody = copyFunction(b, mod, decode, BYTECODE_EXPORTS.read);
  const zeroStores: Expr[] = [];
  const bufferTees: Expr[] = [];
  const toHeapTargets = new Set<string>();
  walk(b, rbody, (e, id) => {
    if (id !== b.StoreId && id !== b.LocalSetId && id !== b.CallId) return;
    const info = infoOf(b, e);
    if (info.id === b.StoreId) {
      const s = info as binaryenType.StoreInfo;
      if (s.bytes === 8 && s.offset === READER_FLAGS_OFFSET && isConstI64(b, s.value, 0n)) zeroStores.push(e);
    } else if (info.id === b.LocalSetId) {
      // JS_GetArrayBuffer(ctx, &len, *data): the call whose third operand loads the JSValue at param 1.
      const value = (info as binaryenType.LocalSetInfo).value;
      if (b.getExpressionId(value) !== b.CallId) return;
      const v = infoOf(b, value) as binaryenType.CallInfo;
      if (v.operands.length !== 3) return;
      const arg = infoOf(b, v.operands[2]!) as binaryenType.LoadInfo;
      if (arg.id !== b.LoadId || arg.type !== i64) return;
      const ptr = infoOf(b, arg.ptr) as binaryenType.LocalGetInfo;
      if (ptr.id === b.LocalGetId && ptr.index === 1) bufferTees.push(e);
    } else if (info.id === b.CallId) {
      const c = info as binaryenType.CallInfo;
      const callee = b.getFunctionInfo(mod.getFunction(c.target));
      if (sameTypes(b, callee.params, [i64]) && sameTypes(b, callee.results, [i32])) toHeapTargets.add(c.target);
    }
  });
  const rflags = api(b).Store.getValue(only(zeroStores, "the reader's flag store"));
  setI64(b, rflags, READER_FLAGS_BYTECODE);
  const tee = only(bufferTees, "the reader's JS_GetArrayBuffer call");
  const getBuffer = infoOf(b, api(b).LocalSet.getValue(tee)) as binaryenType.CallInfo;
  // *plen = desc->len; return desc->ptr
  api(b).LocalSet.setValue(tee, mod.block(null, [
    mod.i32.store(0, 4, getBuffer.operands[1]!, mod.i32.load(4, 4, mod.local.get(1, i32))),
    mod.i32.load(0, 4, mod.local.get(1, i32)),
  ], i32));
  mod.addFunctionExport(BYTECODE_EXPORTS.read, BYTECODE_EXPORTS.read);

  // JS_EvalFunction: QTS_Eval's callee (ctx, JSValue) -> JSValue whose body is
  // JS_EvalFunctionInternal(ctx, fun_obj, ctx->global_obj, NULL, NULL).
  const evalTargets = new Set<string>();
  walk(b, evalFn.body, (e, id) => {
    if (id !== b.CallId) return;
    const c = infoOf(b, e) as binaryenType.CallInfo;
    const callee = b.getFunctionInfo(mod.getFunction(c.target));
    if (!callee.body || !sameTypes(b, callee.params, [i32, i64]) || !sameTypes(b, callee.results, [i64])) return;
    if (b.getExpressionId(callee.body) !== b.CallId) return;
    const inner = infoOf(b, callee.body) as binaryenType.CallInfo;
    if (inner.id !== b.CallId || inner.operands.length !== 5) return;
    const ops = inner.operands.map((o) => infoOf(b, o));
    const isParam = (k: number, idx: number): boolean => ops[k]!.id === b.LocalGetId && (ops[k] as binaryenType.LocalGetInfo).index === idx;
    const isZero = (k: number): boolean => ops[k]!.id === b.ConstId && (ops[k] as binaryenType.ConstInfo).value === 0;
    const global = ops[2] as binaryenType.LoadInfo;
    const loadsCtx = global.id === b.LoadId && global.type === i64 && (infoOf(b, global.ptr) as binaryenType.LocalGetInfo).index === 0;
    if (isParam(0, 0) && isParam(1, 1) && loadsCtx && isZero(3) && isZero(4)) evalTargets.add(c.target);
  });
  const evalFunction = only([...evalTargets], "JS_EvalFunction in QTS_Eval");
  const toHeap = only([...toHeapTargets], "jsvalue_to_heap in QTS_bjson_decode");
  mod.addFunction(BYTECODE_EXPORTS.eval, b.createType([i32, i32]), i32, [],
    mod.call(toHeap, [mod.call(evalFunction, [mod.local.get(0, i32), mod.i64.load(0, 8, mod.local.get(1, i32))], i64)], i32));
  mod.addFunctionExport(BYTECODE_EXPORTS.eval, BYTECODE_EXPORTS.eval);
}

// ---- load time: the per-instance cache ----

/** The raw calls the cache makes (QuickJSWasm's, whose `x` may be the setup twin's: the bytecode lives in the shared memory). */
export interface BytecodeHost {
  readonly x: {
    malloc(size: number): number;
    free(ptr: number): void;
    QTS_FreeValuePointer(ctx: number, v: number): void;
    QTS_ResolveException(ctx: number, maybeException: number): number;
    QTS_GetArrayBuffer(ctx: number, v: number): number;
    QTS_GetArrayBufferLength(ctx: number, v: number): number;
    qg_write_bytecode(ctx: number, fn: number): number;
  };
  heap32(): Int32Array;
}

/** Bytecode kept per wasm instance; past it the least recently used scripts are dropped (parsed again when next needed). */
export const BYTECODE_CACHE_BYTES = 16 << 20;
/** QuickJS's JS_TAG_EXCEPTION. */
export const JS_TAG_EXCEPTION = 6;

/** True if the JSValue at v is JS_EXCEPTION (NaN-boxed: the tag is the high word). */
export function isException(heap32: Int32Array, v: number): boolean {
  return heap32[(v + 4) >> 2] === JS_TAG_EXCEPTION;
}

/** One cached script: a malloc'd {ptr, len} descriptor (what qg_read_bytecode takes) over a malloc'd copy of its bytecode. */
interface Entry {
  desc: number;
  bytes: number;
}

/**
 * Compiled scripts of one wasm instance, keyed by file name and source. Used
 * by QuickJSWasm.evalScript. Reading copies the bytecode into the new
 * context (no JS_READ_OBJ_ROM_DATA), so an entry can be dropped at any time.
 */
export class BytecodeCache {
  /** file -> source -> entry, each inner map in least-recently-used order (Map iteration order). */
  private readonly files = new Map<string, Map<string, Entry>>();
  private total = 0;

  constructor(private readonly host: BytecodeHost, private readonly limit = BYTECODE_CACHE_BYTES) {}

  /** Bytes of bytecode held. */
  get bytes(): number {
    return this.total;
  }

  /** The descriptor to read `source`'s bytecode from, or 0 if it was not compiled here yet. */
  lookup(file: string, source: string): number {
    const sources = this.files.get(file);
    const e = sources?.get(source);
    if (!e) return 0;
    sources!.delete(source); // most recently used last
    sources!.set(source, e);
    return e.desc;
  }

  /**
   * Keeps the bytecode of `fn` (a JSValue* of a compiled, not yet run script
   * in ctx; not consumed). Best effort: if it cannot be written (the
   * goroutine's memory limit, say) the script is simply parsed next time,
   * and ctx is left without a pending exception.
   */
  store(ctx: number, file: string, source: string, fn: number): void {
    const x = this.host.x;
    const ab = x.qg_write_bytecode(ctx, fn);
    if (isException(this.host.heap32(), ab)) {
      const exc = x.QTS_ResolveException(ctx, ab);
      if (exc) x.QTS_FreeValuePointer(ctx, exc);
      x.QTS_FreeValuePointer(ctx, ab);
      return;
    }
    const len = x.QTS_GetArrayBufferLength(ctx, ab);
    const ptr = len > 0 && len <= this.limit ? x.QTS_GetArrayBuffer(ctx, ab) : 0;
    x.QTS_FreeValuePointer(ctx, ab);
    if (!ptr) return;
    const desc = x.malloc(8);
    if (!desc) return x.free(ptr);
    const h32 = this.host.heap32();
    h32[desc >> 2] = ptr;
    h32[(desc >> 2) + 1] = len;
    let sources = this.files.get(file);
    if (!sources) this.files.set(file, (sources = new Map()));
    const old = sources.get(source);
    if (old) this.drop(sources, source, old);
    sources.set(source, { desc, bytes: len });
    this.total += len;
    this.evict();
  }

  /** Drops least recently used entries (oldest first in each file) until the total fits. */
  private evict(): void {
    while (this.total > this.limit) {
      for (const [file, sources] of this.files) {
        const first = sources.entries().next();
        if (!first.done) this.drop(sources, first.value[0], first.value[1]);
        if (sources.size === 0) this.files.delete(file);
        if (this.total <= this.limit) return;
      }
    }
  }

  private drop(sources: Map<string, Entry>, source: string, e: Entry): void {
    const x = this.host.x;
    x.free(this.host.heap32()[e.desc >> 2]!);
    x.free(e.desc);
    sources.delete(source);
    this.total -= e.bytes;
  }
}
