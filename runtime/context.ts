// Contexts, after Go's context package. They are runtime objects so a
// context can be passed to other goroutines (go() arguments, channels,
// captures) and canceled from any of them; guests hold handles.
//
// A context is live until canceled; cancel is final (Go's cancelCtx):
//   live ──cancel(err)──▶ canceled: err set once, done closed, every child
//                         canceled with the same err, the parent forgets it,
//                         its deadline timer stopped, its onCancel hooks run.
// Invariants: `canceler` is this context if it is cancelable, else its
// parent's canceler (null for background and values on top of it); a live
// cancelable context is in its parent canceler's `children` exactly when
// that parent is live. Values are stored wire-encoded, so any goroutine can
// read them; keys are compared by their wire form.
import type { Chan } from "./chan.js";
import type { Wire } from "./goroutine.js";
import { CtxErr } from "./ops.js";
import type { Timer } from "./timer.js";

export type CtxErrCode = (typeof CtxErr)[keyof typeof CtxErr];

export class Context {
  err: CtxErrCode = CtxErr.None;
  /** the nearest cancelable context at or above this one; Done and Err are its */
  readonly canceler: Context | null;
  /** live cancelable contexts derived from this one (cancelable contexts only) */
  readonly children = new Set<Context>();
  /** run once when this context is canceled (e.g. a semaphore acquire waiting on it) */
  readonly onCancel = new Set<() => void>();
  /** closed on cancel; made on the first done() */
  doneChan: Chan | null = null;
  /** the deadline timer, for withDeadline/withTimeout */
  timer: Timer | null = null;

  constructor(
    readonly id: number,
    readonly parent: Context | null,
    cancelable: boolean,
    /** epoch ms; Infinity for none (inherited from the parent when earlier) */
    readonly deadline: number,
    /** withValue: the key's wire form and the value's */
    readonly key?: Wire,
    readonly value?: Wire,
  ) {
    this.canceler = cancelable ? this : (parent?.canceler ?? null);
    const up = parent?.canceler;
    if (cancelable && up) {
      // propagateCancel: a child of a canceled context is born canceled.
      if (up.err !== CtxErr.None) this.cancel(up.err);
      else up.children.add(this);
    }
  }

  /** Err of this context (its canceler's). */
  get error(): CtxErrCode {
    return this.canceler?.err ?? CtxErr.None;
  }

  /** Done channel of this context: null (Go's nil channel) for a context that can never be canceled. */
  done(makeChan: () => Chan): Chan | null {
    const c = this.canceler;
    if (!c) return null;
    if (!c.doneChan) {
      c.doneChan = makeChan();
      if (c.err !== CtxErr.None) c.doneChan.close();
    }
    return c.doneChan;
  }

  /** Cancels this cancelable context and its subtree with err; later calls do nothing (Go). */
  cancel(err: CtxErrCode, stopTimer: (t: Timer) => void = () => {}): void {
    if (this.err !== CtxErr.None) return;
    this.err = err;
    this.doneChan?.close();
    for (const child of this.children) child.cancel(err, stopTimer);
    this.children.clear();
    this.parent?.canceler?.children.delete(this);
    if (this.timer) stopTimer(this.timer);
    this.timer = null;
    for (const f of this.onCancel) f();
    this.onCancel.clear();
  }

  /** Value: the nearest withValue context up the chain whose key has the same wire form. */
  lookup(key: Wire): Wire | undefined {
    for (let c: Context | null = this; c; c = c.parent) if (c.key !== undefined && c.key === key) return c.value;
    return undefined;
  }
}
