// Which functions the asyncify pass instruments (wasm-build.ts).
//
// binaryen's own analysis assumes that any indirect call may reach an
// import that unwinds, so every function that makes one, and everything
// that calls those, is instrumented: in QuickJS that is most of the code,
// since js_malloc, js_free and js_realloc call through function pointers.
// But a wasm call_indirect traps unless the callee's signature is the one
// the call names, so an indirect call can only reach table functions of
// that signature. This computes, from the call graph with indirect calls
// resolved by signature, the functions that can reach an unwinding import,
// and they become the pass's only-list. The set is exact with respect to
// that graph: a function outside it cannot be on the stack when a goroutine
// parks, so leaving it uninstrumented is sound.
import type binaryenType from "binaryen";

type B = typeof binaryenType;

/** An import that can start an unwind, as asyncify-imports names it. */
export interface UnwindingImport {
  module: string;
  base: string;
}

/**
 * The function names the asyncify pass must instrument: those that can reach
 * one of `unwinding` (each must be imported by the module); `total` is the
 * number of functions the module defines.
 */
export function asyncifyScope(b: B, mod: binaryenType.Module, unwinding: readonly UnwindingImport[]): { instrument: string[]; total: number } {
  const typeName = (t: number): string => {
    if (t === b.i32) return "i32";
    if (t === b.i64) return "i64";
    if (t === b.f32) return "f32";
    if (t === b.f64) return "f64";
    if (t === b.v128) return "v128";
    throw new Error(`quickgo build: unexpected value type ${t} in a function signature`);
  };
  const signature = (params: number, results: number): string =>
    `${b.expandType(params).map(typeName).join(",")}->${b.expandType(results).map(typeName).join(",")}`;

  const sigOf = new Map<string, string>();
  const defined: string[] = [];
  const asyncImports: string[] = [];
  for (let i = 0; i < mod.getNumFunctions(); i++) {
    const info = b.getFunctionInfo(mod.getFunctionByIndex(i));
    sigOf.set(info.name, signature(info.params, info.results));
    if (!info.module) defined.push(info.name);
    else if (unwinding.some((u) => u.module === info.module && u.base === info.base)) asyncImports.push(info.name);
  }
  if (asyncImports.length !== unwinding.length) {
    throw new Error(`quickgo build: not every unwinding import (${unwinding.map((u) => `${u.module}.${u.base}`).join(", ")}) is in the binary`);
  }

  // Table functions by signature: what a call_indirect of that signature may reach.
  const tableBySig = new Map<string, string[]>();
  for (let i = 0; i < mod.getNumElementSegments(); i++) {
    for (const f of b.getElementSegmentInfo(mod.getElementSegmentByIndex(i)).data) {
      const s = sigOf.get(f);
      if (s === undefined) throw new Error(`quickgo build: table entry ${f} is not a function`);
      let list = tableBySig.get(s);
      if (!list) tableBySig.set(s, (list = []));
      list.push(f);
    }
  }

  // Calls, from the module's text: binaryen.js has no generic expression walker.
  const text = mod.emitText();
  const typeSig = new Map<string, string>();
  for (const m of text.matchAll(/^ \(type (\$\S+) \(func((?: \((?:param|result)[^)]*\))*)\)\)$/gm)) {
    const of = (kind: string): string[] => [...m[2]!.matchAll(new RegExp(`\\(${kind} ([^)]*)\\)`, "g"))].flatMap((x) => x[1]!.trim().split(/\s+/));
    typeSig.set(m[1]!, `${of("param").join(",")}->${of("result").join(",")}`);
  }
  const direct = new Map<string, Set<string>>();
  const indirect = new Map<string, Set<string>>();
  const unname = (n: string): string => (n.startsWith('$"') ? JSON.parse(n.slice(1)) : n.slice(1));
  for (const part of text.split(/\n (?=\(func \$)/).slice(1)) {
    const name = unname(/^\(func (\$"[^"]*"|\$[^\s()]+)/.exec(part)![1]!);
    if (part.includes("call_ref")) throw new Error("quickgo build: call_ref is not analysed");
    direct.set(name, new Set([...part.matchAll(/\((?:return_)?call (\$"[^"]*"|\$[^\s()]+)/g)].map((x) => unname(x[1]!))));
    const sigs = new Set<string>();
    for (const x of part.matchAll(/\((?:return_)?call_indirect(?: \S+)? \(type (\$[^\s()]+)\)/g)) {
      const s = typeSig.get(x[1]!);
      if (s === undefined) throw new Error(`quickgo build: unknown type ${x[1]} in a call_indirect`);
      sigs.add(s);
    }
    indirect.set(name, sigs);
  }
  for (const f of defined) if (!direct.has(f)) throw new Error(`quickgo build: function ${f} not found in the module's text`);

  // Fixpoint: f reaches an unwinding import if it calls one, calls a function that
  // does, or makes an indirect call of a signature some such table function has.
  const reaches = new Set<string>(asyncImports);
  for (let changed = true; changed; ) {
    changed = false;
    for (const f of defined) {
      if (reaches.has(f)) continue;
      let hit = false;
      for (const c of direct.get(f)!) if (reaches.has(c)) { hit = true; break; }
      if (!hit) {
        for (const s of indirect.get(f)!) {
          if ((tableBySig.get(s) ?? []).some((t) => reaches.has(t))) { hit = true; break; }
        }
      }
      if (hit) {
        reaches.add(f);
        changed = true;
      }
    }
  }
  return { instrument: defined.filter((f) => reaches.has(f)), total: defined.length };
}
