// Lazy intrinsics: a goroutine's context starts without Date, Proxy, the
// Map/Set family and the typed arrays, and gets each group the first time
// the goroutine names one of its globals. Those four groups are 19 KiB of a
// full context's 51 KiB, and a good part of the time to create and free it
// (`node dist/bench/setup-cost.js`, Node 26 jspi, modes "bytecode" vs "lazy":
// context 154 -> 86 us, free 135 -> 107 us).
//
// How, without rebuilding QuickJS:
//  - Build time (addLazyIntrinsics): QTS_NewContext calls JS_AddIntrinsic<X>
//    under `if (intrinsics & bit)`; that gives the function of each group.
//    The build exports those four functions and adds `qg_new_context`, a copy
//    of QTS_NewContext whose calls to them go to a stub that adds nothing.
//    Everything else JS_NewContext adds (WeakRef and FinalizationRegistry
//    included) stays.
//  - In the guest (the prelude): each name of a group is an accessor on the
//    global object (non-enumerable, configurable, like the built-in). Its
//    getter asks the host to add the group (Op.AddIntrinsic), which redefines
//    the group's globals as the usual data properties; its setter just
//    defines the name. A name of the group that the program had already
//    replaced or deleted is put back the way the program left it.
//  - QuickJS creates objects of these classes only through their
//    constructors, except JS_NewArrayBuffer: the host adds the typed arrays
//    before it hands a context an ArrayBuffer (QuickJSWasm.newArrayBuffer).
//
// Invariant: a context's group is added at most once (QuickJSWasm keeps a
// bitmask per lazy context); adding twice would replace its prototypes.
import type binaryenType from "binaryen";
import { api, copyFunction, walk } from "./wasm-ir.js";

/** The lazy groups: QTS_NewContext's flag bit (c/interface.c) and the globals each one defines. */
export const LAZY_INTRINSICS = [
  { group: "Date", bit: 1 << 1, globals: ["Date"] },
  { group: "Proxy", bit: 1 << 7, globals: ["Proxy"] },
  { group: "MapSet", bit: 1 << 8, globals: ["Map", "Set", "WeakMap", "WeakSet"] },
  {
    group: "TypedArrays",
    bit: 1 << 9,
    globals: [
      "ArrayBuffer", "SharedArrayBuffer", "Uint8ClampedArray", "Int8Array", "Uint8Array", "Int16Array",
      "Uint16Array", "Int32Array", "Uint32Array", "BigInt64Array", "BigUint64Array", "Float16Array",
      "Float32Array", "Float64Array", "DataView",
    ],
  },
] as const;

/** Index of the typed-array group in LAZY_INTRINSICS (the host adds it before creating an ArrayBuffer). */
export const TYPED_ARRAYS = 3;
/** All groups added. */
export const ALL_INTRINSICS = (1 << LAZY_INTRINSICS.length) - 1;

/** Exported names: the context constructor and one adder per group, in LAZY_INTRINSICS order. */
export const INTRINSIC_EXPORTS = {
  newContext: "qg_new_context",
  add: LAZY_INTRINSICS.map((g) => `qg_add_${g.group.toLowerCase()}`),
} as const;

/** For the prelude: global name -> group index. */
export function lazyGlobals(): Record<string, number> {
  const out: Record<string, number> = {};
  LAZY_INTRINSICS.forEach((g, i) => g.globals.forEach((name) => (out[name] = i)));
  return out;
}

type B = typeof binaryenType;

class IntrinsicsShapeError extends Error {
  constructor(what: string) {
    super(`quickgo build: cannot find QuickJS's intrinsics in QTS_NewContext (${what}); reinstall the pinned version (npm ci)`);
  }
}

/**
 * Adds `qg_new_context(rt) -> ctx` and the group adders (INTRINSIC_EXPORTS).
 * `newContextExport` is QTS_NewContext's (minified) export name.
 */
export function addLazyIntrinsics(b: B, mod: binaryenType.Module, newContextExport: string): void {
  const ref = mod.getExport(newContextExport);
  if (!ref) throw new IntrinsicsShapeError("export missing");
  const fn = b.getFunctionInfo(mod.getFunction(b.getExportInfo(ref).value));
  // `if ((local 1 & bit)) { drop(call $add(local 0)) }` -> bit: $add
  const adders = new Map<number, string>();
  walk(b, fn.body, (e, id) => {
    if (id !== b.IfId) return;
    const info = b.getExpressionInfo(e) as binaryenType.IfInfo;
    if (b.getExpressionId(info.condition) !== b.BinaryId) return;
    const cond = b.getExpressionInfo(info.condition) as binaryenType.BinaryInfo;
    if (cond.op !== b.AndInt32 || b.getExpressionId(cond.right) !== b.ConstId) return;
    const flags = b.getExpressionInfo(cond.left) as binaryenType.LocalGetInfo;
    if (flags.id !== b.LocalGetId || flags.index !== 1) return;
    let body = info.ifTrue;
    if (b.getExpressionId(body) === b.BlockId) {
      const kids = (b.getExpressionInfo(body) as binaryenType.BlockInfo).children;
      if (kids.length !== 1) return;
      body = kids[0]!;
    }
    if (b.getExpressionId(body) === b.DropId) body = (b.getExpressionInfo(body) as binaryenType.DropInfo).value;
    if (b.getExpressionId(body) !== b.CallId) return;
    const call = b.getExpressionInfo(body) as binaryenType.CallInfo;
    if (call.operands.length !== 1) return;
    const bit = (b.getExpressionInfo(cond.right) as binaryenType.ConstInfo).value as number;
    if (adders.has(bit)) throw new IntrinsicsShapeError(`bit ${bit} tested twice`);
    adders.set(bit, call.target);
  });
  const lazy = LAZY_INTRINSICS.map((g) => {
    const target = adders.get(g.bit);
    if (!target) throw new IntrinsicsShapeError(`no JS_AddIntrinsic${g.group} under bit ${g.bit}`);
    return target;
  });
  if (new Set(lazy).size !== lazy.length) throw new IntrinsicsShapeError("two groups share a function");
  LAZY_INTRINSICS.forEach((_, i) => mod.addFunctionExport(lazy[i]!, INTRINSIC_EXPORTS.add[i]!));

  // The copy: every call to a lazy adder (in both of its paths) goes to the stub.
  const stub = "qg_intrinsic_deferred";
  mod.addFunction(stub, b.i32, b.i32, [], mod.i32.const(0));
  const copy = "qg_new_context_body";
  const body = copyFunction(b, mod, fn, copy);
  const redirected = new Set<string>();
  walk(b, body, (e, id) => {
    if (id !== b.CallId) return;
    const target = api(b).Call.getTarget(e);
    if (lazy.includes(target)) {
      api(b).Call.setTarget(e, stub);
      redirected.add(target);
    }
  });
  if (redirected.size !== lazy.length) throw new IntrinsicsShapeError(`redirected ${redirected.size} of ${lazy.length} adders`);
  // qg_new_context(rt) = the copy called with intrinsics 0 (JS_NewContext's set, less the lazy groups)
  mod.addFunction(INTRINSIC_EXPORTS.newContext, b.i32, b.i32, [], mod.call(copy, [mod.local.get(0, b.i32), mod.i32.const(0)], b.i32));
  mod.addFunctionExport(INTRINSIC_EXPORTS.newContext, INTRINSIC_EXPORTS.newContext);
}
