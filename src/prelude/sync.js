// quickgo guest module: Go's sync package (WaitGroup, Mutex, Once, RWMutex,
// Cond) and golang.org/x/sync/semaphore. Loaded into a goroutine's context
// the first time it uses one; defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, handleFrom } = rt;
  // WaitGroup, Locker and Mutex live in modules of their own (waitgroup.js, mutex.js),
  // which goroutines that use only them load without this one; the classes are the same.
  const { WaitGroup } = rt.lazy("waitgroup");
  const { Locker, Mutex } = rt.lazy("mutex");
  class Once extends Handle {
    constructor(id) {
      super("o", id === undefined ? host(OP.OnceNew) : id);
    }
    do(f) {
      if (!host(OP.OnceBegin, this.id)) return;
      try {
        f();
      } finally {
        host(OP.OnceEnd, this.id);
      }
    }
  }
  // lock/unlock/tryLock (from Locker) are the write side.
  class RWMutex extends Locker {
    constructor(id) {
      super("r", id === undefined ? host(OP.RWMutexNew) : id);
    }
    rLock() {
      host(OP.RLock, this.id);
    }
    rUnlock() {
      host(OP.RUnlock, this.id);
    }
    tryRLock() {
      return host(OP.TryRLock, this.id);
    }
  }
  // new Cond(l): l is a Mutex or an RWMutex (its write side), reachable as cond.L.
  class Cond extends Handle {
    constructor(l, id) {
      if (id === undefined && !(l instanceof Locker)) throw new TypeError("sync.Cond: L must be a Mutex or an RWMutex");
      super("d", id === undefined ? host(OP.CondNew, l.id) : id);
      if (l) Object.defineProperty(this, "L", { value: l });
    }
    // A Cond that came from another goroutine learns its L from the host.
    get L() {
      const l = handleFrom(host(OP.Related, this.id));
      Object.defineProperty(this, "L", { value: l });
      return l;
    }
    wait() {
      host(OP.CondWait, this.id);
    }
    signal() {
      host(OP.CondSignal, this.id, 0);
    }
    broadcast() {
      host(OP.CondSignal, this.id, 1);
    }
  }
  // golang.org/x/sync/semaphore.Weighted; acquire(n) or acquire(ctx, n), FIFO.
  class Semaphore extends Handle {
    constructor(n, id) {
      super("s", id === undefined ? host(OP.SemNew, n) : id);
    }
    // With a context, returns null once acquired or ctx.err() if ctx is done first (holding nothing).
    acquire(a = 1, b) {
      if (a instanceof Handle && a.key[0] === "x") {
        return host(OP.SemAcquire, this.id, b === undefined ? 1 : b, a.id) === 0 ? null : a.err();
      }
      host(OP.SemAcquire, this.id, a, 0);
      return null;
    }
    tryAcquire(n = 1) {
      return host(OP.SemAcquire, this.id, n, -1) === 0;
    }
    release(n = 1) {
      host(OP.SemRelease, this.id, n);
    }
  }
  function fromHandle(prefix, id) {
    switch (prefix) {
      case "r": return new RWMutex(id);
      case "d": return new Cond(undefined, id);
      default: return new Semaphore(undefined, id);
    }
  }
  const sync = Object.freeze({ WaitGroup, Mutex, Once, RWMutex, Cond, Semaphore });
  const semaphore = Object.freeze({ Weighted: Semaphore, newWeighted: (n) => new Semaphore(n) });
  return { WaitGroup, Mutex, Once, RWMutex, Cond, Semaphore, sync, semaphore, fromHandle };
};
