// Builds the QuickJS wasm binaries quickgo runs on, from the pinned sync
// variant of quickjs-emscripten, and a manifest naming what we need in them.
//
//   asyncify: binaryen's asyncify pass with asyncify-imports = the host-call
//             and interrupt imports, so a goroutine can be unwound from either;
//             only functions that can be on the stack then are instrumented
//             (asyncify-scope.ts).
//   jspi:     the untouched interpreter plus a small shim around those two
//             imports: `r = sync(args); if r == -1 return suspend(args); return r`.
//             V8's Suspending imports always suspend, so the common path must
//             not go through them; the engine computes the resume value before
//             it resumes the stack (a G that must wait again is not resumed),
//             so the suspend's result is the import's.
//   jspiLegacy: the same for V8 11–12's JSPI API (Node 20/22 behind a flag),
//             where the suspender is passed explicitly (buildJspiShim).
//
// Both also export `qg_sp_get`/`qg_sp_set`, which read and write the
// shadow-stack pointer, so the engine swaps stacks without depending on
// minified export names, and `qg_memmove` (memory.copy, for stack spills), and
// get malloc functions that count real bytes (heap-accounting.ts).
// Everything minified (import and export names) is read from the glue here and
// recorded in the manifest; if the glue's shape changes, the build fails loudly.
import type binaryenType from "binaryen";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { addHeapAccounting } from "./heap-accounting.js";
import { addBytecodeFunctions } from "./bytecode.js";
import { addLazyIntrinsics } from "./intrinsics.js";
import { addArrayBufferData } from "./array-buffer.js";
import { addConstruct } from "./c-constructor.js";
import { asyncifyScope } from "./asyncify-scope.js";

/** binaryen is large (~10 MB of JS): loaded only when a build actually runs, not by every program. */
let binaryen: typeof binaryenType;
async function loadBinaryen(): Promise<void> {
  binaryen ??= (await import("binaryen")).default;
}

export const VARIANT = "@jitl/quickjs-wasmfile-release-sync";
/** The variant version whose glue this build understands (package.json pins it exactly). */
export const VARIANT_VERSION = "0.32.0";
/** Bump when the rewrite itself changes, to invalidate caches. */
const BUILD_REVISION = 14;
/**
 * Functions reading and writing the stack pointer: the host moves it on
 * every switch, and a call to an export costs ~2.5 ns where
 * WebAssembly.Global's value accessor costs ~15 (Node 20 and 26, ad-hoc loop).
 */
export const STACK_POINTER_GET = "qg_sp_get";
export const STACK_POINTER_SET = "qg_sp_set";
/**
 * (dst, src, n): wasm's memory.copy, for moving a parked goroutine's stack
 * out of its region and back (stack-regions.ts): a call to it costs less
 * than TypedArray.prototype.copyWithin, a C++ builtin entered through V8's
 * runtime (~180 instructions a call, callgrind).
 */
export const MEMMOVE = "qg_memmove";
/** Returned by the shimmed sync imports (jspi) to mean "suspend me". */
export const JSPI_SUSPEND = -1;
/** Legacy jspi only: QTS_Call taking the suspender first, for a promising WebAssembly.Function. */
export const QG_CALL_PROMISING = "qg_call_promising";
const SUSPENDER_GLOBAL = "qg_suspender";

/** Raw exports the engine calls, by their C name (the glue maps them to minified names). */
export const REQUIRED_EXPORTS = [
  "malloc", "free",
  "QTS_NewRuntime", "QTS_FreeRuntime", "QTS_NewContext", "QTS_FreeContext",
  "QTS_RuntimeSetMaxStackSize", "QTS_RuntimeSetMemoryLimit", "QTS_RuntimeEnableInterruptHandler",
  "QTS_RuntimeComputeMemoryUsage",
  "QTS_GetUndefined", "QTS_GetNull", "QTS_GetTrue", "QTS_GetFalse",
  "QTS_NewFloat64", "QTS_GetFloat64", "QTS_NewString", "QTS_GetString", "QTS_FreeCString",
  "QTS_Typeof",
  "QTS_FreeValuePointer", "QTS_DupValuePointer", "QTS_Throw", "QTS_NewError",
  "QTS_GetGlobalObject", "QTS_GetProp", "QTS_SetProp", "QTS_NewFunction",
  "QTS_ArgvGetJSValueConstPointer", "QTS_Call", "QTS_Eval", "QTS_ResolveException",
  "QTS_IsJobPending", "QTS_ExecutePendingJob",
  "QTS_NewArrayBuffer", "QTS_GetArrayBuffer", "QTS_GetArrayBufferLength",
] as const;
export type RequiredExport = (typeof REQUIRED_EXPORTS)[number];
/** C exports the build reads code from (bytecode.ts), beyond the required ones. */
const BUILD_SOURCE_EXPORTS = ["QTS_bjson_encode", "QTS_bjson_decode"] as const;

/** The binaries: asyncify's, jspi's, and jspi's for V8's earlier JSPI API (see buildJspiShim). */
export type WasmFile = "asyncify" | "jspi" | "jspiLegacy";

/** What the engine needs to know about a built wasm. Written next to the binaries. */
export interface WasmManifest {
  variant: string;
  version: string;
  revision: number;
  /** wasm import module name of the glue ("a"). */
  importModule: string;
  /** Import field names, by role. */
  imports: { hostCall: string; interrupt: string; freeHostRef: string };
  /** Minified export name of each required C export. */
  exports: Record<RequiredExport, string>;
  files: Record<WasmFile, string>;
  /** Table slot of the first heap-accounting function (heap-accounting.ts), the same in every binary. */
  heapFunctionsSlot: number;
}

const here = path.dirname(fileURLToPath(import.meta.url));
/** Package root, from dist/runtime/engine/ (compiled) or runtime/engine/ (source). */
export const packageRoot = here.includes(`${path.sep}dist${path.sep}`)
  ? path.resolve(here, "../../..")
  : path.resolve(here, "../..");

export function variantDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve(`${VARIANT}/package.json`));
}

/** Cache folders, most preferred first: $QUICKGO_CACHE_DIR, the package's dist/wasm, the user cache. */
export function cacheDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.QUICKGO_CACHE_DIR) dirs.push(process.env.QUICKGO_CACHE_DIR);
  dirs.push(path.join(packageRoot, "dist", "wasm"));
  dirs.push(path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "quickgo"));
  return dirs;
}

function manifestName(): string {
  return `quickjs-${VARIANT_VERSION}-r${BUILD_REVISION}.json`;
}

/** Finds a complete cached build, or undefined. */
export function findBuild(): { dir: string; manifest: WasmManifest } | undefined {
  for (const dir of cacheDirs()) {
    const file = path.join(dir, manifestName());
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, "utf8")) as WasmManifest;
    if (Object.values(manifest.files).every((f) => fs.existsSync(path.join(dir, f)))) {
      return { dir, manifest };
    }
  }
  return undefined;
}

class GlueMismatchError extends Error {
  constructor(what: string) {
    super(
      `quickgo build: the glue of ${VARIANT}@${readVariantVersion()} does not match what this build understands ` +
        `(${VARIANT_VERSION}): ${what}. Reinstall with the pinned version (npm ci).`,
    );
  }
}

function readVariantVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(variantDir(), "package.json"), "utf8")) as { version: string }).version;
}

/** What the build reads out of the glue: the manifest's names, plus the minified names of BUILD_SOURCE_EXPORTS. */
export type Glue = Pick<WasmManifest, "importModule" | "imports" | "exports"> & { sources: Record<string, string> };

/** Reads import and export names out of the minified emscripten glue. */
export function readGlue(glue: string): Glue {
  const importOf = (callback: string): string => {
    const m = new RegExp(`([\\w$]+):function\\([^)]*\\)\\{(?:[^{}]*;)?return [\\w$]+\\.callbacks\\.${callback}\\(`).exec(glue);
    if (!m) throw new GlueMismatchError(`no import calling callbacks.${callback}`);
    return m[1]!;
  };
  const freeHostRef = /([\w$]+):function\([^)]*\)\{[\w$]+\.callbacks\.freeHostRef\(/.exec(glue)?.[1];
  if (!freeHostRef) throw new GlueMismatchError("no import calling callbacks.freeHostRef");
  const importModule = /var [\w$]+=\{([\w$]+):[\w$]+\};if\([\w$]+\.instantiateWasm\)/.exec(glue)?.[1];
  if (!importModule) throw new GlueMismatchError("cannot find the wasm import object");
  const exportOf = (name: string): string => {
    const m = new RegExp(`[\\w$]+\\._${name}=[\\w$]+\\.([\\w$]+)[;,]`).exec(glue);
    if (!m) throw new GlueMismatchError(`export _${name} not found`);
    return m[1]!;
  };
  const exports = {} as Record<RequiredExport, string>;
  for (const name of REQUIRED_EXPORTS) exports[name] = exportOf(name);
  const sources: Record<string, string> = {};
  for (const name of BUILD_SOURCE_EXPORTS) sources[name] = exportOf(name);
  return {
    importModule,
    imports: { hostCall: importOf("callFunction"), interrupt: importOf("shouldInterrupt"), freeHostRef },
    exports,
    sources,
  };
}

// Features the emscripten output uses; Features.All emits a binary V8 cannot load.
function setFeatures(mod: binaryenType.Module): void {
  const F = binaryen.Features;
  mod.setFeatures(
    F.MutableGlobals | F.NontrappingFPToInt | F.SignExt | F.BulkMemory | F.BulkMemoryOpt | F.Multivalue |
      F.ReferenceTypes | F.CallIndirectOverlong,
  );
}

/** The stack pointer is the global that the (only) zero-argument `global.get` export returns: stackSave. */
function exportStackPointer(mod: binaryenType.Module): void {
  const candidates = new Set<string>();
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (info.kind !== binaryen.ExternalFunction) continue;
    const fn = binaryen.getFunctionInfo(mod.getFunction(info.value));
    if (!fn.body || binaryen.expandType(fn.params).length !== 0) continue;
    const body = binaryen.getExpressionInfo(fn.body) as binaryenType.ExpressionInfo & { name?: string };
    if (body.id === binaryen.GlobalGetId && body.name) candidates.add(body.name);
  }
  if (candidates.size !== 1) throw new GlueMismatchError(`expected one stack-pointer global, found ${candidates.size}`);
  const sp = [...candidates][0]!;
  const { i32, none } = binaryen;
  mod.addFunction(STACK_POINTER_GET, none, i32, [], mod.global.get(sp, i32));
  mod.addFunctionExport(STACK_POINTER_GET, STACK_POINTER_GET);
  mod.addFunction(STACK_POINTER_SET, i32, none, [], mod.global.set(sp, mod.local.get(0, i32)));
  mod.addFunctionExport(STACK_POINTER_SET, STACK_POINTER_SET);
}

function exportMemmove(mod: binaryenType.Module): void {
  const { i32, none } = binaryen;
  const arg = (k: number): binaryenType.ExpressionRef => mod.local.get(k, i32);
  mod.addFunction(MEMMOVE, binaryen.createType([i32, i32, i32]), none, [], mod.memory.copy(arg(0), arg(1), arg(2)));
  mod.addFunctionExport(MEMMOVE, MEMMOVE);
}

function findImport(mod: binaryenType.Module, module: string, base: string): binaryenType.FunctionInfo {
  for (let k = 0; k < mod.getNumFunctions(); k++) {
    const fi = binaryen.getFunctionInfo(mod.getFunctionByIndex(k));
    if (fi.module === module && fi.base === base) return fi;
  }
  throw new GlueMismatchError(`wasm import ${module}.${base} not found`);
}

/**
 * The function table's initial contents, by binaryen's names (assigned when
 * the original binary is read, so they name the same C function in both
 * outputs). Function pointers are table slots: the asyncify instance's setup
 * twin (quickjs.ts) is sound only if both binaries fill the table alike.
 */
function tableOf(mod: binaryenType.Module): string {
  const segs: string[] = [];
  for (let i = 0; i < mod.getNumElementSegments(); i++) {
    const seg = binaryen.getElementSegmentInfo(mod.getElementSegmentByIndex(i));
    segs.push(`${seg.table}@${JSON.stringify(binaryen.getExpressionInfo(seg.offset))}:${seg.data.join(",")}`);
  }
  return segs.join(";");
}

function glueExport(glue: Glue, name: string): string {
  const minified = glue.sources[name] ?? (glue.exports as Record<string, string>)[name];
  if (!minified) throw new GlueMismatchError(`export _${name} not read from the glue`);
  return minified;
}

interface Built {
  bytes: Uint8Array;
  table: string;
  heapFunctionsSlot: number;
}

function buildAsyncify(wasm: Uint8Array, glue: Glue): Built & { instrumented: { count: number; of: number } } {
  const mod = binaryen.readBinary(wasm);
  setFeatures(mod);
  exportStackPointer(mod);
  exportMemmove(mod);
  const heapFunctionsSlot = addHeapAccounting(binaryen, mod, glue.exports.malloc, glue.exports.free);
  addBytecodeFunctions(binaryen, mod, (name) => glueExport(glue, name));
  addLazyIntrinsics(binaryen, mod, glue.exports.QTS_NewContext);
  addArrayBufferData(binaryen, mod, glue.exports.QTS_GetArrayBufferLength);
  addConstruct(binaryen, mod);
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  const m = glue.importModule;
  const unwinding = [glue.imports.hostCall, glue.imports.interrupt].map((base) => ({ module: m, base }));
  binaryen.setPassArgument("asyncify-imports", unwinding.map((u) => `${u.module}.${u.base}`).join(","));
  // Only what can be on the stack when a goroutine parks (asyncify-scope.ts).
  const scope = asyncifyScope(binaryen, mod, unwinding);
  binaryen.setPassArgument("asyncify-onlylist", scope.instrument.join(","));
  mod.runPasses(["asyncify"]);
  binaryen.setPassArgument("asyncify-imports", null);
  binaryen.setPassArgument("asyncify-onlylist", null);
  if (!mod.validate()) throw new Error("quickgo build: asyncify output does not validate");
  const out = { bytes: mod.emitBinary(), table: tableOf(mod), heapFunctionsSlot, instrumented: { count: scope.instrument.length, of: scope.total } };
  mod.dispose();
  return out;
}

/**
 * The jspi shim. `legacy`: for the JSPI of V8 11–12 (Node 20 and 22 with
 * --experimental-wasm-stack-switching), where a suspending import and a
 * promising export take the suspender as an explicit first externref: the
 * entry export QG_CALL_PROMISING stores it in a global, and the shim passes
 * it to the Suspending twin, then puts it back once that returns (other
 * goroutines' entries overwrote the global while this one was suspended).
 * Emitted without the GC feature: V8 11 does not know `noextern`.
 */
function buildJspiShim(wasm: Uint8Array, glue: Glue, legacy: boolean): Built {
  const mod = binaryen.readBinary(wasm);
  setFeatures(mod);
  exportStackPointer(mod);
  exportMemmove(mod);
  const heapFunctionsSlot = addHeapAccounting(binaryen, mod, glue.exports.malloc, glue.exports.free);
  addBytecodeFunctions(binaryen, mod, (name) => glueExport(glue, name));
  addLazyIntrinsics(binaryen, mod, glue.exports.QTS_NewContext);
  addArrayBufferData(binaryen, mod, glue.exports.QTS_GetArrayBufferLength);
  addConstruct(binaryen, mod);
  const { externref, i32 } = binaryen;
  if (legacy) {
    mod.addGlobal(SUSPENDER_GLOBAL, externref, true, mod.ref.null(externref));
    const call = binaryen.getFunctionInfo(mod.getFunction(exportedFunction(mod, glue.exports.QTS_Call)));
    const params = binaryen.expandType(call.params);
    mod.addFunction(QG_CALL_PROMISING, binaryen.createType([externref, ...params]), call.results, [],
      mod.block(null, [
        mod.global.set(SUSPENDER_GLOBAL, mod.local.get(0, externref)),
        mod.return(mod.call(call.name, params.map((t, j) => mod.local.get(j + 1, t)), call.results)),
      ]));
    mod.addFunctionExport(QG_CALL_PROMISING, QG_CALL_PROMISING);
  }
  for (const base of [glue.imports.hostCall, glue.imports.interrupt]) {
    const { name, params, results } = findImport(mod, glue.importModule, base);
    const paramTypes = binaryen.expandType(params);
    const args = (): binaryenType.ExpressionRef[] => paramTypes.map((t, j) => mod.local.get(j, t));
    const result = paramTypes.length; // extra locals: the result, and (legacy) the suspender
    const suspender = result + 1;
    mod.removeFunction(name);
    mod.addFunctionImport(`${name}_sync`, glue.importModule, base, params, results);
    const suspendParams = legacy ? binaryen.createType([externref, ...paramTypes]) : params;
    mod.addFunctionImport(`${name}_suspend`, glue.importModule, `${base}_suspend`, suspendParams, results);
    const suspend = legacy
      ? mod.block(null, [
          mod.local.set(suspender, mod.global.get(SUSPENDER_GLOBAL, externref)),
          mod.local.set(result, mod.call(`${name}_suspend`, [mod.local.get(suspender, externref), ...args()], results)),
          mod.global.set(SUSPENDER_GLOBAL, mod.local.get(suspender, externref)),
          mod.return(mod.local.get(result, i32)),
        ])
      : mod.return(mod.call(`${name}_suspend`, args(), results));
    mod.addFunction(name, params, results, legacy ? [i32, externref] : [i32],
      mod.block(null, [
        mod.local.set(result, mod.call(`${name}_sync`, args(), results)),
        mod.if(mod.i32.eq(mod.local.get(result, i32), mod.i32.const(JSPI_SUSPEND)), suspend),
        mod.return(mod.local.get(result, i32)),
      ]));
  }
  if (!mod.validate()) throw new Error("quickgo build: jspi shim does not validate");
  const out = { bytes: mod.emitBinary(), table: tableOf(mod), heapFunctionsSlot };
  mod.dispose();
  return out;
}

/** The internal name of the function exported as `minified`. */
function exportedFunction(mod: binaryenType.Module, minified: string): string {
  for (let i = 0; i < mod.getNumExports(); i++) {
    const info = binaryen.getExportInfo(mod.getExportByIndex(i));
    if (info.kind === binaryen.ExternalFunction && info.name === minified) return info.value;
  }
  throw new GlueMismatchError(`export ${minified} not found in the wasm`);
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Builds both binaries into the first writable cache folder and returns where. */
export async function buildWasm(log: (line: string) => void = () => {}): Promise<{ dir: string; manifest: WasmManifest }> {
  await loadBinaryen();
  const version = readVariantVersion();
  if (version !== VARIANT_VERSION) {
    throw new GlueMismatchError(`installed version is ${version}`);
  }
  const vdir = path.join(variantDir(), "dist");
  const glue = readGlue(fs.readFileSync(path.join(vdir, "emscripten-module.mjs"), "utf8"));
  const wasm = fs.readFileSync(path.join(vdir, "emscripten-module.wasm"));
  const dir = cacheDirs().find(writable);
  if (!dir) throw new Error(`quickgo build: no writable cache folder among ${cacheDirs().join(", ")}`);
  const stem = `quickjs-${VARIANT_VERSION}-r${BUILD_REVISION}`;
  let t = performance.now();
  const jspi = buildJspiShim(wasm, glue, false);
  const jspiLegacy = buildJspiShim(wasm, glue, true);
  const manifest: WasmManifest = {
    variant: VARIANT, version, revision: BUILD_REVISION,
    importModule: glue.importModule, imports: glue.imports, exports: glue.exports,
    files: { asyncify: `${stem}-asyncify.wasm`, jspi: `${stem}-jspi.wasm`, jspiLegacy: `${stem}-jspi-legacy.wasm` },
    heapFunctionsSlot: jspi.heapFunctionsSlot,
  };
  fs.writeFileSync(path.join(dir, manifest.files.jspi), jspi.bytes);
  fs.writeFileSync(path.join(dir, manifest.files.jspiLegacy), jspiLegacy.bytes);
  log(`quickgo: jspi shims built in ${(performance.now() - t).toFixed(0)} ms`);
  t = performance.now();
  const asyncify = buildAsyncify(wasm, glue);
  if (asyncify.table !== jspi.table || asyncify.heapFunctionsSlot !== jspi.heapFunctionsSlot) throw new Error("quickgo build: the asyncify pass changed the function table (the setup twin needs it unchanged)");
  fs.writeFileSync(path.join(dir, manifest.files.asyncify), asyncify.bytes);
  log(`quickgo: asyncify pass done in ${(performance.now() - t).toFixed(0)} ms (${asyncify.instrumented.count} of ${asyncify.instrumented.of} functions instrumented)`);
  // The manifest is written last: its presence means the build is complete.
  fs.writeFileSync(path.join(dir, manifestName()), JSON.stringify(manifest, null, 2));
  return { dir, manifest };
}

/** The cached build, building it first (with a message) when there is none. */
export async function ensureWasm(log: (line: string) => void): Promise<{ dir: string; manifest: WasmManifest }> {
  const found = findBuild();
  if (found) return found;
  log("quickgo: preparing QuickJS for goroutines (one-time binaryen pass, ~10 s)...");
  return buildWasm(log);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    const cached = process.argv.includes("--force") ? undefined : findBuild();
    const { dir } = cached ?? (await buildWasm((line) => console.log(line)));
    console.log(`quickgo: wasm ${cached ? "already built" : "cached"} in ${dir}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}
