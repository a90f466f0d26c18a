// quickgo guest prelude: the Go-style API every goroutine's context sees.
// Evaluated in each goroutine's QuickJS context before the program; codec.js
// and inspect.js are loaded into the context only when first needed. It captures the hidden host function and removes it from the
// global object, so programs reach the host only through this API.
// The host replaces the two __QG_..._ placeholders below with its opcode tables.
(function () {
  "use strict";
  const host = globalThis.__qg;
  delete globalThis.__qg;
  const OP = __QG_OPS__;
  const KIND = __QG_SELECT_KINDS__;

  const handles = new Map(); // key → wrapper, so a handle keeps identity inside this context
  function handleFrom(key) {
    let h = handles.get(key);
    if (!h) {
      const id = +key.slice(1);
      switch (key[0]) {
        case "c": h = new Chan(id); break;
        case "w": h = new WaitGroup(id); break;
        case "m": h = new Mutex(id); break;
        case "o": h = new Once(id); break;
        default: throw new Error("malformed value");
      }
    }
    return h;
  }

  // The full codec (codec.js) is large, and parsing is most of what a new
  // goroutine costs, so it is loaded on first need. Strings, primitives and
  // arrays of primitives and handles (the usual go() arguments) never need
  // it; neither does decoding anything but the codec's "tape" form.
  let fullCodec = null;
  function codec() {
    if (!fullCodec) {
      host(OP.LoadPrelude, "codec");
      fullCodec = globalThis.__qg_makeCodec({
        handleOf: (v) => (v instanceof Handle ? v.key : null),
        handleFrom,
      });
      delete globalThis.__qg_makeCodec;
    }
    return fullCodec;
  }
  function isPlainElement(x) {
    const t = typeof x;
    return t === "string" || t === "boolean" || x === null || (t === "number" && Number.isFinite(x) && !Object.is(x, -0));
  }
  // Wire forms: see codec.js. "H" is this file's own: a JSON array of
  // primitives in which {"h": key} stands for a handle.
  function encode(v, what) {
    switch (typeof v) {
      case "string":
        if (v.indexOf("\0") < 0) return "s" + v;
        break;
      case "undefined": return "u";
      case "boolean": return v ? "t" : "f";
      case "object":
        if (v === null) return "n";
        if (Array.isArray(v) && v.length < 64) {
          let fast = true;
          for (let i = 0; i < v.length && fast; i++) fast = i in v && (isPlainElement(v[i]) || v[i] instanceof Handle);
          if (fast) return "H" + JSON.stringify(v.map((x) => (x instanceof Handle ? { h: x.key } : x)));
        }
        break;
    }
    return codec().encode(v, what);
  }
  function decode(w) {
    if (typeof w !== "string") return w;
    switch (w[0]) {
      case "s": return w.slice(1);
      case "u": return undefined;
      case "n": return null;
      case "t": return true;
      case "f": return false;
      case "d": return +w.slice(1);
      case "b": return BigInt(w.slice(1));
      case "{": case "[": case '"': return JSON.parse(w);
      case "H": return JSON.parse(w.slice(1)).map((x) => (x !== null && typeof x === "object" ? handleFrom(x.h) : x));
    }
    return codec().decode(w);
  }

  const NEW = Symbol("new");
  class Handle {
    constructor(prefix, id) {
      Object.defineProperty(this, "key", { value: prefix + id });
      Object.defineProperty(this, "id", { value: id, enumerable: true });
      handles.set(this.key, this);
    }
  }

  class Chan extends Handle {
    constructor(id) {
      super("c", id);
    }
    send(v) {
      if (typeof v === "number") host(OP.SendNum, this.id, v);
      else host(OP.SendWire, this.id, encode(v, "chan send"));
    }
    recv() {
      const w = host(OP.Recv, this.id);
      return w === undefined ? undefined : decode(w);
    }
    recvOk() {
      const w = host(OP.Recv, this.id);
      return host(OP.RecvOk) ? [decode(w), true] : [undefined, false];
    }
    close() {
      host(OP.Close, this.id);
    }
    get len() {
      return host(OP.ChanLen, this.id);
    }
    get cap() {
      return host(OP.ChanCap, this.id);
    }
    [Symbol.iterator]() {
      const id = this.id;
      return {
        next() {
          const w = host(OP.Recv, id);
          if (w === undefined && !host(OP.RecvOk)) return { done: true, value: undefined };
          return { done: false, value: decode(w) };
        },
        [Symbol.iterator]() {
          return this;
        },
      };
    }
  }

  function chan(cap = 0) {
    if (typeof cap !== "number" || !Number.isInteger(cap)) throw new TypeError("makechan: size must be an integer");
    if (cap < 0) throw new RangeError("makechan: size out of range");
    return new Chan(host(OP.ChanMake, cap));
  }

  const chanId = (ch, what) => {
    if (ch === null || ch === undefined) return 0; // nil channel
    if (!(ch instanceof Chan)) throw new TypeError(what + ": not a channel");
    return ch.id;
  };

  // select(recv(ch, fn), send(ch, v, fn), otherwise(fn))
  const RECV = 0, SEND = 1, DEFAULT = 2;
  function recv(ch, fn) {
    return { k: RECV, ch, fn };
  }
  function send(ch, v, fn) {
    return { k: SEND, ch, v, fn };
  }
  function otherwise(fn) {
    return { k: DEFAULT, fn };
  }
  function select(...cases) {
    const args = [OP.Select, 0, 0];
    let dflt = null;
    const active = [];
    for (const c of cases) {
      if (!c || typeof c.k !== "number") throw new TypeError("select: cases must be recv(), send() or otherwise()");
      if (c.k === DEFAULT) {
        if (dflt) throw new Error("select: multiple defaults");
        dflt = c;
        continue;
      }
      const id = chanId(c.ch, "select");
      active.push(c);
      if (c.k === RECV) args.push(KIND.Recv, id, 0);
      else if (typeof c.v === "number") args.push(KIND.SendNum, id, c.v);
      else args.push(KIND.SendWire, id, encode(c.v, "select send"));
    }
    args[1] = dflt ? 1 : 0;
    args[2] = active.length;
    const i = host(...args);
    if (i < 0) return dflt.fn ? dflt.fn() : undefined;
    const c = active[i];
    if (c.k === RECV) {
      const w = host(OP.SelectRecv);
      const ok = host(OP.RecvOk);
      return c.fn ? c.fn(ok ? decode(w) : undefined, ok) : undefined;
    }
    return c.fn ? c.fn() : undefined;
  }

  class WaitGroup extends Handle {
    constructor(id) {
      super("w", id === NEW || id === undefined ? host(OP.WgNew) : id);
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

  // Goroutines. A closure literal passed to go() was rewritten by the loader
  // into __qg_closure(id, [captured values]): the new goroutine rebuilds it.
  class Closure {
    constructor(id, caps) {
      this.id = id;
      this.caps = caps.length ? encode(caps, "captured variable") : "";
    }
  }
  function __qg_closure(id, caps) {
    return new Closure(id, caps);
  }
  function topLevelName(fn) {
    const fns = globalThis.__qg_fns || {};
    if (fn.name && fns[fn.name] === fn) return fn.name;
    for (const k of Object.keys(fns)) if (fns[k] === fn) return k;
    return null;
  }
  function go(fn, ...args) {
    const a = args.length ? encode(args, "go argument") : "";
    if (fn instanceof Closure) return host(OP.GoClosure, fn.id, fn.caps, a);
    if (typeof fn !== "function") throw new TypeError("go: argument is not a function");
    const name = topLevelName(fn);
    if (name === null) {
      throw new TypeError(
        "go: " + (fn.name ? "function " + fn.name : "this function") +
          " is neither a top-level function nor a closure literal written in the go() call",
      );
    }
    return host(OP.GoNamed, name, "", a);
  }

  // Time.
  const sleep = (ms) => void host(OP.Sleep, +ms || 0);
  const after = (ms) => handleFrom("c" + host(OP.After, +ms || 0));
  const tick = (ms) => handleFrom("c" + host(OP.Tick, +ms || 0));
  const now = () => host(OP.Now);

  // Output. Strings and numbers print as they are; anything else goes
  // through inspect.js (Node's console.log format), loaded on first need.
  let inspect = null;
  function show(v) {
    if (typeof v === "string") return v;
    if (typeof v === "number" && !Object.is(v, -0)) return String(v);
    if (!inspect) {
      host(OP.LoadPrelude, "inspect");
      inspect = globalThis.__qg_makeInspect(Chan);
      delete globalThis.__qg_makeInspect;
    }
    return inspect(v);
  }
  const format = (args) => args.map(show).join(" ") + "\n";
  const println = (...a) => void host(OP.Print, 1, format(a));
  const console = {
    log: println,
    info: println,
    debug: println,
    error: (...a) => void host(OP.Print, 2, format(a)),
    warn: (...a) => void host(OP.Print, 2, format(a)),
  };

  // Entry of every goroutine: kind 0 = top-level function by name, 1 = closure factory.
  function entry(kind, ref, caps, args) {
    const a = args === "" ? [] : decode(args);
    const fn = kind === 1 ? ref(...(caps === "" ? [] : decode(caps))) : (globalThis.__qg_fns || {})[ref];
    if (typeof fn !== "function") throw new TypeError("function " + ref + " is undeclared in the main program");
    fn(...a);
  }
  // For panics: the Go-style message and the stack of what was thrown.
  function describe(e) {
    if (e instanceof Error) {
      const head = e.name === "Error" || !e.name ? String(e.message) : e.name + ": " + e.message;
      return JSON.stringify({ message: head, stack: String(e.stack || "") });
    }
    let s;
    try {
      s = show(e);
    } catch (_) {
      s = "(unprintable value)";
    }
    return JSON.stringify({ message: s, stack: "" });
  }
  const stack = () => String(new Error().stack || "");

  const api = {
    go, chan, select, recv, send, otherwise, sleep, after, tick, now,
    WaitGroup, Mutex, Once,
    gosched: () => void host(OP.Gosched),
    numGoroutine: () => host(OP.NumGoroutine),
    goid: () => host(OP.Goid),
    println, console, Chan,
  };
  Object.defineProperty(api, "args", { get: () => JSON.parse(host(OP.Args)), enumerable: true });
  const define = (k, v) => Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true });
  for (const k of Object.keys(api)) if (k !== "args") define(k, api[k]);
  Object.defineProperty(globalThis, "args", { get: () => api.args, configurable: true });
  define("__quickgo", Object.freeze(api));
  define("__qg_closure", __qg_closure);
  define("__qg_entry", entry);
  define("__qg_describe", describe);
  define("__qg_stack", stack);
})();
