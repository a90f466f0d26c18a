// The process-wide budget of live jspi goroutines (see nativeStacks). A
// scheduler of a jspi Runtime counts its goroutines here (Scheduler.spawn,
// forget, releaseParked); nothing else reads it.
import fs from "node:fs";

/**
 * Live jspi goroutines in this process, against a budget. V8 gives each
 * suspended wasm stack memory mappings of its own (two: the stack and its
 * guard page), and Linux caps a process's mappings at vm.max_map_count
 * (65 530 by default): past it V8 cannot make a stack and aborts the whole
 * process ("StackSegment Allocation failed - process out of memory").
 * Measured (`node dist/bench/memory.js --parked N --cycles 0`, Node 26):
 * 32 000 parked goroutines ran, 40 000 aborted; with the cap raised to
 * 262 144, 100 000 ran. So schedulers count their jspi goroutines here and
 * refuse a spawn past the budget, as past maxGoroutines.
 */
export const nativeStacks = {
  live: 0,
  /** Infinity where vm.max_map_count cannot be read (not Linux); QUICKGO_JSPI_GOROUTINES overrides it. */
  budget: undefined as number | undefined,
};

/** Mappings kept for everything else a process maps meanwhile (heaps, wasm memories, sockets, libraries). */
const MAPPINGS_RESERVE = 4096;
/** Mappings V8 makes per suspended wasm stack. */
const MAPPINGS_PER_STACK = 2;

/** How many jspi goroutines may be alive at once in this process, from the mapping cap and the mappings in use. */
export function jspiGoroutineBudget(maxMapCount: number, mappingsInUse: number): number {
  if (!Number.isFinite(maxMapCount)) return Infinity;
  return Math.max(1, Math.floor((maxMapCount - mappingsInUse - MAPPINGS_RESERVE) / MAPPINGS_PER_STACK));
}

/** nativeStacks.budget, computed on first use. */
export function nativeStackBudget(): number {
  if (nativeStacks.budget === undefined) {
    const env = process.env.QUICKGO_JSPI_GOROUTINES;
    if (env) nativeStacks.budget = Number(env) >= 1 ? Math.floor(Number(env)) : Infinity;
    else {
      let max = Infinity;
      let inUse = 0;
      try {
        max = Number(fs.readFileSync("/proc/sys/vm/max_map_count", "utf8").trim());
        inUse = fs.readFileSync("/proc/self/maps", "utf8").split("\n").length;
      } catch {
        max = Infinity; // not Linux: no such cap known
      }
      nativeStacks.budget = jspiGoroutineBudget(max, inUse);
    }
  }
  return nativeStacks.budget;
}
