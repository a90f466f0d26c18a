// Timers: one min-heap ordered by deadline, with a single Node timer armed for
// the earliest one (Go's per-P timer heap, without Ps). The scheduler fires
// due timers itself between goroutine runs (`runDue`), so a sleeping G wakes
// on time even while others keep the CPU busy; when nothing is runnable it
// arms the Node timer and returns to the event loop (no busy wait).
//
// Invariant: heap[0] is the earliest live timer; a stopped timer stays in the
// heap with `f = null` until it reaches the top and is dropped.
import { performance } from "node:perf_hooks";

export interface Timer {
  when: number;
  /** tie-breaker: timers with the same deadline fire in creation order */
  seq: number;
  f: (() => void) | null;
}

export class TimerHeap {
  private readonly heap: Timer[] = [];
  private seq = 0;
  /** Node timer armed for heap[0], and the deadline it was armed for. */
  private armed: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  add(when: number, f: () => void): Timer {
    const t: Timer = { when, seq: this.seq++, f };
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
    return t;
  }

  stop(t: Timer): boolean {
    const live = t.f !== null;
    t.f = null;
    return live;
  }

  private pop(): Timer {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }

  /** Deadline of the earliest live timer, or Infinity. */
  next(): number {
    while (this.heap.length > 0 && this.heap[0]!.f === null) this.pop();
    return this.heap.length > 0 ? this.heap[0]!.when : Infinity;
  }

  /** Runs every timer due at `now`; returns how many ran. */
  runDue(now: number): number {
    let n = 0;
    while (this.next() <= now) {
      const t = this.pop();
      const f = t.f!;
      t.f = null;
      f();
      n++;
    }
    return n;
  }

  /** Arms the single Node timer for the earliest deadline (or disarms it). */
  arm(onFire: () => void): void {
    const when = this.next();
    if (when === this.armedFor) return;
    this.disarm();
    if (when === Infinity) return;
    this.armedFor = when;
    this.armed = setTimeout(() => {
      this.armed = undefined;
      this.armedFor = Infinity;
      onFire();
    }, Math.max(0, when - performance.now()));
  }

  disarm(): void {
    if (this.armed) clearTimeout(this.armed);
    this.armed = undefined;
    this.armedFor = Infinity;
  }

  get pending(): boolean {
    return this.next() !== Infinity;
  }
}

function less(a: Timer, b: Timer): boolean {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}
