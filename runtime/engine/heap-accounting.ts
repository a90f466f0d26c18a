// Real byte accounting for QuickJS heaps, per runtime and per goroutine, so
// that a goroutine's memory limit bounds its bytes even when several
// goroutines share one JSRuntime (runtime-groups.ts).
//
// Why: QuickJS counts an allocation as malloc_usable_size(p) + 8, and its
// emscripten build has no malloc_usable_size (it returns 0). So a runtime's
// malloc_size grew by 8 per live allocation whatever its size: a limit
// refused one allocation larger than itself but let any number of smaller
// ones through (a loop pushing 1 MiB strings ran the instance out of its
// 2 GiB before a 64 MiB limit was reached). Upstream knows
// (justjake/quickjs-emscripten#206, #271); fixing it in C needs our own build.
// And QuickJS's limit is per runtime, while ours is per goroutine.
//
// How, without rebuilding QuickJS:
//  - Build time (addHeapAccounting): every binary gets four functions with
//    the signatures of QuickJS's JSMallocFunctions (malloc, free, realloc,
//    usable_size) that do what js_def_* do, but add dlmalloc's real usable size
//    of each block. They are appended to the function table at the same slots
//    in every binary (the setup twin needs identical tables).
//  - Each also charges the goroutine account that JSMallocState.opaque
//    points to (0: none), and refuses an allocation that would take that
//    account past its limit. The host points opaque at the running
//    goroutine's account whenever it switches (runtime-groups.ts). The
//    runtime's own malloc_size stays the total, which QuickJS's GC trigger
//    reads; its malloc_limit is not used.
//  - Load time (installHeapAccounting): JS_NewRuntime copies its functions
//    from a static JSMallocFunctions in the data segment. We find that struct
//    (the four slots a fresh runtime starts with, stored once below the heap)
//    and point it at ours, before any goroutine's runtime exists, so every
//    runtime counts every byte from its first allocation.
//
// Invariants: a block's accounted size is usable(p) + 8 at malloc and at free,
// so a runtime's malloc_size returns exactly to its start when everything is
// freed. An account is charged by whichever goroutine runs when a block is
// allocated or freed; a block one goroutine allocated and another freed (an
// atom both used, garbage the collector found while the other ran) moves
// bytes between them, so an account never goes below 0 (it is clamped).
import type binaryenType from "binaryen";

/** Byte offset of JSRuntime's JSMallocState: it follows the four JSMallocFunctions slots (checked at load). */
export const RT_MALLOC_STATE = 16;
/** JSMallocState (quickjs.c), wasm32: size_t fields at these byte offsets. */
const STATE_COUNT = 0;
export const STATE_SIZE = 4;
/** (malloc_limit, at 8, is not used: limits are per goroutine account.) */
/** JSMallocState.opaque (unused by QuickJS, NULL from JS_NewRuntime): the account charged now, or 0. */
export const STATE_ACCOUNT = 12;
/**
 * A goroutine's account (ACCOUNT_BYTES bytes of wasm memory, runtime-groups.ts):
 * its bytes, its limit (0xffffffff: none), and a flag the functions set to 1
 * once they refuse an allocation for the limit, so the host can tell why a
 * goroutine died (QuickJS throws null when it has no room even for its "out
 * of memory" error).
 */
export const ACCOUNT_SIZE = 0;
export const ACCOUNT_LIMIT = 4;
export const ACCOUNT_LIMIT_HIT = 8;
export const ACCOUNT_BYTES = 12;
/** QuickJS's MALLOC_OVERHEAD, kept so figures match what QuickJS reports elsewhere. */
const MALLOC_OVERHEAD = 8;
/**
 * A shrinking realloc keeps its block when it would free at most this
 * fraction (1/4) of it: QuickJS trims many buffers by a few bytes, and a
 * copy for each would cost more than the slack.
 */
const SHRINK_KEEP_SHIFT = 2;

interface TableLimitsApi {
  _BinaryenTableSetInitial(table: number, n: number): void;
  _BinaryenTableHasMax(table: number): boolean;
  _BinaryenTableGetMax(table: number): number;
  _BinaryenTableSetMax(table: number, n: number): void;
}

/** Function names added to the module, in JSMallocFunctions order. */
export const HEAP_FUNCTIONS = ["qg_heap_malloc", "qg_heap_free", "qg_heap_realloc", "qg_heap_usable"] as const;

/**
 * Adds the accounting functions to `mod` and to its function table; returns
 * the table slot of the first (the others follow in HEAP_FUNCTIONS order).
 * `mallocExport`/`freeExport` are the (minified) export names of malloc/free.
 */
export function addHeapAccounting(binaryen: typeof binaryenType, mod: binaryenType.Module, mallocExport: string, freeExport: string): number {
  const { i32, none } = binaryen;
  const internal = (exportName: string): string => binaryen.getExportInfo(mod.getExport(exportName)).value;
  const malloc = internal(mallocExport);
  const free = internal(freeExport);
  const get = (i: number): binaryenType.ExpressionRef => mod.local.get(i, i32);
  const load = (ptr: binaryenType.ExpressionRef, offset: number): binaryenType.ExpressionRef => mod.i32.load(offset, 4, ptr);
  const store = (ptr: binaryenType.ExpressionRef, offset: number, v: binaryenType.ExpressionRef): binaryenType.ExpressionRef =>
    mod.i32.store(offset, 4, ptr, v);
  const u64 = (v: binaryenType.ExpressionRef): binaryenType.ExpressionRef => mod.i64.extend_u(v);
  /**
   * usable(p): dlmalloc's chunk size (head & ~7) minus its 4-byte head, the
   * head being the word before p. (p - 4 cannot be a load offset: offsets are
   * unsigned.) Checked against malloc at load (installHeapAccounting).
   */
  const usableOf = (p: binaryenType.ExpressionRef): binaryenType.ExpressionRef =>
    mod.i32.sub(mod.i32.and(load(mod.i32.sub(p, mod.i32.const(4)), 0), mod.i32.const(-8)), mod.i32.const(4));
  /** The account charged now (s->opaque; 0: none). */
  const acct = (s: number): binaryenType.ExpressionRef => load(get(s), STATE_ACCOUNT);
  /** There is an account and its bytes + add - sub > its limit, in 64 bits (no wrap-around). */
  const overLimit = (s: number, add: binaryenType.ExpressionRef, sub?: binaryenType.ExpressionRef): binaryenType.ExpressionRef => {
    let total = mod.i64.add(u64(load(acct(s), ACCOUNT_SIZE)), u64(add));
    if (sub) total = mod.i64.sub(total, u64(sub));
    return mod.if(acct(s), mod.i64.gt_s(total, u64(load(acct(s), ACCOUNT_LIMIT))), mod.i32.const(0));
  };
  const refuse = (s: number): binaryenType.ExpressionRef =>
    mod.block(null, [store(acct(s), ACCOUNT_LIMIT_HIT, mod.i32.const(1)), mod.return(mod.i32.const(0))]);
  /**
   * Adds `bytes` (an i32 local, possibly negative) to the runtime's total and
   * to the account, if any, which is clamped at 0; `countDelta` to the block count.
   */
  const account = (s: number, countDelta: number, bytes: number): binaryenType.ExpressionRef =>
    mod.block(null, [
      store(get(s), STATE_COUNT, mod.i32.add(load(get(s), STATE_COUNT), mod.i32.const(countDelta))),
      store(get(s), STATE_SIZE, mod.i32.add(load(get(s), STATE_SIZE), get(bytes))),
      mod.if(acct(s), store(acct(s), ACCOUNT_SIZE,
        mod.select(
          mod.i32.lt_s(mod.i32.add(load(acct(s), ACCOUNT_SIZE), get(bytes)), mod.i32.const(0)),
          mod.i32.const(0),
          mod.i32.add(load(acct(s), ACCOUNT_SIZE), get(bytes)),
        ))),
    ]);

  // qg_heap_usable(p) -> size
  mod.addFunction("qg_heap_usable", binaryen.createType([i32]), i32, [],
    mod.if(get(0), usableOf(get(0)), mod.i32.const(0)));

  // qg_heap_malloc(s, size) -> p   (locals: 2 = p, 3 = bytes)
  mod.addFunction("qg_heap_malloc", binaryen.createType([i32, i32]), i32, [i32, i32],
    mod.block(null, [
      mod.if(overLimit(0, get(1)), refuse(0)),
      mod.local.set(2, mod.call(malloc, [get(1)], i32)),
      mod.if(mod.i32.eqz(get(2)), mod.return(mod.i32.const(0))),
      mod.local.set(3, mod.i32.add(usableOf(get(2)), mod.i32.const(MALLOC_OVERHEAD))),
      account(0, 1, 3),
      mod.return(get(2)),
    ], i32));

  // qg_heap_free(s, p)   (locals: 2 = -bytes)
  mod.addFunction("qg_heap_free", binaryen.createType([i32, i32]), none, [i32],
    mod.if(get(1), mod.block(null, [
      mod.local.set(2, mod.i32.sub(mod.i32.const(0), mod.i32.add(usableOf(get(1)), mod.i32.const(MALLOC_OVERHEAD)))),
      account(0, -1, 2),
      mod.call(free, [get(1)], none),
    ])));

  // qg_heap_realloc(s, p, size) -> q   (locals: 3 = old usable, 4 = q, 5 = bytes)
  // As js_def_realloc: p == 0 is malloc, size == 0 is free. Otherwise a new
  // block, a copy and a free (the wasm has no realloc export to call), except
  // for a small shrink, which keeps the block.
  mod.addFunction("qg_heap_realloc", binaryen.createType([i32, i32, i32]), i32, [i32, i32, i32],
    mod.block(null, [
      mod.if(mod.i32.eqz(get(1)),
        mod.return(mod.if(get(2), mod.call("qg_heap_malloc", [get(0), get(2)], i32), mod.i32.const(0)))),
      mod.if(mod.i32.eqz(get(2)), mod.block(null, [
        mod.call("qg_heap_free", [get(0), get(1)], none),
        mod.return(mod.i32.const(0)),
      ])),
      mod.local.set(3, usableOf(get(1))),
      mod.if(
        mod.i32.and(
          mod.i32.le_u(get(2), get(3)),
          mod.i32.le_u(mod.i32.sub(get(3), get(2)), mod.i32.shr_u(get(3), mod.i32.const(SHRINK_KEEP_SHIFT))),
        ),
        mod.return(get(1)),
      ),
      mod.if(overLimit(0, get(2), get(3)), refuse(0)),
      mod.local.set(4, mod.call(malloc, [get(2)], i32)),
      mod.if(mod.i32.eqz(get(4)), mod.return(mod.i32.const(0))),
      mod.memory.copy(get(4), get(1), mod.select(mod.i32.lt_u(get(2), get(3)), get(2), get(3))),
      mod.local.set(5, mod.i32.sub(usableOf(get(4)), get(3))),
      account(0, 0, 5),
      mod.call(free, [get(1)], none),
      mod.return(get(4)),
    ], i32));

  // binaryen.js exposes table limits only through its C API.
  const c = binaryen as unknown as TableLimitsApi;
  const table = mod.getTableByIndex(0);
  const info = binaryen.getTableInfo(table);
  const first = info.initial;
  mod.addActiveElementSegment(info.name, "qg_heap", [...HEAP_FUNCTIONS], mod.i32.const(first));
  c._BinaryenTableSetInitial(table, first + HEAP_FUNCTIONS.length);
  if (c._BinaryenTableHasMax(table)) c._BinaryenTableSetMax(table, Math.max(c._BinaryenTableGetMax(table), first + HEAP_FUNCTIONS.length));
  return first;
}

/** What installHeapAccounting needs of an instance. */
export interface HeapAccountingTarget {
  malloc(size: number): number;
  free(p: number): void;
  newRuntime(): number;
  freeRuntime(rt: number): void;
  heap32(): Int32Array;
}

/**
 * Points QuickJS's static default JSMallocFunctions at the accounting
 * functions (table slots first…first+3). Call once per memory, before any
 * goroutine's runtime is created. Throws if no place is found from which a
 * new runtime picks the functions up.
 */
export function installHeapAccounting(w: HeapAccountingTarget, first: number): void {
  // The functions read dlmalloc's block head: check that it is what they expect.
  for (const n of [1, 13, 100, 5000, 300_000]) {
    const p = w.malloc(n);
    const usable = (w.heap32()[(p - 4) >> 2]! & -8) - 4;
    w.free(p);
    if (!(usable >= n && usable < n + 16)) throw new Error(`quickgo: unexpected malloc block layout (${n} bytes: head says ${usable})`);
  }
  const probe = w.newRuntime();
  let i32 = w.heap32();
  // JSRuntime starts with its JSMallocFunctions: the four default slots.
  const base = probe >> 2;
  const slots = [i32[base]!, i32[base + 1]!, i32[base + 2]!, i32[base + 3]!];
  w.freeRuntime(probe);
  i32 = w.heap32();
  // The static struct lies in the data segment, below every heap block. Each
  // place holding the four slots is tried (in practice there is one): the
  // right one is the place a new runtime copies its functions from.
  for (let a = 1; a < base - 3; a++) {
    if (i32[a] !== slots[0] || i32[a + 1] !== slots[1] || i32[a + 2] !== slots[2] || i32[a + 3] !== slots[3]) continue;
    for (let k = 0; k < 4; k++) i32[a + k] = first + k;
    const check = w.newRuntime();
    const c = w.heap32();
    const taken = [0, 1, 2, 3].every((k) => c[(check >> 2) + k] === first + k);
    w.freeRuntime(check);
    if (taken) return;
    i32 = w.heap32();
    for (let k = 0; k < 4; k++) i32[a + k] = slots[k]!;
  }
  throw new Error("quickgo: cannot find QuickJS's default malloc functions in the data segment");
}
