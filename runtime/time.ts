// time.Timer, time.Ticker and time.AfterFunc, after Go's runtime/time.go
// (a timer with isChan / period / f) on top of the timer heap (timer.ts).
//
// A timer is pending from start/reset until it fires and, for a channel
// timer, until its value is received: Go 1.23 semantics, where stop/reset
// discard a value that was sent but not received and report the timer as
// stopped while pending. States:
//   pending (in the heap) ──fire──▶ fired (one-shot: value buffered in c, or f started)
//   pending/fired ──stop──▶ stopped (heap entry dead, c drained)
//   any ──reset(ms)──▶ pending
// A ticker re-arms itself when it fires; a tick that finds c full is dropped.
// Invariant: `entry` is the live heap entry while pending, else null.
import type { Chan } from "./chan.js";
import type { StartSpec } from "./goroutine.js";
import type { Timer as HeapEntry, TimerHeap } from "./timer.js";
import { performance } from "node:perf_hooks";

export class GoTimer {
  /** live heap entry while armed */
  entry: HeapEntry | null = null;
  /** ms between ticks (Ticker); 0 for a one-shot timer */
  period: number;
  constructor(
    readonly id: number,
    private readonly heap: TimerHeap,
    /** the channel the time is sent on (Timer, Ticker); null for AfterFunc */
    readonly c: Chan | null,
    /** AfterFunc: the goroutine to start when it fires */
    private readonly f: StartSpec | null,
    private readonly spawn: (start: StartSpec) => void,
    period: number,
  ) {
    this.period = period;
  }

  /** Arms the timer to fire after ms. */
  start(ms: number): void {
    const when = performance.now() + Math.max(0, ms);
    this.entry = this.heap.add(when, () => this.fire(when));
  }

  private fire(when: number): void {
    this.entry = null;
    const now = performance.now();
    if (this.c) this.c.sendFromTimer(now);
    else if (this.f) this.spawn(this.f);
    if (this.period > 0) {
      // Go keeps the tick grid: the next tick is the first grid point after now (missed ticks are dropped).
      const next = when + this.period * Math.max(1, Math.ceil((now - when) / this.period));
      this.entry = this.heap.add(next, () => this.fire(next));
    }
  }

  /** Stops the timer; true if it was pending (armed, or its value not yet received: that value is discarded). */
  stop(): boolean {
    let pending = this.entry !== null && this.heap.stop(this.entry);
    this.entry = null;
    if (this.c?.drain() && this.period === 0) pending = true;
    return pending;
  }

  /** Stops the timer and arms it again for ms; period changes a Ticker's interval. Returns what stop returned. */
  reset(ms: number, period = this.period): boolean {
    const pending = this.stop();
    this.period = period;
    this.start(ms);
    return pending;
  }
}
