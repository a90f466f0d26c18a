// One pollDesc per socket or listener, after Go's runtime/netpoll.go: who
// waits to read, who waits to write, the deadlines, and whether it is closing.
//
// Protocol (Go's, simplified for one thread): an operation first tries
// without blocking; on "would block" the G calls wait(mode) and parks; any
// event that might change the answer (data, EOF, error, close, deadline,
// write completion) calls wake(mode), which readies every waiter of that
// mode; a woken G retries the operation from the top, and the retry sees the
// new state (prepare() reports closing and expired deadlines first). So a
// wake-up never carries a result and a spurious wake-up is harmless.
//
// Invariants: a G is in at most one waiter set, and only while its status is
// Waiting; every parked waiter counts once in the poller's waiter count (the
// scheduler does not report deadlock while Gs wait for I/O); deadline timers
// live in the scheduler's timer heap, at most one per mode.
import type { G } from "../runtime/goroutine.js";
import type { Timer } from "../runtime/timer.js";
import type { Poller } from "./poller.js";
import { performance } from "node:perf_hooks";

export const enum Mode {
  Read = 0,
  Write = 1,
}

/** Why an operation cannot proceed, before it even tries. */
export type Blocked = "closed" | "timeout" | null;

export class PollDesc {
  /** set by close(): every operation fails with ErrClosed from now on */
  closing = false;
  /**
   * Waiters per mode: almost always one G (its connection's goroutine), kept
   * in `first` without a Set; further waiters, in arrival order, in `more`.
   */
  private readonly first: [G | null, G | null] = [null, null];
  private readonly more: [Set<G> | null, Set<G> | null] = [null, null];
  /** absolute deadline per mode (performance.now() ms); 0 = none, -1 = already passed */
  private readonly deadline: [number, number] = [0, 0];
  private readonly timer: [Timer | null, Timer | null] = [null, null];

  constructor(private readonly poller: Poller) {}

  /** Go's netpollcheckerr: what stops an operation in `mode` before it is tried. */
  prepare(mode: Mode): Blocked {
    if (this.closing) return "closed";
    if (this.deadline[mode] < 0) return "timeout";
    return null;
  }

  /**
   * Set once by the owner (Conn): runs when a G parked here is killed, after
   * it is taken off, to drop what the G left pending (a write).
   */
  onCancel: ((g: G) => void) | null = null;

  /** Parks g until wake(mode); if g is killed instead, cancel() takes it off. Returns the engine's PARK. */
  wait(g: G, mode: Mode): number {
    if (this.first[mode] === null) this.first[mode] = g;
    else (this.more[mode] ??= new Set()).add(g);
    g.ioWait = this;
    g.ioMode = mode;
    return this.poller.parkIO(g);
  }

  /** g, parked in wait(mode), was killed: it no longer waits here. */
  cancel(g: G, mode: Mode): void {
    if (this.first[mode] === g) this.first[mode] = null;
    else this.more[mode]?.delete(g);
    this.onCancel?.(g);
  }

  /** Readies every G waiting in `mode`; each retries its operation. */
  wake(mode: Mode): void {
    const g = this.first[mode];
    const more = this.more[mode];
    if (g === null && (more === null || more.size === 0)) return;
    this.first[mode] = null;
    if (g !== null) this.poller.ready(g);
    if (more === null || more.size === 0) return;
    const gs = [...more];
    more.clear();
    for (const m of gs) this.poller.ready(m);
  }

  wakeAll(): void {
    this.wake(Mode.Read);
    this.wake(Mode.Write);
  }

  get waiting(): number {
    let n = 0;
    for (const mode of [Mode.Read, Mode.Write]) n += (this.first[mode] ? 1 : 0) + (this.more[mode]?.size ?? 0);
    return n;
  }

  /**
   * Go's poll_runtime_pollSetDeadline: `ms` from now (> 0), or 0 to clear.
   * A deadline in the past (ms < 0) fails pending and future operations at once.
   */
  setDeadline(mode: Mode, ms: number): void {
    const old = this.timer[mode];
    if (old) this.poller.timers.stop(old);
    this.timer[mode] = null;
    if (ms === 0 || Number.isNaN(ms)) {
      this.deadline[mode] = 0;
      return;
    }
    if (ms < 0) {
      this.expire(mode);
      return;
    }
    const when = performance.now() + ms;
    this.deadline[mode] = when;
    this.timer[mode] = this.poller.timers.add(when, () => {
      this.timer[mode] = null;
      this.expire(mode);
    });
  }

  private expire(mode: Mode): void {
    this.deadline[mode] = -1;
    this.wake(mode);
  }

  /** close(): fail everything from now on, wake every waiter, drop the deadline timers. */
  evict(): void {
    this.closing = true;
    for (const mode of [Mode.Read, Mode.Write]) {
      const t = this.timer[mode];
      if (t) this.poller.timers.stop(t);
      this.timer[mode] = null;
    }
    this.wakeAll();
  }
}
