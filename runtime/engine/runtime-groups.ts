// Goroutines share QuickJS runtimes: up to `perRuntime` goroutines' contexts
// live in one JSRuntime, which holds their atoms and shapes, and its own
// fixed ~15 KiB, once. Measured (ad-hoc probe, 200 contexts with the
// prelude, Node 26 jspi): 83.3 KiB of QuickJS heap per goroutine with a
// runtime each, 56.4 KiB in one shared runtime.
//
// A JSRuntime is QuickJS's single-threaded world, so what it keeps for the
// code running now belongs to the running goroutine and is switched with it
// (enter, parked):
//  - current_stack_frame, the head of the running code's frame chain (error
//    stacks walk it; each call pushes and pops its frame on it): a parked
//    goroutine's chain is saved with it, a new one starts from none, so no
//    chain ever runs into another goroutine's frames;
//  - stack_limit: the goroutine's shadow-stack region (stack-regions.ts)
//    minus GUEST_STACK_LIMIT, where QuickJS throws "stack overflow";
//  - malloc_state.opaque: the goroutine's account, which the allocator
//    functions charge and check against its own memory limit
//    (heap-accounting.ts).
// The rest is not per goroutine here: nothing else is live across a park
// (a park happens inside a host call, with no exception pending), the
// interrupt handler asks the engine which goroutine runs, and promise jobs
// are never run by quickgo.
//
// States of a group: open (takes new goroutines) until it has taken
// perRuntime of them, then closed; freed (JS_FreeRuntime) when it is closed
// and its last goroutine has been detached. A goroutine's context is freed
// when it exits, but its objects form cycles only QuickJS's collector
// frees: the collector runs when the runtime's bytes pass its threshold
// (QuickJS's rule, on the total of all its goroutines), and also at once
// when as many goroutines have died since the last collection as live
// (so dead contexts never outweigh live ones for long, even in a runtime
// whose goroutines sit parked and allocate nothing).
//
// Invariants: g.rt and g.account are set by attach and cleared by detach.
// While a goroutine runs (between enter and parked/detach), its runtime's
// opaque is its account. Only the engine (via StackRegions) calls enter and
// parked, one goroutine at a time.
import type { G } from "../goroutine.js";
import { GUEST_STACK_LIMIT } from "./engine.js";
import { ACCOUNT_BYTES, ACCOUNT_LIMIT, ACCOUNT_LIMIT_HIT, ACCOUNT_SIZE, RT_MALLOC_STATE, STATE_ACCOUNT, STATE_SIZE } from "./heap-accounting.js";
import type { JSRuntimePtr, QuickJSWasm } from "./quickjs.js";

/** JSRuntime fields (quickjs.c 2025-09-13, wasm32), checked on a fresh runtime at load (checkLayout). */
const RT_GC_THRESHOLD = 108;
const RT_STACK_SIZE = 120;
const RT_STACK_TOP = 124;
const RT_STACK_LIMIT = 128;
const RT_CURRENT_STACK_FRAME = 148;
/** What JS_NewRuntime sets malloc_gc_threshold to. */
const QUICKJS_GC_THRESHOLD = 256 * 1024;
/** Collector threshold of a new runtime, per goroutine it will take: no collection while it fills with new goroutines. */
const GC_THRESHOLD_PER_GOROUTINE = 128 * 1024;
/** A dead goroutine's context is garbage until collected; collect at once past this many (and past as many as live). */
const MIN_DEAD_TO_COLLECT = 4;

/** Goroutines per runtime unless QUICKGO_GOROUTINES_PER_RUNTIME says otherwise (1: a runtime each, as before). */
export const DEFAULT_GOROUTINES_PER_RUNTIME = 16;

function perRuntimeFromEnv(): number {
  const v = process.env.QUICKGO_GOROUTINES_PER_RUNTIME;
  if (v === undefined || v === "") return DEFAULT_GOROUTINES_PER_RUNTIME;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`quickgo: QUICKGO_GOROUTINES_PER_RUNTIME must be a positive integer, not ${JSON.stringify(v)}`);
  return n;
}

/** How a goroutine's runtime is set up (the same for every goroutine of a scheduler). */
export interface RuntimeOptions {
  /** bytes a goroutine's QuickJS heap may hold; 0: no limit */
  memoryLimit: number;
  /** poll the interrupt handler (preemption, kill) */
  preempt: boolean;
}

interface Group {
  rt: JSRuntimePtr;
  /** goroutines attached and not yet detached */
  readonly members: Set<G>;
  /** goroutines ever attached (the group closes at perRuntime) */
  taken: number;
  /** goroutines detached since the last collection */
  deadSinceCollect: number;
}

export class RuntimeGroups {
  readonly perRuntime: number;
  private open: Group | null = null;
  private readonly byRuntime = new Map<JSRuntimePtr, Group>();

  constructor(private readonly wasm: QuickJSWasm, perRuntime = perRuntimeFromEnv()) {
    this.perRuntime = perRuntime;
    this.checkLayout();
  }

  /**
   * First run of g (its setup, on its own stack region): gives g a runtime
   * and an account, and makes them the current ones. Returns false when
   * there is no memory for either.
   */
  attach(g: G, opts: RuntimeOptions): boolean {
    const w = this.wasm;
    const x = w.x;
    const account = x.malloc(ACCOUNT_BYTES);
    if (!account) return false;
    let group = this.open;
    if (!group) {
      const rt = x.QTS_NewRuntime();
      if (!rt) {
        x.free(account);
        return false;
      }
      x.QTS_RuntimeSetMaxStackSize(rt, GUEST_STACK_LIMIT);
      if (opts.preempt) x.QTS_RuntimeEnableInterruptHandler(rt);
      const h32 = w.heap32();
      h32[(rt + RT_GC_THRESHOLD) >> 2] = Math.max(QUICKJS_GC_THRESHOLD, this.perRuntime * GC_THRESHOLD_PER_GOROUTINE);
      group = { rt, members: new Set(), taken: 0, deadSinceCollect: 0 };
      this.byRuntime.set(rt, group);
      this.open = group;
    }
    group.members.add(g);
    if (++group.taken >= this.perRuntime) this.open = null;
    const h32 = w.heap32();
    h32[(account + ACCOUNT_SIZE) >> 2] = 0;
    h32[(account + ACCOUNT_LIMIT) >> 2] = opts.memoryLimit > 0 ? opts.memoryLimit : -1;
    h32[(account + ACCOUNT_LIMIT_HIT) >> 2] = 0;
    g.rt = group.rt;
    g.account = account;
    g.frame = 0;
    this.enter(g, w.stackPointer);
    return true;
  }

  /** g is about to run with its stack region's top at `stackTop`: make its frame chain, stack limit and account current. */
  enter(g: G, stackTop: number): void {
    const rt = g.rt;
    if (rt === 0) return; // first run: attach does it
    const h32 = this.wasm.heap32();
    h32[(rt + RT_CURRENT_STACK_FRAME) >> 2] = g.frame;
    h32[(rt + RT_STACK_LIMIT) >> 2] = stackTop - GUEST_STACK_LIMIT;
    h32[(rt + RT_MALLOC_STATE + STATE_ACCOUNT) >> 2] = g.account;
  }

  /** g parked: keep its frame chain. */
  parked(g: G): void {
    if (g.rt !== 0) g.frame = this.wasm.heap32()[(g.rt + RT_CURRENT_STACK_FRAME) >> 2]!;
  }

  /**
   * g's context has been freed: drops its account and its place in its
   * runtime, freeing the runtime when it was the last of a closed group, or
   * collecting the dead goroutines' garbage when it has piled up.
   */
  detach(g: G): void {
    const rt = g.rt;
    if (rt === 0) return;
    const w = this.wasm;
    const h32 = w.heap32();
    const opaque = (rt + RT_MALLOC_STATE + STATE_ACCOUNT) >> 2;
    if (h32[opaque] === g.account) h32[opaque] = 0;
    w.x.free(g.account);
    g.rt = g.account = g.frame = 0;
    const group = this.byRuntime.get(rt);
    if (!group) return;
    group.members.delete(g);
    if (group.members.size === 0 && group !== this.open) {
      this.byRuntime.delete(rt);
      w.x.QTS_FreeRuntime(rt);
      return;
    }
    if (++group.deadSinceCollect >= Math.max(MIN_DEAD_TO_COLLECT, group.members.size)) this.collect(group);
  }

  /**
   * Runs QuickJS's collector on a group's runtime now, charging no
   * goroutine: with the threshold at 0, the next object QuickJS allocates
   * triggers it (the runtime exports no JS_RunGC), and afterwards QuickJS
   * sets the threshold from what is left, as after any collection.
   */
  private collect(group: Group): void {
    group.deadSinceCollect = 0;
    const live = group.members.values().next().value;
    if (!live || !live.ctx) return;
    const w = this.wasm;
    const h32 = w.heap32();
    h32[(group.rt + RT_MALLOC_STATE + STATE_ACCOUNT) >> 2] = 0;
    h32[(group.rt + RT_GC_THRESHOLD) >> 2] = 0;
    const e = w.x.QTS_NewError(live.ctx);
    if (e) w.x.QTS_FreeValuePointer(live.ctx, e);
  }

  /** g's QuickJS heap as its account has it: bytes, limit (0: none), and whether the limit refused an allocation. */
  usage(g: G): { bytes: number; limit: number; limitHit: boolean } {
    if (g.account === 0) return { bytes: 0, limit: 0, limitHit: false };
    const h32 = this.wasm.heap32();
    const limit = h32[(g.account + ACCOUNT_LIMIT) >> 2]! >>> 0;
    return {
      bytes: h32[(g.account + ACCOUNT_SIZE) >> 2]! >>> 0,
      limit: limit === 0xffffffff ? 0 : limit,
      limitHit: h32[(g.account + ACCOUNT_LIMIT_HIT) >> 2] === 1,
    };
  }

  /** Lifts g's memory limit (a goroutine that died of it may need room to describe itself). */
  liftLimit(g: G): void {
    if (g.account !== 0) this.wasm.heap32()[(g.account + ACCOUNT_LIMIT) >> 2] = -1;
  }

  /** Bytes all live runtimes hold, shared parts and not yet collected garbage included (like Go's HeapAlloc). */
  heapBytes(): number {
    const h32 = this.wasm.heap32();
    let n = 0;
    for (const rt of this.byRuntime.keys()) n += h32[(rt + RT_MALLOC_STATE + STATE_SIZE) >> 2]! >>> 0;
    return n;
  }

  /** The JSRuntime fields enter() writes are where this build of QuickJS keeps them: checked on a fresh runtime. */
  private checkLayout(): void {
    const x = this.wasm.x;
    const rt = x.QTS_NewRuntime();
    if (!rt) throw new Error("quickgo: cannot create a QuickJS runtime");
    const size = GUEST_STACK_LIMIT + 4096;
    x.QTS_RuntimeSetMaxStackSize(rt, size);
    const h32 = this.wasm.heap32();
    const f = (off: number): number => h32[(rt + off) >> 2]! >>> 0;
    const ok =
      f(RT_GC_THRESHOLD) === QUICKJS_GC_THRESHOLD &&
      f(RT_STACK_SIZE) === size &&
      f(RT_STACK_TOP) - f(RT_STACK_LIMIT) === size &&
      f(RT_CURRENT_STACK_FRAME) === 0;
    x.QTS_FreeRuntime(rt);
    if (!ok) throw new Error("quickgo: this QuickJS build's JSRuntime layout is not the one runtime-groups.ts knows");
  }
}
