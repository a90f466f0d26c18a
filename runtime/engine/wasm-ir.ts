// binaryen IR helpers for the build's surgery on the variant's code
// (bytecode.ts, intrinsics.ts): a strict walker, a function copier, and the
// expression accessors binaryen.js has but its typings omit.
import type binaryenType from "binaryen";

type B = typeof binaryenType;
type Expr = binaryenType.ExpressionRef;

/** getExpressionInfo, which in binaryen.js throws on `unreachable` and `nop`. */
export function infoOf(b: B, e: Expr): binaryenType.ExpressionInfo {
  const id = b.getExpressionId(e);
  if (id === b.UnreachableId || id === b.NopId) return { id, type: b.unreachable };
  return b.getExpressionInfo(e);
}

/**
 * Every expression under `root` (pre-order) with the ids these functions use;
 * an unknown id fails the build.
 */
export function walk(b: B, root: Expr, visit: (e: Expr, id: number) => void): void {
  const stack: Expr[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    if (!e) continue;
    const id = b.getExpressionId(e);
    visit(e, id);
    const info = infoOf(b, e) as binaryenType.ExpressionInfo & Record<string, unknown>;
    const kids = (...names: string[]): void => {
      for (const n of names) {
        const v = info[n];
        if (Array.isArray(v)) stack.push(...(v as Expr[]));
        else if (typeof v === "number" && v) stack.push(v);
      }
    };
    switch (info.id) {
      case b.BlockId: kids("children"); break;
      case b.IfId: kids("condition", "ifTrue", "ifFalse"); break;
      case b.LoopId: kids("body"); break;
      case b.BreakId: kids("condition", "value"); break;
      case b.SwitchId: kids("condition", "value"); break;
      case b.CallId: kids("operands"); break;
      case b.CallIndirectId: kids("target", "operands"); break;
      case b.LocalSetId: case b.GlobalSetId: case b.DropId: case b.ReturnId: case b.UnaryId: kids("value"); break;
      case b.LoadId: kids("ptr"); break;
      case b.StoreId: kids("ptr", "value"); break;
      case b.BinaryId: kids("left", "right"); break;
      case b.SelectId: kids("ifTrue", "ifFalse", "condition"); break;
      case b.MemoryCopyId: kids("dest", "source", "size"); break;
      case b.MemoryFillId: kids("dest", "value", "size"); break;
      case b.ConstId: case b.LocalGetId: case b.GlobalGetId: case b.NopId: case b.UnreachableId: break;
      default: throw new Error(`quickgo build: unexpected wasm expression id ${info.id} in the code being rewritten`);
    }
  }
}

/** binaryen.js's expression accessors that its typings omit (i64 constants are BigInt). */
export interface Accessors {
  Const: { setValueI64(e: Expr, v: bigint): void };
  Store: { getValue(e: Expr): Expr };
  LocalSet: { getValue(e: Expr): Expr; setValue(e: Expr, v: Expr): void };
  Call: { getTarget(e: Expr): string; setTarget(e: Expr, name: string): void };
  Function: { getNumVars(f: binaryenType.FunctionRef): number; getVar(f: binaryenType.FunctionRef, i: number): number };
}
export const api = (b: B): Accessors => b as unknown as Accessors;

export function setI64(b: B, e: Expr, v: bigint): void {
  api(b).Const.setValueI64(e, v);
}

/** Adds a copy of `fn` named `name` and returns its body for patching (the body is a fresh copy). */
export function copyFunction(b: B, mod: binaryenType.Module, fn: binaryenType.FunctionInfo, name: string): Expr {
  const ref = mod.getFunction(fn.name);
  const vars: number[] = [];
  for (let i = 0; i < api(b).Function.getNumVars(ref); i++) vars.push(api(b).Function.getVar(ref, i));
  const body = mod.copyExpression(fn.body);
  mod.addFunction(name, fn.params, fn.results, vars, body);
  return body;
}

