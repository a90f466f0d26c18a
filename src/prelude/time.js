// quickgo guest module: Go's time package (durations are milliseconds).
// Timers and tickers are runtime objects (handles) with Go 1.23 semantics:
// stop and reset discard a value sent but not yet received. Defines only
// globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, Handle, handleFrom, startOf, encode } = rt;
  const T = __QG_TOOLKIT__;
  const K = T.TimerKind;
  const ms = (d) => +d || 0;
  // time.Timer: .c delivers the time (now(), ms) once; null for afterFunc's timer.
  class Timer extends Handle {
    constructor(id, prefix = "t") {
      super(prefix, id);
    }
    get c() {
      const key = host(OP.Related, this.id);
      const c = key === "" ? null : handleFrom(key);
      Object.defineProperty(this, "c", { value: c });
      return c;
    }
    // true if the call stopped the timer, false if it had already fired (and its value was received) or was stopped.
    stop() {
      return host(OP.TimerStop, this.id);
    }
    // Re-arms the timer (afterFunc: fn runs again); returns what stop() would have.
    reset(d) {
      return host(OP.TimerReset, this.id, ms(d));
    }
  }
  // time.Ticker: .c delivers the time every d ms; slow receivers miss ticks.
  class Ticker extends Timer {
    constructor(id) {
      super(id, "p");
    }
    stop() {
      host(OP.TimerStop, this.id);
    }
    reset(d) {
      host(OP.TimerReset, this.id, ms(d));
    }
  }
  function afterFunc(d, fn, ...args) {
    const s = startOf(fn, "afterFunc");
    const kind = s[0] === OP.GoClosure ? K.FuncClosure : K.FuncNamed;
    return new Timer(host(OP.TimerNew, kind, ms(d), s[1], s[2], args.length ? encode(args, "afterFunc argument") : ""));
  }
  const api = rt.api;
  const time = Object.freeze({
    Nanosecond: 1e-6,
    Microsecond: 1e-3,
    Millisecond: 1,
    Second: 1000,
    Minute: 60000,
    Hour: 3600000,
    sleep: api.sleep,
    after: api.after,
    tick: api.tick,
    now: api.now,
    since: (t) => api.now() - t,
    until: (t) => t - api.now(),
    newTimer: (d) => new Timer(host(OP.TimerNew, K.Timer, ms(d))),
    newTicker: (d) => new Ticker(host(OP.TimerNew, K.Ticker, ms(d))),
    afterFunc,
    Timer,
    Ticker,
  });
  const fromHandle = (prefix, id) => (prefix === "p" ? new Ticker(id) : new Timer(id));
  return { time, fromHandle };
};
