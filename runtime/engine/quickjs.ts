// One QuickJS wasm instance: its raw exports, its memory, the shadow-stack
// pointer, and value/string transfer between host and guest.
//
// We load the emscripten module through quickjs-emscripten-core (so its glue
// sets up memory, clocks and stdio), but replace the imports we own (host
// call, interrupt, host-ref free) and call the C exports directly: the core's
// handle/scope layer allocates per call, which the switch path cannot afford.
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
import SYNC from "@jitl/quickjs-wasmfile-release-sync";
import { ensureWasm, MEMMOVE, STACK_POINTER_GET, STACK_POINTER_SET, type RequiredExport, type WasmFile, type WasmManifest } from "./wasm-build.js";
import { BytecodeCache, BYTECODE_EXPORTS, EVAL_COMPILE_ONLY, isException, JS_TAG_EXCEPTION } from "./bytecode.js";
import { ARRAY_BUFFER_DATA_EXPORT } from "./array-buffer.js";
import { CONSTRUCT_EXPORT } from "./c-constructor.js";
import { ALL_INTRINSICS, INTRINSIC_EXPORTS, LAZY_INTRINSICS, TYPED_ARRAYS } from "./intrinsics.js";
import { installHeapAccounting, RT_MALLOC_STATE, STATE_SIZE } from "./heap-accounting.js";
import { RuntimeGroups } from "./runtime-groups.js";
import { applyAsyncifyTier } from "./asyncify-tier.js";

/** Pointers into wasm memory (plain numbers; the names document intent). */
export type Ptr = number;
export type JSValuePtr = number;
export type JSContextPtr = number;
export type JSRuntimePtr = number;

/** The raw C exports the engine uses. Signatures follow quickjs-emscripten's c/interface.c. */
export interface RawExports {
  malloc(size: number): Ptr;
  free(ptr: Ptr): void;
  QTS_NewRuntime(): JSRuntimePtr;
  QTS_FreeRuntime(rt: JSRuntimePtr): void;
  QTS_NewContext(rt: JSRuntimePtr, intrinsics: number): JSContextPtr;
  QTS_FreeContext(ctx: JSContextPtr): void;
  QTS_RuntimeSetMaxStackSize(rt: JSRuntimePtr, size: number): void;
  QTS_RuntimeSetMemoryLimit(rt: JSRuntimePtr, limit: number): void;
  QTS_RuntimeEnableInterruptHandler(rt: JSRuntimePtr): void;
  QTS_RuntimeComputeMemoryUsage(rt: JSRuntimePtr, ctx: JSContextPtr): JSValuePtr;
  QTS_GetUndefined(): JSValuePtr;
  QTS_GetNull(): JSValuePtr;
  QTS_GetTrue(): JSValuePtr;
  QTS_GetFalse(): JSValuePtr;
  QTS_NewFloat64(ctx: JSContextPtr, n: number): JSValuePtr;
  QTS_GetFloat64(ctx: JSContextPtr, v: JSValuePtr): number;
  QTS_NewString(ctx: JSContextPtr, utf8: Ptr): JSValuePtr;
  QTS_GetString(ctx: JSContextPtr, v: JSValuePtr): Ptr;
  QTS_FreeCString(ctx: JSContextPtr, s: Ptr): void;
  QTS_Typeof(ctx: JSContextPtr, v: JSValuePtr): Ptr;
  QTS_FreeValuePointer(ctx: JSContextPtr, v: JSValuePtr): void;
  QTS_DupValuePointer(ctx: JSContextPtr, v: JSValuePtr): JSValuePtr;
  QTS_Throw(ctx: JSContextPtr, err: JSValuePtr): JSValuePtr;
  QTS_NewError(ctx: JSContextPtr): JSValuePtr;
  QTS_GetGlobalObject(ctx: JSContextPtr): JSValuePtr;
  QTS_GetProp(ctx: JSContextPtr, obj: JSValuePtr, key: JSValuePtr): JSValuePtr;
  QTS_SetProp(ctx: JSContextPtr, obj: JSValuePtr, key: JSValuePtr, value: JSValuePtr): void;
  QTS_NewFunction(ctx: JSContextPtr, name: Ptr, argLength: number, isConstructor: number, hostRef: number): JSValuePtr;
  QTS_ArgvGetJSValueConstPointer(argv: Ptr, i: number): JSValuePtr;
  QTS_Call(ctx: JSContextPtr, fn: JSValuePtr, thisVal: JSValuePtr, argc: number, argvPtrs: Ptr): JSValuePtr;
  QTS_Eval(ctx: JSContextPtr, code: Ptr, len: number, filename: Ptr, detectModule: number, flags: number): JSValuePtr;
  QTS_ResolveException(ctx: JSContextPtr, maybeException: JSValuePtr): JSValuePtr;
  QTS_IsJobPending(rt: JSRuntimePtr): number;
  QTS_ExecutePendingJob(rt: JSRuntimePtr, max: number, lastCtx: Ptr): JSValuePtr;
  /** a new ArrayBuffer over `length` bytes at malloc'd `buffer`, which it takes ownership of */
  QTS_NewArrayBuffer(ctx: JSContextPtr, buffer: Ptr, length: number): JSValuePtr;
  /** malloc'd copy of an ArrayBuffer's bytes, freed by the caller (NULL and a pending TypeError for anything else) */
  QTS_GetArrayBuffer(ctx: JSContextPtr, v: JSValuePtr): Ptr;
  QTS_GetArrayBufferLength(ctx: JSContextPtr, v: JSValuePtr): number;
  /** bytecode.ts: an ArrayBuffer of the compiled script fn's bytecode (fn is not consumed) */
  qg_write_bytecode(ctx: JSContextPtr, fn: JSValuePtr): JSValuePtr;
  /** bytecode.ts: the compiled script read from a {ptr, len} descriptor */
  qg_read_bytecode(ctx: JSContextPtr, desc: Ptr): JSValuePtr;
  /** bytecode.ts: runs a compiled script (JS_EvalFunction, which consumes *fn; the cell is the caller's to free) */
  qg_eval_function(ctx: JSContextPtr, fn: JSValuePtr): JSValuePtr;
  /** intrinsics.ts: a context with every built-in but the lazy groups */
  qg_new_context(rt: JSRuntimePtr): JSContextPtr;
  /** array-buffer.ts: JS_GetArrayBuffer: the bytes' address (0 if not an ArrayBuffer), their length stored at plen */
  qg_array_buffer_data(ctx: JSContextPtr, v: JSValuePtr, plen: Ptr): Ptr;
  /** c-constructor.ts: *out = table slot fn called as a constructor (ctx, undefined, argc, argv, magic) */
  qg_construct(fn: number, ctx: JSContextPtr, argc: number, argv: Ptr, magic: number, out: Ptr): void;
}

/** Asyncify's runtime exports, present only in the asyncify build. */
export interface AsyncifyExports {
  asyncify_start_unwind(data: Ptr): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(data: Ptr): void;
  asyncify_stop_rewind(): void;
  asyncify_get_state(): number;
}

/** The imports a backend provides for the calls that may switch goroutines. */
export interface SwitchImports {
  hostCall(ctx: JSContextPtr, thisPtr: JSValuePtr, argc: number, argv: Ptr, hostRef: number): number;
  interrupt(rt: JSRuntimePtr): number;
  /** jspi only: Suspending twins, called by the shim when the sync import returned -1. */
  hostCallSuspend?: WebAssembly.ImportValue;
  interruptSuspend?: WebAssembly.ImportValue;
  /** jspi only: the twins are V8's earlier API's (jspi.ts), so the instance is the legacy shim's. */
  legacyJspi?: boolean;
}

export type BackendName = "asyncify" | "jspi";

const compiled = new Map<WasmFile, { module: WebAssembly.Module; manifest: WasmManifest }>();
let jspiStackSet = false;

/**
 * Native stack of each jspi goroutine, in KiB. A goroutine's recursion must
 * hit QuickJS's own check (GUEST_STACK_LIMIT of shadow stack: a catchable
 * guest error) before V8's native limit (a RangeError that abandons the wasm
 * frames). V8's default (984 KiB, bounded by both flags below) ran out first
 * after TurboFan tier-up in 9 of 18 recursion shapes (Function.prototype.call,
 * constructors, getters, generators…); 2000 KiB passed all of them on Node 26,
 * so this leaves a 2x margin. The stacks grow on demand, so parked goroutines
 * cost no more memory (measured: same RSS with 5000 parked goroutines; V8
 * reserves more address space). Setting --stack-size now does not change the
 * main thread's limit, which V8 fixed at start-up.
 */
const JSPI_STACK_KB = 4096;

/** Raises V8's stack flags for jspi stacks, unless the user set them on the command line. */
function setJspiStackFlags(): void {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  for (const flag of ["--stack-size", "--wasm-stack-switching-stack-size"]) {
    if (given.some((a) => a.startsWith(`${flag}=`) || a === flag)) continue;
    v8.setFlagsFromString(`${flag}=${JSPI_STACK_KB}`);
  }
}

/**
 * Compiles (once per process) the binary of a backend. For asyncify the V8
 * flags of its tier are set first (asyncify-tier.ts: Liftoff only, unless
 * Node's stack has room for TurboFan's frames). The uninstrumented binary
 * (the jspi one) is compiled before that when asyncify needs it as its setup
 * twin: V8 fixes a module's tiers when it compiles it, so the twin keeps
 * TurboFan (measured on Node 20: prelude eval 1.3 ms vs 1.9 ms under Liftoff).
 */
async function compile(file: WasmFile, log: (line: string) => void): Promise<{ module: WebAssembly.Module; manifest: WasmManifest }> {
  const hit = compiled.get(file);
  if (hit) return hit;
  const backend: BackendName = file === "asyncify" ? "asyncify" : "jspi";
  if (backend === "jspi" && !jspiStackSet) {
    setJspiStackFlags();
    jspiStackSet = true;
  }
  const { dir, manifest } = await ensureWasm(log);
  if (backend === "asyncify") {
    if (setupTwinEnabled()) await compile("jspi", log);
    applyAsyncifyTier();
  }
  const bytes = fs.readFileSync(path.join(dir, manifest.files[file]));
  const entry = { module: new WebAssembly.Module(bytes), manifest };
  compiled.set(file, entry);
  return entry;
}

/** QUICKGO_SETUP_TWIN=0 runs goroutine setup on the asyncify instance itself (for measuring, or as an escape hatch). */
function setupTwinEnabled(): boolean {
  return process.env.QUICKGO_SETUP_TWIN !== "0";
}

/** The wasm heap cannot grow by the bytes a host-side copy into it needs (e.g. a huge string a goroutine receives). */
export class WasmOutOfMemory extends Error {
  constructor(bytes: number) {
    super(`runtime: out of memory (the wasm heap cannot take ${bytes} more bytes)`);
    this.name = "WasmOutOfMemory";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** JSContext.rt (wasm32), the runtime a context belongs to. */
const CTX_RUNTIME = 16;
/**
 * JSRuntime.strip_flags (quickjs.c 2025-09-13, wasm32), set by JS_SetStripInfo,
 * which the variant does not export. Its neighbours pin it: it is followed by
 * shape_hash_bits and shape_hash_size (= 1 << bits), checked before each use.
 */
const RT_STRIP_FLAGS = 228;
const RT_SHAPE_HASH_BITS = 232;
/** JS_STRIP_DEBUG: no line tables, local names or source (JS_STRIP_SOURCE would keep the first two). */
const JS_STRIP_DEBUG = 1 << 1;

/** Address of ctx's runtime's strip_flags byte (holding 0), or 0 if the layout is not the expected one. */
function stripFlagsOf(h32: Int32Array, ctx: JSContextPtr): number {
  const rt = h32[(ctx + CTX_RUNTIME) >> 2]!;
  const bits = h32[(rt + RT_SHAPE_HASH_BITS) >> 2]!;
  const ok = bits >= 4 && bits < 31 && h32[(rt + RT_SHAPE_HASH_BITS + 4) >> 2] === 1 << bits && (h32[(rt + RT_STRIP_FLAGS) >> 2]! & 0xff) === 0;
  return ok ? rt + RT_STRIP_FLAGS : 0;
}

/** One instance's view of the shared memory: its raw exports and its stack pointer's accessors. */
interface InstanceExports {
  x: RawExports;
  spGet: () => number;
  spSet: (v: number) => void;
  memmove: (dst: Ptr, src: Ptr, n: number) => void;
}

/**
 * The setup twin (asyncify only): a second instance of the *uninstrumented*
 * binary over the same memory and table layout. Asyncify instrumentation makes
 * QuickJS's parser 2x slower, and parsing the prelude and program in each new
 * context is most of a spawn, so a goroutine's setup and teardown (which
 * never park) run on the twin (onSetupTwin), and only its entry call, which
 * may park, on the asyncify one.
 * Sound because the two binaries differ only in instrumentation: the same
 * data segments at the same addresses, the same function table (function
 * pointers stored in memory mean the same function in both; wasm-build.ts
 * checks it), and no global but the stack pointer, which onSetupTwin hands over.
 */
interface SetupTwin extends InstanceExports {
  /** The twin's host-call and interrupt imports must not park: the twin cannot unwind. */
  readonly imports: SwitchImports;
}

export class QuickJSWasm {
  /** The raw exports calls go to: the main instance's, or the setup twin's inside onSetupTwin. */
  x: RawExports;
  readonly asyncify: AsyncifyExports | undefined;
  readonly exports: WebAssembly.Exports;
  /** The stack pointer's accessors of the instance calls go to (see x). */
  private spGet: () => number;
  private spSet: (v: number) => void;
  private readonly main: InstanceExports;
  private twin: SetupTwin | undefined;
  private readonly memory: WebAssembly.Memory;
  private u8: Uint8Array;
  private i32: Int32Array;
  /** Constant JSValue pointers (static in wasm memory, never freed). */
  readonly undefinedPtr: JSValuePtr;
  readonly nullPtr: JSValuePtr;
  readonly truePtr: JSValuePtr;
  readonly falsePtr: JSValuePtr;
  /**
   * Groups of built-ins added so far (bitmask over LAZY_INTRINSICS) of each
   * context made by newGoroutineContext, until freeContext. A context not in
   * the map has all of them.
   */
  private readonly lazyContexts = new Map<JSContextPtr, number>();
  /**
   * A word of wasm memory for out-parameters (arrayBufferData's length); used
   * and read at once, never across guest code. Allocated on first use, not in
   * the constructor, which runs before the glue and the setup twin have set
   * up the instance's memory.
   */
  private lengthCell: Ptr = 0;
  /** Made on first use (after the heap accounting is installed): see the runtimes getter. */
  private groups: RuntimeGroups | undefined;
  /** Compiled scripts (prelude, programs), so each new context reads bytecode instead of parsing; null when QUICKGO_BYTECODE=0. */
  readonly bytecode: BytecodeCache | null;

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, manifest: WasmManifest) {
    const raw = instance.exports;
    this.main = exportsOf(instance, manifest);
    this.x = this.main.x;
    this.spGet = this.main.spGet;
    this.spSet = this.main.spSet;
    this.exports = raw;
    this.asyncify = typeof raw.asyncify_start_unwind === "function" ? (raw as unknown as AsyncifyExports) : undefined;
    this.memory = memory;
    this.u8 = new Uint8Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
    this.undefinedPtr = this.x.QTS_GetUndefined();
    this.nullPtr = this.x.QTS_GetNull();
    this.truePtr = this.x.QTS_GetTrue();
    this.falsePtr = this.x.QTS_GetFalse();
    this.bytecode = process.env.QUICKGO_BYTECODE === "0" ? null : new BytecodeCache(this);
  }

  /**
   * Instantiates a backend's binary. With `twinImports` (asyncify), also the
   * uninstrumented binary as the setup twin, over the same memory: it is
   * instantiated before the glue runs the main instance's constructors, so
   * its data segments rewrite the same initial bytes and no state is lost.
   */
  static async load(backend: BackendName, imports: SwitchImports, log: (line: string) => void, twinImports?: SwitchImports): Promise<QuickJSWasm> {
    const { module, manifest } = await compile(backend === "jspi" && imports.legacyJspi ? "jspiLegacy" : backend, log);
    const twinModule = twinImports && setupTwinEnabled() ? (await compile("jspi", log)).module : undefined;
    let wasm: QuickJSWasm | undefined;
    const variant = newVariant(SYNC as unknown as QuickJSSyncVariant, {
      emscriptenModule: {
        instantiateWasm(glueImports: WebAssembly.Imports, done: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) {
          const ours = { ...(glueImports[manifest.importModule] as Record<string, WebAssembly.ImportValue>) };
          ours[manifest.imports.hostCall] = imports.hostCall;
          ours[manifest.imports.interrupt] = imports.interrupt;
          // We never create host refs through the core, so there is nothing to free.
          ours[manifest.imports.freeHostRef] = () => {};
          if (backend === "jspi") {
            ours[`${manifest.imports.hostCall}_suspend`] = imports.hostCallSuspend!;
            ours[`${manifest.imports.interrupt}_suspend`] = imports.interruptSuspend!;
          }
          const memory = Object.values(ours).find((v): v is WebAssembly.Memory => v instanceof WebAssembly.Memory);
          if (!memory) throw new Error("quickgo: the glue provides no wasm memory");
          const instance = new WebAssembly.Instance(module, { ...glueImports, [manifest.importModule]: ours });
          wasm = new QuickJSWasm(instance, memory, manifest);
          if (twinModule && twinImports) {
            const twin = { ...ours };
            twin[manifest.imports.hostCall] = twinImports.hostCall;
            twin[manifest.imports.interrupt] = twinImports.interrupt;
            // The jspi shim's Suspending twins: called only when the plain import returns -1, which twinImports never do.
            const never = (): never => {
              throw new Error("quickgo: the setup twin tried to suspend");
            };
            twin[`${manifest.imports.hostCall}_suspend`] = never;
            twin[`${manifest.imports.interrupt}_suspend`] = never;
            const twinInstance = new WebAssembly.Instance(twinModule, { ...glueImports, [manifest.importModule]: twin });
            wasm.twin = { ...exportsOf(twinInstance, manifest), imports: twinImports };
          }
          done(instance, module);
          return instance.exports;
        },
      },
    });
    await newQuickJSWASMModuleFromVariant(variant);
    if (!wasm) throw new Error("quickgo: wasm instantiation did not run");
    const w: QuickJSWasm = wasm;
    installHeapAccounting(
      { malloc: (n) => w.x.malloc(n), free: (p) => w.x.free(p), newRuntime: () => w.x.QTS_NewRuntime(), freeRuntime: (rt) => w.x.QTS_FreeRuntime(rt), heap32: () => w.heap32() },
      manifest.heapFunctionsSlot,
    );
    return wasm;
  }

  /** Copies n bytes of wasm memory from src to dst (the ranges may overlap): wasm's memory.copy. */
  memmove(dst: Ptr, src: Ptr, n: number): void {
    this.main.memmove(dst, src, n);
  }

  get stackPointer(): number {
    return this.spGet();
  }
  set stackPointer(v: number) {
    this.spSet(v);
  }

  /**
   * Runs fn with every export call going to the setup twin (if there is one),
   * starting at the current stack pointer. fn must not park a goroutine; the
   * twin's imports see to that. Not re-entrant: fn must not call it again.
   */
  onSetupTwin<T>(fn: () => T): T {
    const twin = this.twin;
    if (!twin || this.x === twin.x) return fn();
    twin.spSet(this.main.spGet());
    this.x = twin.x;
    this.spGet = twin.spGet;
    this.spSet = twin.spSet;
    try {
      return fn();
    } finally {
      this.main.spSet(twin.spGet());
      this.x = this.main.x;
      this.spGet = this.main.spGet;
      this.spSet = this.main.spSet;
    }
  }

  /** True while export calls go to the setup twin. */
  get onTwin(): boolean {
    return this.twin !== undefined && this.x === this.twin.x;
  }

  /**
   * Byte view of memory; re-created after the memory grows. Growing detaches
   * the old buffer, so an empty view means "stale" (cheaper than reading
   * memory.buffer on every access).
   */
  heapU8(): Uint8Array {
    if (this.u8.length === 0) this.refreshViews();
    return this.u8;
  }
  heap32(): Int32Array {
    if (this.i32.length === 0) this.refreshViews();
    return this.i32;
  }
  private refreshViews(): void {
    this.u8 = new Uint8Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** malloc'd NUL-terminated UTF-8 copy of s; the caller frees it. */
  allocString(s: string): Ptr {
    const bytes = s.isWellFormed() ? encoder.encode(s) : encodeWtf8(s);
    const p = this.mallocOrThrow(bytes.length + 1);
    const u8 = this.heapU8();
    u8.set(bytes, p);
    u8[p + bytes.length] = 0;
    return p;
  }

  /** malloc that throws instead of returning 0: writing through 0 would overwrite the instance's static data. */
  mallocOrThrow(size: number): Ptr {
    const p = this.x.malloc(size);
    if (p === 0) throw new WasmOutOfMemory(size);
    return p;
  }

  readCString(p: Ptr): string {
    const u8 = this.heapU8();
    const end = u8.indexOf(0, p);
    const bytes = u8.subarray(p, end);
    try {
      return decoder.decode(bytes);
    } catch {
      return decodeWtf8(bytes); // QuickJS writes lone surrogates as 3-byte sequences
    }
  }

  newString(ctx: JSContextPtr, s: string): JSValuePtr {
    const p = this.allocString(s);
    const v = this.x.QTS_NewString(ctx, p);
    this.x.free(p);
    return v;
  }

  /** A new guest ArrayBuffer holding a copy of `bytes`. */
  newArrayBuffer(ctx: JSContextPtr, bytes: Uint8Array): JSValuePtr {
    // JS_NewArrayBuffer takes ArrayBuffer.prototype from the context: it must exist (the prelude's net module adds it first).
    if (!this.addIntrinsic(ctx, TYPED_ARRAYS)) return this.pendingException();
    const p = this.mallocOrThrow(Math.max(1, bytes.length));
    this.heapU8().set(bytes, p);
    return this.x.QTS_NewArrayBuffer(ctx, p, bytes.length); // the ArrayBuffer owns p now and frees it
  }

  /**
   * A new guest Uint8Array holding a copy of `bytes`, made by QuickJS's
   * typed-array constructor called straight from here (c-constructor.ts) with
   * the length, then filled in place: what `new Uint8Array(n)` makes, without
   * the guest's bytecode call and `prototype` lookup. null if this instance
   * has no such call (uint8ArrayConstructor found nothing): the caller makes
   * it another way. May return a JS_EXCEPTION cell (out of memory).
   */
  newUint8Array(ctx: JSContextPtr, bytes: Uint8Array): JSValuePtr | null {
    const ctor = (this.u8Ctor ??= this.uint8ArrayConstructor());
    if (ctor === false) return null;
    // The constructor takes Uint8Array.prototype from the context: the group must be there.
    if (!this.addIntrinsic(ctx, TYPED_ARRAYS)) return this.pendingException();
    const out = this.mallocOrThrow(8);
    this.construct(ctor, ctx, bytes.length, out);
    if (bytes.length > 0) {
      const p = this.uint8ArrayBytes(out);
      if (p !== 0) this.heapU8().set(bytes, p);
      else if (!isException(this.heap32(), out)) throw new Error("quickgo internal error: a new Uint8Array has no bytes");
    }
    return out;
  }
  /** The Uint8Array constructor's table slot and magic (its class id); false: not found. */
  private u8Ctor: { fn: number; magic: number } | false | undefined;
  /** (length, undefined, undefined): the typed-array constructor's three arguments; slot 0 is set per call */
  private ctorArgv = 0;

  /** *out = new (ctor)(length), the constructor given all three of the arguments it reads. */
  private construct(ctor: { fn: number; magic: number }, ctx: JSContextPtr, length: number, out: Ptr): void {
    if (this.ctorArgv === 0) {
      const p = this.mallocOrThrow(24);
      const h = this.heap32();
      for (let k = 0; k < 6; k++) h[(p >> 2) + k] = k % 2 === 0 ? 0 : JS_TAG_UNDEFINED; // NaN-boxed: the tag is the high word
      this.ctorArgv = p;
    }
    const h = this.heap32();
    const a = this.ctorArgv >> 2;
    h[a] = length; // an int JSValue (JS_TAG_INT is 0)
    h[a + 1] = 0;
    this.x.qg_construct(ctor.fn, ctx, 3, this.ctorArgv, ctor.magic, out);
  }

  /**
   * Reads, once, the table slot and magic of QuickJS's Uint8Array
   * constructor from its function object (JSObject.u.cfunc: the realm, then
   * the C function, then length, cproto and the int16 magic), in a scratch
   * runtime: the realm word is the context, the magic is the class id that
   * uint8ArrayLayout found. Then checks it: a call with 64 must give a
   * Uint8Array of 64 bytes. Anything else: false.
   */
  private uint8ArrayConstructor(): { fn: number; magic: number } | false {
    const layout = (this.u8Layout ??= this.uint8ArrayLayout());
    if (layout === false || layout.tagWord !== 1) return false; // construct() writes 8-byte (NaN-boxed) JSValues
    return this.inScratchContext((ctx, held) => {
      const ctorVal = this.getGlobal(ctx, "Uint8Array");
      held.push(ctorVal);
      let h = this.heap32();
      if (h[(ctorVal >> 2) + layout.tagWord] !== JS_TAG_OBJECT) return false;
      const obj = h[ctorVal >> 2]! >>> 0;
      const out = this.mallocOrThrow(8);
      try {
        for (let w = 2; w < 14; w++) {
          h = this.heap32();
          if (h[(obj >> 2) + w]! >>> 0 !== ctx || h[(obj >> 2) + w + 2]! >> 16 !== layout.classId) continue;
          const found = { fn: h[(obj >> 2) + w + 1]! >>> 0, magic: layout.classId };
          try {
            this.construct(found, ctx, 64, out);
          } catch {
            continue; // not a function of that type (call_indirect's signature check)
          }
          const v = this.copyValue(out);
          held.push(v);
          if (this.uint8ArrayBytes(v) !== 0 && this.viewLength === 64) return found;
        }
        return false;
      } finally {
        this.x.free(out);
      }
    });
  }

  /**
   * Runs a check in a fresh runtime and context that no guest touches, then
   * frees them and the values it pushed on `held`. False if QuickJS could
   * not make them.
   */
  private inScratchContext<T>(check: (ctx: JSContextPtr, held: JSValuePtr[]) => T | false): T | false {
    const x = this.x;
    const rt = x.QTS_NewRuntime();
    if (!rt) return false;
    const ctx = x.QTS_NewContext(rt, 0);
    const held: JSValuePtr[] = [];
    try {
      return ctx ? check(ctx, held) : false;
    } finally {
      for (const v of held.reverse()) x.QTS_FreeValuePointer(ctx, v);
      if (ctx) x.QTS_FreeContext(ctx);
      x.QTS_FreeRuntime(rt);
    }
  }

  /** A malloc'd cell holding the JSValue at `cell` (moved, not duplicated: the cell's reference goes with it). */
  private copyValue(cell: Ptr): JSValuePtr {
    const p = this.mallocOrThrow(8);
    const h = this.heap32();
    h[p >> 2] = h[cell >> 2]!;
    h[(p >> 2) + 1] = h[(cell >> 2) + 1]!;
    return p;
  }

  /**
   * A copy of the bytes of guest ArrayBuffer `v`. The caller must know `v` is
   * an ArrayBuffer (the prelude guarantees it): for anything else QuickJS
   * leaves a TypeError pending in ctx and this returns null.
   */
  getArrayBuffer(ctx: JSContextPtr, v: JSValuePtr): Uint8Array | null {
    const p = this.arrayBufferData(ctx, v);
    return p === 0 ? null : this.heapU8().slice(p, p + this.heap32()[this.lengthCell >> 2]!);
  }

  /**
   * Address of ArrayBuffer v's bytes (valid until the guest runs again), their
   * length in the lengthCell word; 0 if v is not a live ArrayBuffer (QuickJS's
   * TypeError is then pending in ctx).
   */
  private arrayBufferData(ctx: JSContextPtr, v: JSValuePtr): Ptr {
    if (this.lengthCell === 0) this.lengthCell = this.mallocOrThrow(8);
    return this.x.qg_array_buffer_data(ctx, v, this.lengthCell);
  }

  /**
   * Copies the bytes of guest ArrayBuffer `v` into `alloc(length)` (e.g. a
   * pooled Node Buffer, whose backing store already exists) and returns it;
   * null as for getArrayBuffer.
   */
  copyArrayBuffer<T extends Uint8Array>(ctx: JSContextPtr, v: JSValuePtr, alloc: (n: number) => T): T | null {
    const p = this.arrayBufferData(ctx, v);
    return p === 0 ? null : this.copyOut(p, this.heap32()[this.lengthCell >> 2]!, alloc);
  }

  /** Copies the bytes of guest Uint8Array `v` (see uint8ArrayBytes) into `alloc(length)`; null if uint8ArrayBytes refuses v. */
  copyUint8Array<T extends Uint8Array>(v: JSValuePtr, alloc: (n: number) => T): T | null {
    const p = this.uint8ArrayBytes(v);
    return p === 0 ? null : this.copyOut(p, this.viewLength, alloc);
  }

  private copyOut<T extends Uint8Array>(p: Ptr, len: number, alloc: (n: number) => T): T {
    const out = alloc(len);
    if (len > 0) out.set(this.heapU8().subarray(p, p + len));
    return out;
  }

  /**
   * How int-tagged JSValues look in memory, found by calibrateNumbers(): the
   * heap32 word holding the tag (JS_TAG_INT = 0; the int32 is word 0), or 0
   * while unknown or when the layout is not the expected one (then every
   * number goes through QTS_GetFloat64).
   */
  private intTagWord = 0;
  private calibrated = false;

  /**
   * A guest number argument. Ints (opcodes, handle ids, sizes) are read from
   * memory: a call into wasm per argument costs more than the rest of a
   * host call's decoding.
   */
  getNumber(ctx: JSContextPtr, v: JSValuePtr): number {
    if (!this.calibrated) this.calibrateNumbers(ctx);
    if (this.intTagWord !== 0) {
      const h = this.heap32();
      const i = v >> 2;
      if (h[i + this.intTagWord] === 0) return h[i]!;
    }
    return this.x.QTS_GetFloat64(ctx, v);
  }

  /** Checks the JSValue layout on a few numbers made by QuickJS itself; the fast path is used only if all agree. */
  private calibrateNumbers(ctx: JSContextPtr): void {
    this.calibrated = true;
    const size = this.x.QTS_ArgvGetJSValueConstPointer(0, 1);
    const tagWord = size === 8 ? 1 : size === 16 ? 2 : 0; // NaN-boxed, or { union u; int64 tag }
    if (tagWord === 0) return;
    const samples = [123456789, -7, 0.5, 2 ** 40];
    const ptrs = samples.map((n) => this.x.QTS_NewFloat64(ctx, n));
    const h = this.heap32();
    const ok = ptrs.every((p, k) => {
      const isInt = h[(p >> 2) + tagWord] === 0;
      return k < 2 ? isInt && h[p >> 2] === samples[k] : !isInt;
    });
    for (const p of ptrs) this.x.QTS_FreeValuePointer(ctx, p);
    if (ok) this.intTagWord = tagWord;
  }

  /** ToString of a guest value. */
  getString(ctx: JSContextPtr, v: JSValuePtr): string {
    const p = this.x.QTS_GetString(ctx, v);
    const s = this.readCString(p);
    this.x.QTS_FreeCString(ctx, p);
    return s;
  }

  /**
   * Bytes a runtime's heap holds, all its goroutines' together (real sizes,
   * see heap-accounting.ts). Read from JSRuntime's JSMallocState, which
   * follows its four malloc function slots (checked at load). A goroutine's
   * own share is runtimes.usage(g).
   */
  runtimeHeapBytes(rt: JSRuntimePtr): number {
    return this.heap32()[(rt + RT_MALLOC_STATE + STATE_SIZE) >> 2]! >>> 0;
  }

  /** Which goroutines share which QuickJS runtime, and what is switched with them (runtime-groups.ts). */
  get runtimes(): RuntimeGroups {
    return (this.groups ??= new RuntimeGroups(this));
  }

  typeOf(ctx: JSContextPtr, v: JSValuePtr): string {
    const p = this.x.QTS_Typeof(ctx, v);
    const s = this.readCString(p);
    // QTS_Typeof strdup()s: plain free(). QTS_FreeVoidPointer is js_free, which
    // would subtract from QuickJS's malloc accounting what was never added;
    // once that count wraps, every allocation runs a full GC (measured: a
    // host call went from ~2 µs to 20–100 µs).
    this.x.free(p);
    return s;
  }

  /**
   * Address of the bytes of guest value `v` if it is a Uint8Array with at
   * least one byte (their count in viewLength), read straight from its
   * JSObject: no getter runs in the guest. 0 for anything else (another
   * value, an empty or detached view), and always 0 if the layout check
   * failed (see uint8ArrayLayout). Valid until the guest runs again.
   */
  uint8ArrayBytes(v: JSValuePtr): Ptr {
    const layout = (this.u8Layout ??= this.uint8ArrayLayout());
    if (layout === false) return 0;
    const h = this.heap32();
    if (h[(v >> 2) + layout.tagWord] !== JS_TAG_OBJECT) return 0;
    const obj = h[v >> 2]! >>> 0;
    if (obj === 0 || obj + 4 * (layout.countWord + 1) > h.byteLength) return 0;
    if (h[(obj >> 2) + 1]! >>> 16 !== layout.classId) return 0;
    const ptr = h[(obj >> 2) + layout.ptrWord]! >>> 0;
    const n = h[(obj >> 2) + layout.countWord]! >>> 0;
    if (n === 0 || ptr === 0 || ptr + n > h.byteLength) return 0;
    this.viewLength = n;
    return ptr;
  }
  /** True if guest value `v` is an ArrayBuffer (by its class id; false when the layout is unknown). */
  isArrayBuffer(v: JSValuePtr): boolean {
    const layout = (this.u8Layout ??= this.uint8ArrayLayout());
    if (layout === false) return false;
    const h = this.heap32();
    if (h[(v >> 2) + layout.tagWord] !== JS_TAG_OBJECT) return false;
    const obj = h[v >> 2]! >>> 0;
    return obj !== 0 && obj + 8 <= h.byteLength && h[(obj >> 2) + 1]! >>> 16 === layout.arrayBufferClassId;
  }
  /** True if guest value `v` is a string (by its tag; through QTS_Typeof when the layout is unknown). */
  isString(ctx: JSContextPtr, v: JSValuePtr): boolean {
    const layout = (this.u8Layout ??= this.uint8ArrayLayout());
    if (layout === false) return this.typeOf(ctx, v) === "string";
    return this.heap32()[(v >> 2) + layout.tagWord] === layout.stringTag;
  }

  /** Calls guest function fn with `args` (JSValue pointers, not consumed): the result, or a JS_EXCEPTION cell (the caller frees either). */
  call(ctx: JSContextPtr, fn: JSValuePtr, args: readonly JSValuePtr[]): JSValuePtr {
    const argv = this.mallocOrThrow(4 * Math.max(1, args.length));
    try {
      const h = this.heap32();
      args.forEach((a, k) => (h[(argv >> 2) + k] = a));
      return this.x.QTS_Call(ctx, fn, this.undefinedPtr, args.length, argv);
    } finally {
      this.x.free(argv);
    }
  }
  /** Byte count of the view uint8ArrayBytes found last. */
  viewLength = 0;
  /** Where a Uint8Array's class id, data pointer and length sit in its JSObject; false: not found (see uint8ArrayLayout). */
  private u8Layout: Uint8ArrayLayout | false | undefined;

  /**
   * Finds, once, where this build's JSObject keeps a typed array's class id
   * (the uint16 at byte 6, after the GC header's ref count and flags), data
   * pointer and length (its u.array fields): two Uint8Arrays at known
   * addresses and lengths, and an Int8Array (whose class id must differ),
   * made in a scratch runtime no guest touches. Anything unexpected leaves
   * the layout unknown, and every write takes the getters' path.
   */
  private uint8ArrayLayout(): Uint8ArrayLayout | false {
    return this.inScratchContext((ctx, held) => {
      if (!this.calibrated) this.calibrateNumbers(ctx);
      const tagWord = this.intTagWord;
      if (tagWord === 0) return false;
      const ab = this.newArrayBuffer(ctx, new Uint8Array(64));
      held.push(ab);
      const base = this.arrayBufferData(ctx, ab);
      if (base === 0) return false;
      const make = (ctor: string, offset: number, length: number): number => {
        const fn = this.evalScript(ctx, `(b) => new ${ctor}(b, ${offset}, ${length})`, "<quickgo layout check>");
        held.push(fn);
        const v = this.call(ctx, fn, [ab]);
        held.push(v);
        const h = this.heap32();
        return h[(v >> 2) + tagWord] === JS_TAG_OBJECT ? h[v >> 2]! >>> 0 : 0;
      };
      const str = this.newString(ctx, "x");
      held.push(str);
      const stringTag = this.heap32()[(str >> 2) + tagWord]!;
      const a = make("Uint8Array", 8, 13);
      const b = make("Uint8Array", 3, 40);
      const i8 = make("Int8Array", 8, 13);
      if (!a || !b || !i8) return false;
      const h = this.heap32();
      const classOf = (o: number): number => h[(o >> 2) + 1]! >>> 16;
      if (classOf(a) !== classOf(b) || classOf(i8) + 1 !== classOf(a)) return false; // JS_CLASS_INT8_ARRAY, then JS_CLASS_UINT8_ARRAY
      const abObj = h[(ab >> 2) + tagWord] === JS_TAG_OBJECT ? h[ab >> 2]! >>> 0 : 0;
      if (!abObj || classOf(abObj) === classOf(a)) return false;
      for (let w = 2; w < 16; w++) {
        if (h[(a >> 2) + w]! >>> 0 !== base + 8 || h[(b >> 2) + w]! >>> 0 !== base + 3) continue;
        for (let c = w + 1; c <= w + 2; c++) {
          if (h[(a >> 2) + c] === 13 && h[(b >> 2) + c] === 40) return { tagWord, stringTag, classId: classOf(a), arrayBufferClassId: classOf(abObj), ptrWord: w, countWord: c };
        }
      }
      return false;
    });
  }

  /**
   * Runs a global script in ctx (through the bytecode cache) and returns the
   * result or exception JSValue* (caller frees). With
   * `stripDebug` its functions keep no debug info: no source text (their
   * toString says [native code]), line tables or local names (stack frames
   * print "at name", no location). For the prelude, whose source every
   * goroutine would otherwise hold, nested functions' texts included. The
   * cache keys by file and source, so a file must always come with the same
   * `stripDebug` (the scheduler strips exactly PRELUDE_FILE).
   */
  evalScript(ctx: JSContextPtr, code: string, filename: string, stripDebug = false): JSValuePtr {
    const cache = this.bytecode;
    if (!cache) return this.parseScript(ctx, code, filename, 0, stripDebug);
    const desc = cache.lookup(filename, code);
    const fn = desc ? this.x.qg_read_bytecode(ctx, desc) : this.parseScript(ctx, code, filename, EVAL_COMPILE_ONLY, stripDebug);
    if (isException(this.heap32(), fn)) return fn;
    if (!desc) cache.store(ctx, filename, code, fn);
    const r = this.x.qg_eval_function(ctx, fn);
    this.x.free(fn); // the value was consumed; the cell is ours
    return r;
  }

  /**
   * A goroutine's context: every built-in, with Date, Proxy, Map/Set and the
   * typed arrays added on first use (intrinsics.ts; the prelude installs the
   * accessors). QUICKGO_LAZY_INTRINSICS=0 adds them all up front.
   */
  newGoroutineContext(rt: JSRuntimePtr): JSContextPtr {
    if (process.env.QUICKGO_LAZY_INTRINSICS === "0") return this.x.QTS_NewContext(rt, 0);
    const ctx = this.x.qg_new_context(rt);
    if (ctx) this.lazyContexts.set(ctx, 0);
    return ctx;
  }

  freeContext(ctx: JSContextPtr): void {
    this.lazyContexts.delete(ctx);
    this.x.QTS_FreeContext(ctx);
  }

  /** Adds a lazy group of built-ins to ctx, once. False if QuickJS failed (out of memory): its exception is pending in ctx. */
  addIntrinsic(ctx: JSContextPtr, group: number): boolean {
    const added = this.lazyContexts.get(ctx) ?? ALL_INTRINSICS;
    if (!LAZY_INTRINSICS[group] || added & (1 << group)) return true;
    const add = (this.x as unknown as Record<string, (ctx: JSContextPtr) => number>)[INTRINSIC_EXPORTS.add[group]!]!;
    if (add(ctx) !== 0) return false;
    this.lazyContexts.set(ctx, added | (1 << group));
    return true;
  }

  /** A malloc'd JS_EXCEPTION cell: returned from a host call, it rethrows the exception pending in the context. */
  pendingException(): JSValuePtr {
    const p = this.mallocOrThrow(8);
    const h32 = this.heap32();
    h32[p >> 2] = 0;
    h32[(p >> 2) + 1] = JS_TAG_EXCEPTION; // NaN-boxed: the tag is the high word
    return p;
  }

  /** QTS_Eval of a global script (flags: 0 runs it, EVAL_COMPILE_ONLY returns it compiled). */
  private parseScript(ctx: JSContextPtr, code: string, filename: string, flags: number, stripDebug: boolean): JSValuePtr {
    const c = this.allocString(code);
    const f = this.allocString(filename);
    const len = this.heapU8().indexOf(0, c) - c;
    const strip = stripDebug ? stripFlagsOf(this.heap32(), ctx) : 0;
    const u8 = this.heapU8();
    if (strip) u8[strip] = JS_STRIP_DEBUG;
    const r = this.x.QTS_Eval(ctx, c, len, f, 0 /* never a module */, flags /* JS_EVAL_TYPE_GLOBAL */);
    if (strip) this.heapU8()[strip] = 0;
    this.x.free(c);
    this.x.free(f);
    return r;
  }

  /** The thrown value if r is an exception (caller frees it), else 0. */
  exceptionOf(ctx: JSContextPtr, r: JSValuePtr): JSValuePtr {
    return this.x.QTS_ResolveException(ctx, r);
  }

  getProp(ctx: JSContextPtr, obj: JSValuePtr, key: string): JSValuePtr {
    const k = this.newString(ctx, key);
    const v = this.x.QTS_GetProp(ctx, obj, k);
    this.x.QTS_FreeValuePointer(ctx, k);
    return v;
  }

  setGlobal(ctx: JSContextPtr, key: string, value: JSValuePtr): void {
    const g = this.x.QTS_GetGlobalObject(ctx);
    const k = this.newString(ctx, key);
    this.x.QTS_SetProp(ctx, g, k, value);
    this.x.QTS_FreeValuePointer(ctx, k);
    this.x.QTS_FreeValuePointer(ctx, g);
  }

  getGlobal(ctx: JSContextPtr, key: string): JSValuePtr {
    const g = this.x.QTS_GetGlobalObject(ctx);
    const v = this.getProp(ctx, g, key);
    this.x.QTS_FreeValuePointer(ctx, g);
    return v;
  }

  newFunction(ctx: JSContextPtr, name: string, hostRef: number): JSValuePtr {
    const n = this.allocString(name);
    const f = this.x.QTS_NewFunction(ctx, n, 0, 0, hostRef);
    this.x.free(n);
    return f;
  }

  /** Throws `new Error(message)` in the guest; returns the exception marker for a host call to return. */
  throwError(ctx: JSContextPtr, message: string, name = "Error"): JSValuePtr {
    const err = this.x.QTS_NewError(ctx);
    for (const [k, v] of [["message", message], ["name", name]] as const) {
      const key = this.newString(ctx, k);
      const val = this.newString(ctx, v);
      this.x.QTS_SetProp(ctx, err, key, val);
      this.x.QTS_FreeValuePointer(ctx, key);
      this.x.QTS_FreeValuePointer(ctx, val);
    }
    const thrown = this.x.QTS_Throw(ctx, err);
    this.x.QTS_FreeValuePointer(ctx, err);
    return thrown;
  }
}

/** The raw exports and stack pointer of one instance, by C name. */
function exportsOf(instance: WebAssembly.Instance, manifest: WasmManifest): InstanceExports {
  const raw = instance.exports;
  const x = {} as Record<RequiredExport, unknown>;
  for (const [name, minified] of Object.entries(manifest.exports) as [RequiredExport, string][]) {
    x[name] = raw[minified];
    if (typeof x[name] !== "function") throw new Error(`quickgo: wasm export ${name} (${minified}) missing`);
  }
  for (const name of [...Object.values(BYTECODE_EXPORTS), INTRINSIC_EXPORTS.newContext, ...INTRINSIC_EXPORTS.add, ARRAY_BUFFER_DATA_EXPORT, CONSTRUCT_EXPORT]) {
    (x as Record<string, unknown>)[name] = raw[name];
    if (typeof raw[name] !== "function") throw new Error(`quickgo: wasm export ${name} missing (rebuild: npm run build)`);
  }
  const spGet = raw[STACK_POINTER_GET];
  const spSet = raw[STACK_POINTER_SET];
  const memmove = raw[MEMMOVE];
  if (typeof spGet !== "function" || typeof spSet !== "function" || typeof memmove !== "function") {
    throw new Error("quickgo: wasm stack-pointer or memmove exports missing (rebuild: npm run build)");
  }
  // Filled by keyed stores, x went to dictionary mode: every call through it
  // was a dictionary lookup in a LoadIC call (callgrind, echo server). A
  // spread copy has fast properties.
  return { x: { ...x } as unknown as RawExports, spGet: spGet as () => number, spSet: spSet as (v: number) => void, memmove: memmove as InstanceExports["memmove"] };
}

/** QuickJS's tag of an object JSValue (JS_TAG_OBJECT), in the tag word. */
const JS_TAG_OBJECT = -1;
/** QuickJS's JS_TAG_UNDEFINED. */
const JS_TAG_UNDEFINED = 3;

/** Where uint8ArrayBytes reads a Uint8Array (32-bit words of its JSObject, and of a JSValue for the tag). */
interface Uint8ArrayLayout {
  tagWord: number;
  /** a string's tag (JS_TAG_STRING), for isString */
  stringTag: number;
  classId: number;
  /** JS_CLASS_ARRAY_BUFFER's id, for isArrayBuffer */
  arrayBufferClassId: number;
  ptrWord: number;
  countWord: number;
}

/** WTF-8: UTF-8 that also carries lone surrogates (as QuickJS does). */
function encodeWtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

function decodeWtf8(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let cp: number;
    if (c < 0x80) { cp = c; i += 1; }
    else if (c < 0xe0) { cp = ((c & 31) << 6) | (b[i + 1]! & 63); i += 2; }
    else if (c < 0xf0) { cp = ((c & 15) << 12) | ((b[i + 1]! & 63) << 6) | (b[i + 2]! & 63); i += 3; }
    else { cp = ((c & 7) << 18) | ((b[i + 1]! & 63) << 12) | ((b[i + 2]! & 63) << 6) | (b[i + 3]! & 63); i += 4; }
    s += String.fromCodePoint(cp);
  }
  return s;
}
