// A minimal scheduler for the Node generators model: each coroutine is a
// generator that yields the channel operation it wants (`recv(ch)`,
// `send(ch, v)`) and is resumed with its result. Channels are unbuffered.
// Invariants, as in Go's chan.go: at least one of `recvq` and `sendq` is
// empty; a coroutine is in at most one queue (a channel's or `runq`).
// Only `GenScheduler` mutates the queues.

/** What a coroutine yields: the operation it blocks on. */
export type GenOp<T> = { op: "recv"; ch: GenChan<T> } | { op: "send"; ch: GenChan<T>; v: T };

/** A coroutine: yields operations, is resumed with a received value (or undefined after a send). */
export type GenCo<T> = Generator<GenOp<T>, void, T | undefined>;

export class GenChan<T> {
  /** coroutines parked in recv */
  readonly recvq: GenCo<T>[] = [];
  /** coroutines parked in send, with the value they send */
  readonly sendq: { co: GenCo<T>; v: T }[] = [];
}

export const recv = <T>(ch: GenChan<T>): GenOp<T> => ({ op: "recv", ch });
export const send = <T>(ch: GenChan<T>, v: T): GenOp<T> => ({ op: "send", ch, v });

export class GenScheduler<T> {
  /** runnable coroutines with the value they resume with */
  private readonly runq: [GenCo<T>, T | undefined][] = [];

  go(co: GenCo<T>): void {
    this.runq.push([co, undefined]);
  }

  /** Runs until no coroutine is runnable (the rest are parked, or done). */
  run(): void {
    for (let next = this.runq.shift(); next; next = this.runq.shift()) this.step(next[0], next[1]);
  }

  /**
   * Runs one coroutine until it parks or returns. A rendezvous readies the
   * partner and the running coroutine carries on, like Go's chansend/chanrecv
   * when a partner is waiting.
   */
  private step(co: GenCo<T>, input: T | undefined): void {
    for (;;) {
      const r = co.next(input);
      if (r.done) return;
      const o = r.value;
      if (o.op === "send") {
        const receiver = o.ch.recvq.shift();
        if (!receiver) return void o.ch.sendq.push({ co, v: o.v });
        this.runq.push([receiver, o.v]);
        input = undefined;
      } else {
        const sender = o.ch.sendq.shift();
        if (!sender) return void o.ch.recvq.push(co);
        this.runq.push([sender.co, undefined]);
        input = sender.v;
      }
    }
  }
}
