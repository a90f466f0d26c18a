// quickgo guest module: Go's context package. Contexts are runtime objects
// (handles), so they can be passed to other goroutines; so are cancel
// functions (callable handles). Defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, handles, encode, decode } = rt;
  const T = __QG_TOOLKIT__;
  // Go's sentinel errors: ctx.err() returns these very objects, so `ctx.err() === context.Canceled` holds.
  const Canceled = new Error("context canceled");
  const DeadlineExceeded = new Error("context deadline exceeded");
  const ERR = [null, Canceled, DeadlineExceeded];

  class Context extends Handle {
    constructor(id) {
      super("x", id);
    }
    // A channel closed when the context is canceled; null (a nil channel) for background().
    done() {
      const c = host(OP.CtxDone, this.id);
      return c === 0 ? null : rt.handleFrom("c" + c);
    }
    err() {
      return ERR[host(OP.CtxErr, this.id)];
    }
    value(key) {
      const w = host(OP.CtxValue, this.id, encode(key, "context key"));
      return w === undefined ? undefined : decode(w);
    }
    // [epoch ms, true], or [undefined, false] without a deadline.
    deadline() {
      const d = host(OP.CtxDeadline, this.id);
      return d === Infinity ? [undefined, false] : [d, true];
    }
  }

  class CancelFunc extends Handle {}
  // A cancel function is a function and a handle: it may be called here or passed to another goroutine.
  function cancelFunc(id) {
    const key = "k" + id;
    let f = handles.get(key);
    if (f) return f;
    f = function cancel() {
      host(OP.CtxCancel, id);
    };
    Object.setPrototypeOf(f, CancelFunc.prototype);
    Object.defineProperty(f, "key", { value: key });
    Object.defineProperty(f, "id", { value: id, enumerable: true });
    handles.set(key, f);
    return f;
  }

  const parentOf = (p, what) => {
    if (!(p instanceof Context)) throw new TypeError("context." + what + ": parent is not a context");
    return p.id;
  };
  const make = (kind, parent, a, b, what) => rt.handleFrom("x" + host(OP.CtxNew, kind, parentOf(parent, what), a, b));
  function withCancel(parent) {
    const c = make(T.CtxKind.Cancel, parent, 0, 0, "withCancel");
    return [c, cancelFunc(c.id)];
  }
  function withDeadline(parent, epochMs) {
    const d = epochMs instanceof Date ? epochMs.getTime() : +epochMs;
    const c = make(T.CtxKind.Deadline, parent, d, 0, "withDeadline");
    return [c, cancelFunc(c.id)];
  }
  const background = () => rt.handleFrom("x" + host(OP.CtxNew, T.CtxKind.Background, 0));

  const context = Object.freeze({
    background,
    TODO: background,
    withCancel,
    withDeadline,
    withTimeout: (parent, ms) => withDeadline(parent, Date.now() + ms),
    withValue: (parent, key, value) =>
      make(T.CtxKind.Value, parent, encode(key, "context key"), encode(value, "context value"), "withValue"),
    Canceled,
    DeadlineExceeded,
    Context,
  });
  const fromHandle = (prefix, id) => (prefix === "k" ? cancelFunc(id) : new Context(id));
  return { context, fromHandle };
};
