// quickgo guest module: Go's sync.Mutex (and sync.Locker, which RWMutex
// extends in sync.js) on its own, for the same reason as waitgroup.js: a
// goroutine handed a mutex need not build the rest of the sync package.
// Defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle } = rt;
  // Go's sync.Locker: the host's Lock ops take either kind of mutex (for an RWMutex, its write side).
  class Locker extends Handle {
    lock() {
      host(OP.Lock, this.id);
    }
    unlock() {
      host(OP.Unlock, this.id);
    }
    tryLock() {
      return host(OP.TryLock, this.id);
    }
  }
  class Mutex extends Locker {
    constructor(id) {
      super("m", id === undefined ? host(OP.MutexNew) : id);
    }
  }
  return { Locker, Mutex };
};
