// Cond, after Go's sync/cond.go: goroutines wait on it while holding its
// Locker (a Mutex or an RWMutex's write side). wait() unlocks the Locker and
// parks in one step, so no signal sent after the unlock is missed; a
// signaled G is moved straight onto the Locker (it owns it when it resumes,
// or queues for it), so it parks once in all.
// Invariant: every G in `waiters` is parked in wait() and holds nothing.
import type { G } from "./goroutine.js";
import { enqueue, type Locker, type Ready } from "./sync.js";

export class Cond {
  /** Gs parked in wait(), FIFO (Go's notifyList tickets) */
  readonly waiters: G[] = [];
  constructor(
    readonly id: number,
    /** handle id of the Locker, so a goroutine given the Cond can reach L */
    readonly lockerId: number,
    private readonly locker: Locker,
    private readonly ready: Ready,
  ) {}

  /** Unlocks L (a fatal error if it is not locked) and queues g; the caller parks. */
  wait(g: G): void {
    this.locker.unlock();
    enqueue(this.waiters, g);
    g.waitReason = "sync.Cond.Wait";
  }

  signal(): void {
    const g = this.waiters.shift();
    if (g) this.relock(g);
  }

  broadcast(): void {
    for (const g of this.waiters.splice(0)) this.relock(g);
  }

  /** g leaves wait() holding L: now, or after queueing for it (it stays parked). */
  private relock(g: G): void {
    g.unpark = null;
    if (!this.locker.lock(g)) this.ready(g);
  }
}
