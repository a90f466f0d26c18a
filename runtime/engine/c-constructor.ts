// Calling one of QuickJS's built-in constructors from the host, without the
// interpreter. A guest `new Uint8Array(buffer)` runs a bytecode call, a
// property lookup of `prototype` and the constructor's C function; the net
// fast path (netpoll/netops.ts) makes one Uint8Array per read and only needs
// that C function. The build adds
//
//   qg_construct(fn, ctx, argc, JSValue *argv, magic, JSValue *out) -> void
//
// which calls table slot `fn` as a JSCFunctionMagic constructor,
// (ctx, new_target, argc, argv, magic) -> JSValue, with new_target undefined
// (QuickJS then takes the class's prototype from ctx, as JS_ReadObject does
// for the typed arrays it reads), and stores the result at out. Called
// directly, a C function gets no padding of missing arguments with undefined
// (the interpreter pads up to its declared length), so argv must hold every
// argument it reads: the typed-array constructor reads three.
// The slot and magic of a constructor are read from its function object at
// run time (QuickJSWasm.uint8ArrayConstructor), where a wrong guess is
// caught by a test call; call_indirect checks the slot's signature, so a
// slot of another type traps instead of running.
import type binaryenType from "binaryen";

export const CONSTRUCT_EXPORT = "qg_construct";
/** QuickJS's JS_UNDEFINED, NaN-boxed (wasm32): tag JS_TAG_UNDEFINED (3) in the high word. */
const JS_UNDEFINED = 3n << 32n;

export function addConstruct(b: typeof binaryenType, mod: binaryenType.Module): void {
  if (mod.getNumTables() !== 1) throw new Error(`quickgo build: expected one function table, found ${mod.getNumTables()}`);
  const table = b.getTableInfo(mod.getTableByIndex(0)).name;
  const { i32, i64, none } = b;
  const arg = (k: number): binaryenType.ExpressionRef => mod.local.get(k, i32);
  const call = mod.call_indirect(table, arg(0), [arg(1), (mod.i64.const as unknown as (v: bigint) => binaryenType.ExpressionRef)(JS_UNDEFINED), arg(2), arg(3), arg(4)],
    b.createType([i32, i64, i32, i32, i32]), i64);
  mod.addFunction(CONSTRUCT_EXPORT, b.createType([i32, i32, i32, i32, i32, i32]), none, [], mod.i64.store(0, 8, arg(5), call));
  mod.addFunctionExport(CONSTRUCT_EXPORT, CONSTRUCT_EXPORT);
}
