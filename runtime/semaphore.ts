// A weighted semaphore, after golang.org/x/sync/semaphore: `size` units,
// `cur` of them held. Waiters are served strictly FIFO: a large request at
// the head blocks smaller ones behind it, so it cannot starve.
//
// Invariants: 0 <= cur <= size; a waiter is queued only when it did not fit
// or others were already queued; after every release (and every removal of
// the head waiter) the queue's head does not fit, or the queue is empty.
import type { Context } from "./context.js";
import type { G } from "./goroutine.js";
import { GoPanic } from "./panic.js";
import type { Ready } from "./sync.js";

interface Waiter {
  g: G;
  n: number;
  /** the context whose cancellation ends the wait, and its hook */
  ctx: Context | null;
  onCancel: (() => void) | null;
}

export class Semaphore {
  /** units held */
  cur = 0;
  readonly waiters: Waiter[] = [];
  constructor(readonly id: number, readonly size: number, private readonly ready: Ready) {}

  tryAcquire(n: number): boolean {
    if (this.size - this.cur >= n && this.waiters.length === 0) {
      this.cur += n;
      return true;
    }
    return false;
  }

  /**
   * true: the caller must park. It resumes with g.param 0 once it holds the
   * units, or 1 if ctx was canceled first (it then holds nothing). A request
   * larger than size can only end by cancellation, as in x/sync.
   */
  acquire(g: G, n: number, ctx: Context | null): boolean {
    if (this.tryAcquire(n)) return false;
    const w: Waiter = { g, n, ctx, onCancel: null };
    this.waiters.push(w);
    g.waitReason = "semacquire";
    if (ctx) {
      w.onCancel = () => {
        this.remove(w);
        w.g.param = 1;
        this.ready(w.g);
      };
      ctx.onCancel.add(w.onCancel);
    }
    g.unpark = () => this.remove(w);
    return true;
  }

  release(n: number): void {
    this.cur -= n;
    if (this.cur < 0) {
      this.cur += n;
      throw new GoPanic("semaphore: released more than held");
    }
    this.notifyWaiters();
  }

  /** Takes w off the queue (canceled or killed); the waiters behind it may fit now. */
  private remove(w: Waiter): void {
    const i = this.waiters.indexOf(w);
    if (i < 0) return;
    this.waiters.splice(i, 1);
    if (w.ctx && w.onCancel) w.ctx.onCancel.delete(w.onCancel);
    if (i === 0) this.notifyWaiters();
  }

  private notifyWaiters(): void {
    for (;;) {
      const w = this.waiters[0];
      if (!w || this.size - this.cur < w.n) return;
      this.waiters.shift();
      if (w.ctx && w.onCancel) w.ctx.onCancel.delete(w.onCancel);
      this.cur += w.n;
      w.g.param = 0;
      this.ready(w.g);
    }
  }
}
