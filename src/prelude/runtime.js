// quickgo guest module: the parts of Go's runtime package a program uses.
// Defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, GOEXIT } = rt;
  const runtime = Object.freeze({
    // Ends the calling goroutine after its finally blocks run (Go's deferred calls). It throws a
    // sentinel that the goroutine's entry swallows, so a catch block that catches everything must
    // rethrow it: `catch (e) { if (e === runtime.GOEXIT) throw e; … }`.
    goexit() {
      throw GOEXIT;
    },
    GOEXIT,
    // The calling goroutine's stack in Go's format: "goroutine N [running]:" and function/file:line pairs.
    stack: () => host(OP.Stack, String(new Error().stack || "")),
    gosched: rt.api.gosched,
    numGoroutine: rt.api.numGoroutine,
    goid: rt.api.goid,
    NumCPU: () => 1,
    GOMAXPROCS: () => 1,
  });
  return { runtime };
};
