// quickgo guest module: Go's sync.WaitGroup on its own. It is the sync type
// nearly every goroutine that is handed one touches (wg.done()), so it does
// not pull the rest of sync.js into the goroutine's context: 2.5 KiB of
// QuickJS heap instead of 11.8 (measured with a WaitGroup passed to each of
// 200 parked goroutines, ad-hoc probe). sync.js re-exports this class. Defines only
// globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, spawn } = rt;
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
    // Go 1.25's WaitGroup.Go: add(1), then fn(...args) in a new goroutine that calls done() when it returns.
    go(fn, ...args) {
      this.add(1);
      try {
        return spawn(fn, args, this.key, "WaitGroup.go");
      } catch (e) {
        this.done();
        throw e;
      }
    }
    // Runs in the new goroutine (see guest.js entry).
    runGoroutine(fn, args) {
      try {
        fn(...args);
      } finally {
        this.done();
      }
    }
  }
  return { WaitGroup };
};
