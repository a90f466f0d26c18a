// errgroup.Group, after golang.org/x/sync/errgroup: a WaitGroup that keeps
// the first error of its goroutines, cancels its context on that error, and
// can bound how many goroutines run at once (setLimit).
//
// Invariants: `active` counts goroutines started by go() that have not
// finished (0 <= active <= limit when limit >= 0); a G is in `slotq` only
// while active === limit; `err` is set at most once; `waiters` are parked in
// wait() and are readied when active reaches 0.
import type { Context } from "./context.js";
import type { G, Wire } from "./goroutine.js";
import { CtxErr } from "./ops.js";
import { GoPanic } from "./panic.js";
import { enqueue, type Ready } from "./sync.js";

export class ErrGroup {
  /** goroutines started and not finished */
  active = 0;
  /** most goroutines at once; -1: no limit */
  limit = -1;
  /** the first error a goroutine threw or returned (wire form), if any */
  err: Wire | undefined = undefined;
  failed = false;
  /** Gs parked in wait() */
  readonly waiters: G[] = [];
  /** Gs parked in go() until a slot frees (Go's `sem <- token{}`) */
  readonly slotq: G[] = [];
  constructor(
    readonly id: number,
    /** withContext's context, canceled on the first error and when wait returns */
    private readonly ctx: Context | null,
    private readonly ready: Ready,
    private readonly stopTimer: Parameters<Context["cancel"]>[1],
  ) {}

  /** Takes a slot for a new goroutine: "ok", "full" (tryGo), or "park" (the caller owns a slot when it resumes). */
  start(g: G, block: boolean): "ok" | "full" | "park" {
    if (this.limit < 0 || this.active < this.limit) {
      this.active++;
      return "ok";
    }
    if (!block) return "full";
    enqueue(this.slotq, g);
    g.waitReason = "chan send"; // where Go's Group.Go blocks: on its semaphore channel
    return "park";
  }

  /** A goroutine of the group returned (failed: it threw or returned an error). */
  done(failed: boolean, err: Wire | undefined): void {
    if (failed && !this.failed) {
      this.failed = true;
      this.err = err;
      this.ctx?.cancel(CtxErr.Canceled, this.stopTimer);
    }
    const next = this.slotq.shift();
    if (next) {
      this.ready(next); // the finished goroutine's slot passes to it: active unchanged
      return;
    }
    if (--this.active === 0 && this.waiters.length > 0) {
      this.ctx?.cancel(CtxErr.Canceled, this.stopTimer); // Wait returns: Go cancels the group's context then
      for (const g of this.waiters.splice(0)) {
        g.param = this.err;
        this.ready(g);
      }
    }
  }

  /** true: the caller must park until every goroutine finished; it resumes with the error in g.param. */
  wait(g: G): boolean {
    if (this.active === 0) {
      this.ctx?.cancel(CtxErr.Canceled, this.stopTimer);
      return false;
    }
    enqueue(this.waiters, g);
    g.waitReason = "sync.WaitGroup.Wait";
    return true;
  }

  setLimit(n: number): void {
    if (this.active !== 0) throw new GoPanic(`errgroup: modify limit while ${this.active} goroutines in the group are still active`);
    this.limit = n < 0 ? -1 : n;
  }
}
