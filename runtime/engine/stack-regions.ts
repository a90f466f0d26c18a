// Shadow-stack regions (both backends). A G's wasm frames keep pointers
// into the shadow stack, so a G must always run at the same addresses. Every
// G is given one of REGIONS regions (by id) for life. When it parks, its live
// stack [savedSP, top) stays where it is; only when another G of the same
// region runs are those bytes copied out into the G (evicted), to be copied
// back before it next runs.
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

/**
 * A copy of heap[from, from + n) in buf. The first copy is exactly n bytes
 * (most parked goroutines are evicted once and stay parked: with room to
 * spare, an asyncify G kept ~2.3 KiB it never used, measured over 2 000
 * parked with an ad-hoc probe); a later, longer one grows buf to at least
 * twice its size.
 */
function keep(heap: Uint8Array, from: number, n: number, buf: Uint8Array | undefined): Uint8Array {
  if (!buf || buf.length < n) buf = new Uint8Array(buf ? Math.max(n, buf.length * 2) : n);
  buf.set(heap.subarray(from, from + n));
  return buf;
}

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
      const heap = this.wasm.heapU8();
      const data = this.scratches[r]! + 8;
      if (prev && prev.stackResident) {
        // Evict: prev's live stack (and asyncify data) go into prev, to come back before it runs.
        prev.savedStackLen = top - prev.savedSP;
        prev.savedStack = keep(heap, prev.savedSP, prev.savedStackLen, prev.savedStack);
        if (this.scratchBytes > 0) prev.savedUnwind = keep(heap, data, prev.savedUnwindLen, prev.savedUnwind);
        prev.stackResident = false;
      }
      if (g.savedSP !== 0) {
        heap.set(g.savedStack!.subarray(0, g.savedStackLen), g.savedSP);
        if (this.scratchBytes > 0) heap.set(g.savedUnwind!.subarray(0, g.savedUnwindLen), data);
      }
      this.owner[r] = g;
    }
    g.stackResident = false;
    this.wasm.stackPointer = g.savedSP !== 0 ? g.savedSP : top;
    // QuickJS's view of the stack (its frame chain, its stack limit) is g's too.
    this.wasm.runtimes.enter(g, top);
  }

  /** g parked at the current stack pointer: its bytes stay in its region until evicted. */
  parked(g: G): void {
    g.savedSP = this.wasm.stackPointer;
    g.stackResident = true;
    this.wasm.runtimes.parked(g);
  }

  /** g is over: its region's bytes are garbage. */
  left(g: G): void {
    if (g.stackRegion >= 0 && this.owner[g.stackRegion] === g) this.owner[g.stackRegion] = null;
    g.stackResident = false;
  }
}
