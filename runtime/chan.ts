// Channels, after Go's chan.go.
//
// Invariants (single-threaded, so no lock):
//  - at least one of sendq and recvq is empty, except when both hold cases
//    of one blocked select (a G blocks in one operation or one select at a
//    time; a select waiting on both ends of a channel cannot complete with
//    itself, as in Go, and any other G's operation completes one of them);
//  - for a buffered channel, count > 0 implies recvq is empty, and
//    count < cap implies sendq is empty;
//  - a sudog whose select has already fired is never handed a value: the
//    waker removes a fired select's other sudogs from their queues at once.
import type { G, Wire } from "./goroutine.js";
import { GoPanic } from "./panic.js";

/** A G waiting on a channel: one per blocking send/recv, one per case of a blocking select. */
export class Sudog {
  next: Sudog | null = null;
  prev: Sudog | null = null;
  constructor(
    readonly g: G,
    readonly c: Chan,
    /** value to send (senders), or undefined */
    public elem: Wire | undefined,
    /** the select this sudog belongs to, or null for a plain send/recv */
    readonly sel: SelectWait | null,
    readonly caseIndex: number,
    readonly isSend: boolean,
  ) {}
}

/** The sudogs of one blocked select, so the first case to fire can cancel the rest. */
export class SelectWait {
  readonly sudogs: Sudog[] = [];
  /** Removes every sudog of this select from its channel's queue. */
  cancel(): void {
    for (const s of this.sudogs) (s.isSend ? s.c.sendq : s.c.recvq).remove(s);
  }
}

/** Doubly-linked FIFO of sudogs with O(1) removal. */
export class WaitQ {
  first: Sudog | null = null;
  last: Sudog | null = null;
  enqueue(s: Sudog): void {
    s.next = null;
    s.prev = this.last;
    if (this.last) this.last.next = s;
    else this.first = s;
    this.last = s;
  }
  dequeue(): Sudog | null {
    const s = this.first;
    if (s) this.remove(s);
    return s;
  }
  remove(s: Sudog): void {
    if (s.prev) s.prev.next = s.next;
    else if (this.first === s) this.first = s.next;
    else return; // not queued
    if (s.next) s.next.prev = s.prev;
    else this.last = s.prev;
    s.next = s.prev = null;
  }
  get empty(): boolean {
    return this.first === null;
  }
}

/** How a channel operation ended for the G that performed it. */
export const enum ChanResult {
  Done,
  /** the G must park; its sudog is queued */
  Park,
}

/** Readies a G woken by a channel operation; provided by the scheduler. */
export type Readier = (g: G) => void;

export class Chan {
  /** buffered values, ring of `cap` slots */
  private readonly buf: (Wire | undefined)[];
  /** total data in the buffer */
  count = 0;
  private recvx = 0; // receive index
  private sendx = 0; // send index
  closed = false;
  readonly recvq = new WaitQ(); // receivers waiting
  readonly sendq = new WaitQ(); // senders waiting

  constructor(readonly id: number, readonly cap: number, private readonly ready: Readier) {
    this.buf = new Array<Wire | undefined>(cap);
  }

  /** Hands v to a waiting receiver (which the caller dequeued) and readies it. */
  private handOff(r: Sudog, v: Wire | undefined, ok: boolean): void {
    deliver(r, v, ok);
    this.ready(r.g);
  }

  /** chansend: fast paths first (waiting receiver, room in buffer), then block. */
  send(g: G, v: Wire, block: boolean, sel: SelectWait | null = null, caseIndex = -1): ChanResult | false {
    if (this.closed) throw new GoPanic("send on closed channel");
    if (this.trySend(v)) return ChanResult.Done;
    if (!block) return false;
    return this.wait(this.sendq, new Sudog(g, this, v, sel, caseIndex, true));
  }

  /** A send from no goroutine (a timer firing): delivered or buffered if it can be at once, else dropped. */
  sendFromTimer(v: Wire): boolean {
    return !this.closed && this.trySend(v);
  }

  /** chansend's two fast paths: a waiting receiver, then room in the buffer. */
  private trySend(v: Wire): boolean {
    const r = this.dequeueWaiter(this.recvq);
    if (r) {
      this.handOff(r, v, true);
      return true;
    }
    if (this.count < this.cap) {
      this.buf[this.sendx] = v;
      this.sendx = (this.sendx + 1) % this.cap;
      this.count++;
      return true;
    }
    return false;
  }

  /**
   * chanrecv: a waiting sender first (for a full buffer: take the head, refill
   * the tail from the sender, so FIFO order holds), then the buffer, then
   * closed, then block. On Done, the result is in g.param (value) and g.param2 (ok).
   */
  recv(g: G, block: boolean, sel: SelectWait | null = null, caseIndex = -1): ChanResult | false {
    const s = this.dequeueWaiter(this.sendq);
    if (s) {
      if (this.cap === 0) {
        setResult(g, s.elem, true);
      } else {
        setResult(g, this.buf[this.recvx], true);
        this.buf[this.recvx] = s.elem;
        this.recvx = (this.recvx + 1) % this.cap;
        this.sendx = this.recvx;
      }
      s.elem = undefined;
      deliver(s, undefined, true);
      this.ready(s.g);
      return ChanResult.Done;
    }
    if (this.count > 0) {
      setResult(g, this.buf[this.recvx], true);
      this.buf[this.recvx] = undefined;
      this.recvx = (this.recvx + 1) % this.cap;
      this.count--;
      return ChanResult.Done;
    }
    if (this.closed) {
      setResult(g, undefined, false);
      return ChanResult.Done;
    }
    if (!block) return false;
    return this.wait(this.recvq, new Sudog(g, this, undefined, sel, caseIndex, false));
  }

  /** selectgo's pass 2: queues one case of a select that found every case blocked, without trying it again. */
  enqueueSelectCase(g: G, isSend: boolean, v: Wire | undefined, sel: SelectWait, caseIndex: number): void {
    this.wait(isSend ? this.sendq : this.recvq, new Sudog(g, this, isSend ? v : undefined, sel, caseIndex, isSend));
  }

  /** Queues a blocking operation's sudog (and records it in its select, if any). */
  private wait(q: WaitQ, s: Sudog): ChanResult {
    q.enqueue(s);
    if (s.sel) s.sel.sudogs.push(s);
    else s.g.unpark = () => q.remove(s);
    return ChanResult.Park;
  }

  /** closechan: wakes every receiver (zero value, ok=false) and every sender (panics). */
  close(): void {
    if (this.closed) throw new GoPanic("close of closed channel");
    this.closed = true;
    for (let r = this.dequeueWaiter(this.recvq); r; r = this.dequeueWaiter(this.recvq)) this.handOff(r, undefined, false);
    for (let s = this.dequeueWaiter(this.sendq); s; s = this.dequeueWaiter(this.sendq)) {
      s.g.panicOnResume = "send on closed channel";
      deliver(s, undefined, false);
      this.ready(s.g);
    }
  }

  /**
   * Drops the buffered values (a stopped or reset timer's stale tick, as Go
   * 1.23 guarantees); true if there were any. Only a channel no goroutine
   * sends on may be drained, so sendq is empty and no sender loses a value.
   */
  drain(): boolean {
    const had = this.count > 0;
    this.buf.fill(undefined);
    this.count = this.recvx = this.sendx = 0;
    return had;
  }

  /** Dequeues the next waiter; if it belongs to a select, that select's other cases are cancelled. */
  private dequeueWaiter(q: WaitQ): Sudog | null {
    const s = q.dequeue();
    if (s?.sel) s.sel.cancel();
    return s;
  }
}

function setResult(g: G, v: Wire | undefined, ok: boolean): void {
  g.param = v;
  g.param2 = ok ? 1 : 0;
}

/** Completes a waiter's operation: plain recv gets (v, ok); a select gets its case index and (v, ok). */
function deliver(s: Sudog, v: Wire | undefined, ok: boolean): void {
  const g = s.g;
  if (s.sel) {
    g.selectRecv = v;
    g.selectOk = ok;
    g.param = s.caseIndex;
  } else {
    setResult(g, v, ok);
  }
}
