// StackRegions (runtime/engine/stack-regions.ts) on a stand-in for the wasm
// instance: a parked goroutine's stack bytes (and asyncify data) survive
// being evicted by another goroutine of its region and come back intact,
// through its spill buffer in wasm memory, or through a host copy when wasm
// memory has no room for one. The end-to-end cases (real frames, both
// backends) are in stack.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { REGIONS, STACK_REGION_BYTES, StackRegions } from "../../runtime/engine/stack-regions.js";
import type { QuickJSWasm } from "../../runtime/engine/quickjs.js";
import { G } from "../../runtime/goroutine.js";

const SCRATCH = 4096;

/** The parts of QuickJSWasm StackRegions uses: memory, malloc/free (a bump allocator that can be made to fail), the stack pointer. */
function fakeWasm(): { wasm: QuickJSWasm; heap: Uint8Array; failMalloc: (fail: boolean) => void; mark: () => void; live: () => number } {
  const heap = new Uint8Array(REGIONS * STACK_REGION_BYTES + REGIONS * SCRATCH + (1 << 20));
  let next = 16;
  let fail = false;
  const blocks = new Set<number>();
  const malloc = (n: number): number => {
    if (fail) return 0;
    const p = next;
    next += (n + 15) & ~15;
    blocks.add(p);
    return p;
  };
  let sp = 0;
  const wasm = {
    heapU8: () => heap,
    memmove: (dst: number, src: number, n: number) => void heap.copyWithin(dst, src, src + n),
    mallocOrThrow: malloc,
    x: { malloc, free: (p: number) => void blocks.delete(p) },
    get stackPointer() {
      return sp;
    },
    set stackPointer(v: number) {
      sp = v;
    },
    runtimes: { enter: () => {}, parked: () => {} },
  };
  let fixed = new Set<number>();
  return {
    wasm: wasm as unknown as QuickJSWasm,
    heap,
    failMalloc: (f) => void (fail = f),
    mark: () => void (fixed = new Set(blocks)), // what is allocated now (the regions) is not counted by live()
    live: () => [...blocks].filter((p) => !fixed.has(p)).length,
  };
}

function newG(id: number): G {
  return new G(id, { fn: "main", caps: undefined, args: undefined }, { file: "t.js", code: "", closures: [], args: [] });
}

/** g runs, fills `depth` bytes of its stack (and `unwind` bytes of asyncify data) with its own pattern, and parks. */
function runAndPark(regions: StackRegions, w: QuickJSWasm, heap: Uint8Array, g: G, depth: number, unwind: number): void {
  regions.enter(g);
  const sp = w.stackPointer - depth;
  for (let i = 0; i < depth; i++) heap[sp + i] = (g.id * 31 + i) & 255;
  const data = regions.scratch(g) + 8;
  for (let i = 0; i < unwind; i++) heap[data + i] = (g.id * 17 + i) & 255;
  w.stackPointer = sp;
  g.savedUnwindLen = unwind;
  regions.parked(g);
}

/** g resumes: its bytes must be where it left them. */
function resumeAndCheck(regions: StackRegions, w: QuickJSWasm, heap: Uint8Array, g: G, depth: number, unwind: number): void {
  regions.enter(g);
  const sp = w.stackPointer;
  for (let i = 0; i < depth; i++) if (heap[sp + i] !== ((g.id * 31 + i) & 255)) throw new Error(`G ${g.id}: stack byte ${i} clobbered`);
  const data = regions.scratch(g) + 8;
  for (let i = 0; i < unwind; i++) if (heap[data + i] !== ((g.id * 17 + i) & 255)) throw new Error(`G ${g.id}: asyncify byte ${i} clobbered`);
  regions.parked(g);
}

for (const noRoom of [false, true]) {
  test(`an evicted goroutine's stack and asyncify data come back intact${noRoom ? " when wasm memory has no room for a spill buffer" : ""}`, () => {
    const { wasm, heap, failMalloc, mark, live } = fakeWasm();
    const regions = new StackRegions(wasm, SCRATCH);
    mark();
    const a = newG(1);
    const b = newG(1 + REGIONS); // same region as a
    failMalloc(noRoom);
    runAndPark(regions, wasm, heap, a, 700, 300);
    runAndPark(regions, wasm, heap, b, 2000, 100); // evicts a
    assert.is(a.spill !== 0, !noRoom, "a's bytes are in a spill buffer unless malloc failed");
    assert.is(a.savedStack !== undefined, noRoom, "a host copy only when malloc failed");
    resumeAndCheck(regions, wasm, heap, a, 700, 300); // evicts b
    resumeAndCheck(regions, wasm, heap, b, 2000, 100);
    runAndPark(regions, wasm, heap, a, 5000, 1000); // a parks deeper: its buffer must grow
    resumeAndCheck(regions, wasm, heap, b, 2000, 100);
    resumeAndCheck(regions, wasm, heap, a, 5000, 1000);
    regions.left(a);
    regions.left(b);
    assert.is(live(), 0, "left() frees the spill buffers");
    assert.is(a.savedStack, undefined);
  });
}

test.run();
