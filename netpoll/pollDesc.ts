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
   * Per mode (Read, Write) in fields of their own, not in small arrays: a
   * message touches this pollDesc, and with many connections every array
   * was a cache line more to miss.
   *
   * Waiters: almost always one G (its connection's goroutine), kept in
   * `*First` without a Set; further waiters, in arrival order, in `*More`.
   */
  private readFirst: G | null = null;
  private writeFirst: G | null = null;
  private readMore: Set<G> | null = null;
  private writeMore: Set<G> | null = null;
  /** absolute deadline per mode (performance.now() ms); 0 = none, -1 = already passed */
  private readDeadline = 0;
  private writeDeadline = 0;
  private readTimer: Timer | null = null;
  private writeTimer: Timer | null = null;

  constructor(private readonly poller: Poller) {}

  /** Go's netpollcheckerr: what stops an operation in `mode` before it is tried. */
  prepare(mode: Mode): Blocked {
    if (this.closing) return "closed";
    if ((mode === Mode.Read ? this.readDeadline : this.writeDeadline) < 0) return "timeout";
    return null;
  }

  /**
   * Set once by the owner (Conn): runs when a G parked here is killed, after
   * it is taken off, to drop what the G left pending (a write).
   */
  onCancel: ((g: G) => void) | null = null;

  /** Parks g until wake(mode); if g is killed instead, cancel() takes it off. Returns the engine's PARK. */
  wait(g: G, mode: Mode): number {
    if (mode === Mode.Read) {
      if (this.readFirst === null) this.readFirst = g;
      else (this.readMore ??= new Set()).add(g);
    } else if (this.writeFirst === null) this.writeFirst = g;
    else (this.writeMore ??= new Set()).add(g);
    g.ioWait = this;
    g.ioMode = mode;
    return this.poller.parkIO(g);
  }

  /** g, parked in wait(mode), was killed: it no longer waits here. */
  cancel(g: G, mode: Mode): void {
    if (mode === Mode.Read) {
      if (this.readFirst === g) this.readFirst = null;
      else this.readMore?.delete(g);
    } else if (this.writeFirst === g) this.writeFirst = null;
    else this.writeMore?.delete(g);
    this.onCancel?.(g);
  }

  /** Readies every G waiting in `mode`; each retries its operation. */
  wake(mode: Mode): void {
    let g: G | null;
    let more: Set<G> | null;
    if (mode === Mode.Read) {
      g = this.readFirst;
      more = this.readMore;
      this.readFirst = null;
    } else {
      g = this.writeFirst;
      more = this.writeMore;
      this.writeFirst = null;
    }
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
    return (this.readFirst ? 1 : 0) + (this.readMore?.size ?? 0) + (this.writeFirst ? 1 : 0) + (this.writeMore?.size ?? 0);
  }

  /**
   * Go's poll_runtime_pollSetDeadline: `ms` from now (> 0), or 0 to clear.
   * A deadline in the past (ms < 0) fails pending and future operations at once.
   */
  setDeadline(mode: Mode, ms: number): void {
    this.stopTimer(mode);
    if (ms === 0 || Number.isNaN(ms)) {
      this.setDeadlineAt(mode, 0);
      return;
    }
    if (ms < 0) {
      this.expire(mode);
      return;
    }
    const when = performance.now() + ms;
    this.setDeadlineAt(mode, when);
    const t = this.poller.timers.add(when, () => {
      if (mode === Mode.Read) this.readTimer = null;
      else this.writeTimer = null;
      this.expire(mode);
    });
    if (mode === Mode.Read) this.readTimer = t;
    else this.writeTimer = t;
  }

  private setDeadlineAt(mode: Mode, when: number): void {
    if (mode === Mode.Read) this.readDeadline = when;
    else this.writeDeadline = when;
  }

  private stopTimer(mode: Mode): void {
    const t = mode === Mode.Read ? this.readTimer : this.writeTimer;
    if (t) this.poller.timers.stop(t);
    if (mode === Mode.Read) this.readTimer = null;
    else this.writeTimer = null;
  }

  private expire(mode: Mode): void {
    this.setDeadlineAt(mode, -1);
    this.wake(mode);
  }

  /** close(): fail everything from now on, wake every waiter, drop the deadline timers. */
  evict(): void {
    this.closing = true;
    this.stopTimer(Mode.Read);
    this.stopTimer(Mode.Write);
    this.wakeAll();
  }
}
