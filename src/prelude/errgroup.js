// quickgo guest module: golang.org/x/sync/errgroup. A goroutine's error is
// what its function throws, or an Error it returns (Go's `return err`).
// Defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, spawn, encode, decode, GOEXIT } = rt;
  class Group extends Handle {
    constructor(ctxId, id) {
      super("e", id === undefined ? host(OP.GroupNew, ctxId || 0) : id);
    }
    // Starts fn(...args) in a new goroutine; under setLimit, blocks until fewer than the limit run.
    go(fn, ...args) {
      host(OP.GroupGo, this.id, 1);
      this.start(fn, args, "errgroup.go");
    }
    // Like go, but returns false instead of blocking when the limit is reached.
    tryGo(fn, ...args) {
      if (!host(OP.GroupGo, this.id, 0)) return false;
      this.start(fn, args, "errgroup.tryGo");
      return true;
    }
    start(fn, args, what) {
      try {
        spawn(fn, args, this.key, what);
      } catch (e) {
        host(OP.GroupDone, this.id, 0, "");
        throw e;
      }
    }
    // Waits for every goroutine; returns the first error (or null). With withContext, its context is canceled then.
    wait() {
      const w = host(OP.GroupWait, this.id);
      return w === undefined ? null : decode(w);
    }
    setLimit(n) {
      host(OP.GroupSetLimit, this.id, n);
    }
    // Runs in the new goroutine (see guest.js entry): reports how fn ended, even by runtime.goexit().
    runGoroutine(fn, args) {
      let failed = false, err;
      try {
        const r = fn(...args);
        if (r instanceof Error) (failed = true), (err = r);
      } catch (e) {
        if (e === GOEXIT) throw e;
        failed = true;
        err = e;
      } finally {
        let w = "";
        if (failed) {
          try {
            w = encode(err, "errgroup error");
          } catch (_) {
            w = encode(new Error(String(err)), "errgroup error");
          }
        }
        host(OP.GroupDone, this.id, failed ? 1 : 0, w);
      }
    }
  }
  const errgroup = Object.freeze({
    Group,
    withContext(parent) {
      const [ctx] = rt.lazy("context").context.withCancel(parent);
      return [new Group(ctx.id), ctx];
    },
  });
  return { errgroup, fromHandle: (_, id) => new Group(undefined, id) };
};
