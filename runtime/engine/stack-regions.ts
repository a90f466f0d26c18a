// Shadow-stack regions (both backends). A G's wasm frames keep pointers
// into the shadow stack, so a G must always run at the same addresses. Every
// G is given one of REGIONS regions (by id) for life. When it parks, its live
// stack [savedSP, top) stays where it is; only when another G of the same
// region runs are those bytes copied out (evicted) into a spill buffer of
// the G's in wasm memory, to be copied back before it next runs.
//
// Why: with a single region, every switch copied the parked G's whole live
// stack out and the resumed G's in. At stack depth 1000 that was ~225 KB per
// switch (measured), most of a jspi switch's cost there (asyncify also
// unwinds and rewinds the frames themselves, so it gains less). Two goroutines
// talking to each other now mostly sit in different regions and switch with
// no copy at all.
//
// With asyncify a region also has a scratch buffer for asyncify's data (the
// unwound frames' locals), which likewise stays in place while its G is
// parked: at depth 1000 that is another ~300 KB a switch need not copy.
//
// Invariants: owner[r] is the G whose bytes region r holds (null: none worth
// keeping). A G with stackResident === true is owner of its region, and its
// stack (and asyncify data, savedUnwindLen bytes) are in it. Only the engine
// calls enter/parked/left, one G at a time.
import type { G } from "../goroutine.js";
import type { QuickJSWasm } from "./quickjs.js";

/** Regions per instance: 16 MiB of wasm memory, only touched pages resident. */
export const REGIONS = 16;
/** Shadow stack of one region: GUEST_STACK_LIMIT (engine.ts) plus room for the host's own calls. */
export const STACK_REGION_BYTES = 1 << 20;

export class StackRegions {
  private readonly tops: number[] = [];
  private readonly scratches: number[] = [];
  private readonly owner: (G | null)[] = [];

  /** scratchBytes: size of each region's asyncify data buffer (0: none, jspi). */
  constructor(private readonly wasm: QuickJSWasm, readonly scratchBytes = 0) {
    const base = wasm.mallocOrThrow(REGIONS * STACK_REGION_BYTES);
    const scratch = scratchBytes > 0 ? wasm.mallocOrThrow(REGIONS * scratchBytes) : 0;
    for (let r = 0; r < REGIONS; r++) {
      this.tops.push((base + (r + 1) * STACK_REGION_BYTES) & ~15);
      this.scratches.push(scratch + r * scratchBytes);
      this.owner.push(null);
    }
  }

  /** g's region's asyncify data buffer: an 8-byte {current, end} header, then the data. */
  scratch(g: G): number {
    return this.scratches[this.regionOf(g)]!;
  }

  /** The region g runs in, fixed at its first run. */
  private regionOf(g: G): number {
    if (g.stackRegion < 0) g.stackRegion = g.id % REGIONS;
    return g.stackRegion;
  }

  /**
   * Before g runs (first run or resume): its region holds its stack, and the
   * stack pointer is where g left it (or the region's top).
   */
  enter(g: G): void {
    const r = this.regionOf(g);
    const top = this.tops[r]!;
    const prev = this.owner[r];
    if (prev !== g) {
      const data = this.scratches[r]! + 8;
      if (prev && prev.stackResident) this.evict(prev, top, data);
      if (g.savedSP !== 0) this.restore(g, data);
      this.owner[r] = g;
    }
    g.stackResident = false;
    this.wasm.stackPointer = g.savedSP !== 0 ? g.savedSP : top;
    // QuickJS's view of the stack (its frame chain, its stack limit) is g's too.
    this.wasm.runtimes.enter(g, top);
  }

  /**
   * Copies parked g's live stack [savedSP, top), then its asyncify data, out
   * of its region, to come back before it runs. They go to g's spill buffer
   * in wasm memory with wasm's memory.copy (QuickJSWasm.memmove): no typed
   * array is made per switch (a subarray and a set per copy cost ~1.0k more
   * instructions per echoed message, callgrind; copyWithin ~0.3k more), and
   * the buffer is reused by later evictions.
   */
  private evict(g: G, top: number, data: number): void {
    const n = top - g.savedSP;
    const m = this.scratchBytes > 0 ? g.savedUnwindLen : 0;
    g.savedStackLen = n;
    if (g.spillCap < n + m) this.growSpill(g, n + m);
    if (g.spill !== 0) {
      this.wasm.memmove(g.spill, g.savedSP, n);
      if (m > 0) this.wasm.memmove(g.spill + n, data, m);
    } else {
      // No room in wasm memory for a spill buffer: a host copy instead.
      const heap = this.wasm.heapU8();
      const saved = (g.savedStack = new Uint8Array(n + m));
      saved.set(heap.subarray(g.savedSP, top));
      if (m > 0) saved.set(heap.subarray(data, data + m), n);
    }
    g.stackResident = false;
  }

  /** Puts back what evict() copied out. */
  private restore(g: G, data: number): void {
    const n = g.savedStackLen;
    const m = this.scratchBytes > 0 ? g.savedUnwindLen : 0;
    const saved = g.savedStack;
    if (saved) {
      const heap = this.wasm.heapU8();
      heap.set(saved.subarray(0, n), g.savedSP);
      if (m > 0) heap.set(saved.subarray(n, n + m), data);
      g.savedStack = undefined;
    } else {
      this.wasm.memmove(g.savedSP, g.spill, n);
      if (m > 0) this.wasm.memmove(data, g.spill + n, m);
    }
  }

  /**
   * A spill buffer of at least `need` bytes for g: exactly `need` the first
   * time (most parked goroutines are evicted once and stay parked), at least
   * twice the old size after. spill stays 0 if wasm memory has no room.
   */
  private growSpill(g: G, need: number): void {
    const x = this.wasm.x;
    if (g.spill !== 0) x.free(g.spill);
    const cap = g.spillCap === 0 ? need : Math.max(need, g.spillCap * 2);
    g.spill = x.malloc(cap);
    g.spillCap = g.spill === 0 ? 0 : cap;
  }

  /** g parked at the current stack pointer: its bytes stay in its region until evicted. */
  parked(g: G): void {
    g.savedSP = this.wasm.stackPointer;
    g.stackResident = true;
    this.wasm.runtimes.parked(g);
  }

  /** g is over: its region's bytes are garbage, and its spill buffer is freed. */
  left(g: G): void {
    if (g.stackRegion >= 0 && this.owner[g.stackRegion] === g) this.owner[g.stackRegion] = null;
    g.stackResident = false;
    if (g.spill !== 0) {
      this.wasm.x.free(g.spill);
      g.spill = g.spillCap = 0;
    }
    g.savedStack = undefined;
  }
}
