// quickgo guest module: WaitGroup, Mutex, Once. Loaded into a goroutine's
// context the first time it uses one; defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, OP, Handle } = rt;
  class WaitGroup extends Handle {
    constructor(id) {
      super("w", id === undefined ? host(OP.WgNew) : id);
    }
    add(delta = 1) {
      host(OP.WgAdd, this.id, delta);
    }
    done() {
      host(OP.WgAdd, this.id, -1);
    }
    wait() {
      host(OP.WgWait, this.id);
    }
  }
  class Mutex extends Handle {
    constructor(id) {
      super("m", id === undefined ? host(OP.MutexNew) : id);
    }
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

  return { WaitGroup, Mutex, Once };
};
