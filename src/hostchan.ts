// The host end of a channel: a runtime/chan.ts Chan of a session, used from
// async host code. A blocked host operation is a host waiter (a G that never
// runs, see G.host) in the channel's wait queue, so the channel code is the
// same for goroutines and the host and its invariants hold unchanged; the
// waiter's callback settles the host's promise instead of scheduling a G.
// Values are copied on the way in and out (src/hostcodec.ts).
import { type Chan, ChanResult } from "../runtime/chan.js";
import { G, type WaitReason } from "../runtime/goroutine.js";
import type { ProgramImage } from "../runtime/scheduler.js";
import type { HostCodec } from "./hostcodec.js";

/** What a Channel needs from the session it belongs to. */
export interface ChanSession {
  readonly codec: HostCodec;
  /** the error that ended the session, or null while it runs */
  readonly error: Error | null;
  /** Parks a host waiter: settles when a goroutine (or the host) completes its operation, or the session ends. */
  park(g: G): Promise<G>;
}

const NO_PROGRAM: ProgramImage = { file: "<host>", code: "", closures: [], args: [] };

/** A G standing for one blocked host operation (id 0: the host). */
export function hostWaiter(reason: WaitReason): G {
  const g = new G(0, { fn: "", caps: undefined, args: undefined }, NO_PROGRAM);
  g.waitReason = reason;
  return g;
}

/** Go panics on the host side (send on a closed channel…) become Errors with Go's message. */
function hostError(e: unknown): Error {
  return e instanceof Error ? new Error(e.message) : new Error(String(e));
}

/**
 * A channel shared by host code and goroutines. Create one with
 * `Runtime.chan()`, pass it to goroutines as an argument of `Runtime.go` or
 * send it on another channel: a goroutine sees an ordinary guest channel.
 * Channels a goroutine sends to the host arrive as Channels too.
 *
 * Values are copied with structured-clone rules (primitives, arrays, plain
 * objects, Map, Set, Date, RegExp, typed arrays, Errors…); channels keep
 * their identity. Operations after the runtime's session ended reject with
 * the error that ended it (`GoroutinePanic`, `DeadlockError`, `ShutdownError`).
 *
 * @typeParam T - the type of the values carried (not checked at run time)
 */
export class Channel<T = unknown> implements AsyncIterable<T> {
  /** @internal */
  readonly session: ChanSession;
  /** @internal */
  readonly chan: Chan;

  /** @internal Use `Runtime.chan()`. */
  constructor(session: ChanSession, chan: Chan) {
    this.session = session;
    this.chan = chan;
  }

  /** The channel's handle id (what a goroutine sees as `ch.id`). */
  get id(): number {
    return this.chan.id;
  }

  /** Buffer capacity (0: unbuffered). */
  get cap(): number {
    return this.chan.cap;
  }

  /** Values buffered now. */
  get len(): number {
    return this.chan.count;
  }

  /**
   * Sends v: resolves once a receiver took it or it is buffered. Rejects with
   * `send on closed channel` if the channel is or gets closed, and with a
   * TypeError for a value that cannot be copied (a function, a symbol…).
   */
  send(v: T): Promise<void> {
    const s = this.session;
    if (s.error) return Promise.reject(s.error);
    try {
      const w = s.codec.encode(v, "chan send");
      const g = hostWaiter("chan send");
      if (this.chan.send(g, w, true) === ChanResult.Done) return Promise.resolve();
      return s.park(g).then(() => undefined);
    } catch (e) {
      return Promise.reject(e instanceof TypeError ? e : hostError(e));
    }
  }

  /** Receives a value; resolves with undefined once the channel is closed and drained. */
  async recv(): Promise<T | undefined> {
    const [v] = await this.recvOk();
    return v;
  }

  /** Receives a value and whether it was sent (Go's `v, ok := <-ch`): `[undefined, false]` once closed and drained. */
  recvOk(): Promise<[value: T, ok: true] | [value: undefined, ok: false]> {
    const s = this.session;
    if (s.error) return Promise.reject(s.error);
    const g = hostWaiter("chan receive");
    try {
      if (this.chan.recv(g, true) === ChanResult.Done) return Promise.resolve(this.result(g));
    } catch (e) {
      return Promise.reject(hostError(e));
    }
    return s.park(g).then((w) => this.result(w));
  }

  private result(g: G): [value: T, ok: true] | [value: undefined, ok: false] {
    if (g.param2 !== 1) return [undefined, false];
    return [(g.param === undefined ? undefined : this.session.codec.decode(g.param)) as T, true];
  }

  /**
   * Closes the channel: waiting receivers get `undefined`/ok=false, waiting
   * senders fail. Throws `close of closed channel` when it already is.
   */
  close(): void {
    const s = this.session;
    if (s.error) throw s.error;
    try {
      this.chan.close();
    } catch (e) {
      throw hostError(e);
    }
  }

  /** `for await (const v of ch)`: receives until the channel is closed and drained. */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: async (): Promise<IteratorResult<T>> => {
        const r = await this.recvOk();
        return r[1] ? { done: false, value: r[0] } : { done: true, value: undefined };
      },
    };
  }
}
