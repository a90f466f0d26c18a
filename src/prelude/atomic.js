// quickgo guest module: Go's sync/atomic types. Goroutines share no memory,
// so these are runtime objects (handles); every method is one atomic host call.
// Defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, encode, decode } = rt;
  const T = __QG_TOOLKIT__;
  const A = T.AtomicOp;
  const int = (n, what) => {
    if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new TypeError("atomic." + what + ": not a safe integer");
    return n;
  };
  // Integers up to ±2^53 (JS numbers); Go's 64-bit wrap-around is not emulated.
  class Int64 extends Handle {
    constructor(v = 0, id) {
      super("a", id === undefined ? host(OP.AtomicNew, 0, int(v, "Int64")) : id);
    }
    load() {
      return host(OP.Atomic, this.id, A.Load);
    }
    store(v) {
      host(OP.Atomic, this.id, A.Store, int(v, "store"));
    }
    add(delta) {
      return host(OP.Atomic, this.id, A.Add, int(delta, "add"));
    }
    swap(v) {
      return host(OP.Atomic, this.id, A.Swap, int(v, "swap"));
    }
    compareAndSwap(old, v) {
      return host(OP.Atomic, this.id, A.CompareAndSwap, int(old, "compareAndSwap"), int(v, "compareAndSwap"));
    }
  }
  class Bool extends Handle {
    constructor(v = false, id) {
      super("b", id === undefined ? host(OP.AtomicNew, 0, v ? 1 : 0) : id);
    }
    load() {
      return host(OP.Atomic, this.id, A.Load) === 1;
    }
    store(v) {
      host(OP.Atomic, this.id, A.Store, v ? 1 : 0);
    }
    swap(v) {
      return host(OP.Atomic, this.id, A.Swap, v ? 1 : 0) === 1;
    }
    compareAndSwap(old, v) {
      return host(OP.Atomic, this.id, A.CompareAndSwap, old ? 1 : 0, v ? 1 : 0);
    }
  }
  // Any value, copied in and out; compareAndSwap compares encoded forms. Storing undefined/null panics, like Go's nil.
  class Value extends Handle {
    constructor(id) {
      super("v", id === undefined ? host(OP.AtomicNew, 1) : id);
    }
    load() {
      const w = host(OP.Atomic, this.id, A.Load);
      return w === undefined ? undefined : decode(w);
    }
    store(v) {
      host(OP.Atomic, this.id, A.Store, wire(v));
    }
    swap(v) {
      const w = host(OP.Atomic, this.id, A.Swap, wire(v));
      return w === undefined ? undefined : decode(w);
    }
    compareAndSwap(old, v) {
      return host(OP.Atomic, this.id, A.CompareAndSwap, wire(old), wire(v));
    }
  }
  const wire = (v) => (v === null || v === undefined ? "u" : encode(v, "atomic value"));
  const atomic = Object.freeze({ Int64, Int32: Int64, Bool, Value });
  function fromHandle(prefix, id) {
    return prefix === "a" ? new Int64(0, id) : prefix === "b" ? new Bool(false, id) : new Value(id);
  }
  return { atomic, fromHandle };
};
