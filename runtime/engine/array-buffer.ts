// Direct access to an ArrayBuffer's bytes in wasm memory. The variant's
// QTS_GetArrayBuffer returns a malloc'd copy, so a goroutine's write copied
// its bytes twice (into the copy, then out to the host) and paid a malloc and
// a free. The build exports JS_GetArrayBuffer itself, found as the only
// callee of QTS_GetArrayBufferLength, wrapped to take a JSValue pointer:
//
//   qg_array_buffer_data(ctx, JSValue *v, size_t *plen) -> uint8_t *  (NULL and a pending TypeError if v is not an ArrayBuffer)
//
// The pointer is valid until the guest runs again (it may detach or free the buffer).
import type binaryenType from "binaryen";
import { walk } from "./wasm-ir.js";

export const ARRAY_BUFFER_DATA_EXPORT = "qg_array_buffer_data";

export function addArrayBufferData(b: typeof binaryenType, mod: binaryenType.Module, lengthExport: string): void {
  const ref = mod.getExport(lengthExport);
  if (!ref) throw new Error(`quickgo build: export ${lengthExport} (QTS_GetArrayBufferLength) missing`);
  const fn = b.getFunctionInfo(mod.getFunction(b.getExportInfo(ref).value));
  const targets: string[] = [];
  walk(b, fn.body, (e, id) => {
    if (id !== b.CallId) return;
    const c = b.getExpressionInfo(e) as binaryenType.CallInfo;
    const callee = b.getFunctionInfo(mod.getFunction(c.target));
    const params = b.expandType(callee.params);
    if (params.length === 3 && params[2] === b.i64 && callee.results === b.i32) targets.push(c.target);
  });
  if (targets.length !== 1) throw new Error(`quickgo build: expected JS_GetArrayBuffer as the one call in QTS_GetArrayBufferLength, found ${targets.length}`);
  const i32 = b.i32;
  mod.addFunction(ARRAY_BUFFER_DATA_EXPORT, b.createType([i32, i32, i32]), i32, [],
    mod.call(targets[0]!, [mod.local.get(0, i32), mod.local.get(2, i32), mod.i64.load(0, 8, mod.local.get(1, i32))], i32));
  mod.addFunctionExport(ARRAY_BUFFER_DATA_EXPORT, ARRAY_BUFFER_DATA_EXPORT);
}
