// quickgo guest prelude: the Go-style API every goroutine's context sees.
// Evaluated in each goroutine's QuickJS context before the program; codec.js
// and inspect.js are loaded into the context only when first needed. It captures the hidden host function and removes it from the
// global object, so programs reach the host only through this API.
// The host replaces every opcode reference with its number (src/prelude.ts).
(function () {
  "use strict";
  const host = globalThis.__qg;
  delete globalThis.__qg;
  // The host function bound to an operation and its operands (net's Conn.read
  // and write, past the host's range of Conn method ids). bind and apply are
  // taken now, before any program code runs, so a program that replaces
  // Function.prototype.bind never sees `host`.
  const bind = Function.prototype.bind;
  const apply = Reflect.apply;
  const bindHost = (op, a, b, c) => apply(bind, host, [null, op, a, b, c]);
  // Opcodes (OP.Gosched…) are inlined as numbers by the host: no opcode table here.

  // Prelude modules (select.js, sync.js, …) are evaluated on first use: every
  // goroutine parses this file, and parsing is most of what a spawn costs.
  const modules = Object.create(null);
  function lazy(name) {
    let m = modules[name];
    if (!m) m = modules[name] = load(name, "__qg_module")(internals);
    return m;
  }
  // A module script assigns its factory to a global and the host returns the
  // script's value, that same factory: use the value, never the global, which
  // the program may have made an accessor to catch `internals` with.
  function load(name, global) {
    const make = host(OP.LoadPrelude, name);
    try {
      delete globalThis[global];
    } catch (_) {} // the program made it non-configurable: its own affair
    return make;
  }

  // key → wrapper, so a handle keeps identity inside this context. Not a Map:
  // Map is a lazy built-in (below), which the prelude must not pull in.
  const handleTable = Object.create(null);
  const handles = { get: (key) => handleTable[key], set: (key, h) => void (handleTable[key] = h) };
  // Toolkit handles, by key prefix: the module that rebuilds them (its fromHandle).
  const HANDLE_MODULE = { r: "sync", d: "sync", s: "sync", x: "context", k: "context", e: "errgroup", a: "atomic", b: "atomic", v: "atomic", t: "time", p: "time" };
  function handleFrom(key) {
    let h = handles.get(key);
    if (!h) {
      const id = +key.slice(1);
      switch (key[0]) {
        case "c": h = new Chan(id); break;
        case "w": h = new (lazy("waitgroup").WaitGroup)(id); break;
        case "m": h = new (lazy("mutex").Mutex)(id); break;
        case "o": h = new (lazy("sync").Once)(id); break;
        case "n": h = new (lazy("net").Conn)(id); break;
        case "l": h = new (lazy("net").Listener)(id); break;
        default:
          if (!HANDLE_MODULE[key[0]]) throw new Error("malformed value");
          h = lazy(HANDLE_MODULE[key[0]]).fromHandle(key[0], id);
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
      fullCodec = load("codec", "__qg_makeCodec")({
        handleOf: (v) => (v instanceof Handle ? v.key : null),
        handleFrom,
      });
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
        if (!fullCodec) {
          const json = lazy("plain").wire(v);
          if (json !== undefined) return json;
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
  // runtime.goexit() throws this; entry() swallows it once finally blocks ran.
  const GOEXIT = Object.freeze({ message: "runtime.Goexit" });
  const internals = { host, bindHost, Handle, chanId, encode, decode, lazy, handles, handleFrom, GOEXIT, startOf, spawn };

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
  // How a goroutine starting fn is named to the host: [op, name or closure id, captures].
  function startOf(fn, what) {
    if (fn instanceof Closure) return [OP.GoClosure, fn.id, fn.caps];
    if (typeof fn !== "function") throw new TypeError(what + ": argument is not a function");
    const name = topLevelName(fn);
    if (name === null) {
      throw new TypeError(
        what + ": " + (fn.name ? "function " + fn.name : "this function") +
          " is neither a top-level function nor a closure literal written in the " + what + "() call",
      );
    }
    return [OP.GoNamed, name, ""];
  }
  // wrap: key of the WaitGroup/errgroup whose runGoroutine runs fn in the new goroutine, or "".
  function spawn(fn, args, wrap, what) {
    const s = startOf(fn, what);
    return host(s[0], s[1], s[2], args.length ? encode(args, "go argument") : "", wrap);
  }
  const go = (fn, ...args) => spawn(fn, args, "", "go");

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
      inspect = load("inspect", "__qg_makeInspect")(Chan);
    }
    return inspect(v);
  }
  const format = (args) => args.map(show).join(" ") + "\n";
  const println = (...a) => void host(OP.Print, 1, format(a));
  const eprintln = (...a) => void host(OP.Print, 2, format(a));
  const console = { log: println, info: println, debug: println, error: eprintln, warn: eprintln };

  // Start of every goroutine (kind 0 = top-level function by name, 1 = closure
  // factory), called by the host once while it sets the goroutine up: it
  // decodes the arguments and names the function and them to the host
  // (OP.Start), which then calls the function itself. So no frame of the
  // prelude stays under the goroutine's own: a park has one frame less to
  // unwind and rewind (asyncify) or to keep (jspi). runtime.goexit()'s GOEXIT
  // reaches the host, which ends the goroutine without a panic (describe).
  function entry(kind, ref, caps, args, wrap) {
    const a = args === "" ? [] : decode(args);
    const fn = kind === 1 ? ref(...(caps === "" ? [] : decode(caps))) : (globalThis.__qg_fns || {})[ref];
    if (typeof fn !== "function") throw new TypeError("function " + ref + " is undeclared in the main program");
    if (wrap === "") return void host(OP.Start, fn, ...a);
    const w = handleFrom(wrap);
    host(OP.Start, () => w.runGoroutine(fn, a));
  }
  // For panics: the Go-style message and the stack of what was thrown.
  // Captured now: a program may replace JSON.stringify or InternalError, and
  // the host must still get JSON it can read (it checks the shape anyway).
  const stringify = JSON.stringify;
  const InternalError = globalThis.InternalError;
  const SyntaxError = globalThis.SyntaxError;
  const STACK_EXCEEDED = "runtime error: goroutine stack exceeds limit";
  const OUT_OF_MEMORY = "runtime: out of memory";
  function describe(e) {
    if (e === GOEXIT) return ""; // not a panic: runtime.goexit() ended the goroutine
    if (e instanceof Error) {
      // QuickJS's check of GUEST_STACK_LIMIT throws InternalError("stack overflow")
      // (its parser's, inside eval or new Function, SyntaxError("stack overflow")):
      // catchable in the goroutine; uncaught, it is reported in Go's words.
      // Past the goroutine's memory limit QuickJS throws InternalError("out of memory").
      const internal = e instanceof InternalError;
      const overflow = e.message === "stack overflow" && (internal || e instanceof SyntaxError);
      const head = overflow ? STACK_EXCEEDED
        : internal && e.message === "out of memory" ? OUT_OF_MEMORY
        : e.name === "Error" || !e.name ? String(e.message) : e.name + ": " + e.message;
      return stringify({ __proto__: null, message: head, stack: String(e.stack || "") });
    }
    let s;
    try {
      s = show(e);
    } catch (_) {
      s = "(unprintable value)";
    }
    return stringify({ __proto__: null, message: s, stack: "" });
  }
  const stack = () => String(new Error().stack || "");

  const define = (k, v) => Object.defineProperty(globalThis, k, { value: v, writable: true, configurable: true });
  const api = {
    go, chan, sleep, after, tick, now,
    gosched: () => void host(OP.Gosched),
    numGoroutine: () => host(OP.NumGoroutine),
    goid: () => host(OP.Goid),
    println, console, Chan,
  };
  // The API is global. Ready values are plain writable globals, so a program
  // may assign or shadow them. A name whose module is loaded on first use is
  // an accessor: its getter (shared with __quickgo) loads the module and, read
  // as a global, replaces itself with the value; its setter makes a plain
  // global. `args` is read from the host every time. Every goroutine's context
  // builds these: two closures per lazy name and none per ready one (the
  // earlier getter+setter per name, plus a getter per lazy name on the API
  // object, cost ~6 KiB of QuickJS heap per goroutine).
  for (const k of Object.keys(api)) define(k, api[k]);
  const lazyNames = {
    select: "select", recv: "select", send: "select", otherwise: "select", WaitGroup: "waitgroup", Mutex: "mutex", Once: "sync",
    sync: "sync", semaphore: "sync", time: "time", context: "context", errgroup: "errgroup", atomic: "atomic", runtime: "runtime",
    net: "net", bufio: "net", TextEncoder: "net", TextDecoder: "net",
    args: "",
  };
  // One function per name is the global's getter and setter (a setter gets an argument) and api's getter.
  function lazyName(k) {
    return function (v) {
      if (arguments.length) return void define(k, v);
      const m = lazyNames[k]; // looked up, not captured: one variable less per closure
      if (m === "") return JSON.parse(host(OP.Args));
      v = lazy(m)[k];
      if (this === globalThis) define(k, v);
      return v;
    };
  }
  for (const k of Object.keys(lazyNames)) {
    const acc = lazyName(k);
    Object.defineProperty(api, k, { get: acc, enumerable: true });
    Object.defineProperty(globalThis, k, { get: acc, set: acc, configurable: true });
  }
  // Lazy built-ins (runtime/engine/intrinsics.ts): the context starts without
  // Date, Proxy, Map/Set/WeakMap/WeakSet and the typed arrays; naming one of
  // a group's globals has the host add the group. Names of the group that the
  // program already replaced or deleted are put back the way it left them.
  // One function per name is both getter and setter (a setter gets an
  // argument): half the closures, and get === set marks an accessor as ours.
  const LAZY = __QG_LAZY_INTRINSICS__;
  const getOwn = Object.getOwnPropertyDescriptor;
  const ours = (d) => d !== undefined && d.get !== undefined && d.get === d.set;
  function addIntrinsic(group) {
    const kept = [];
    for (const n of Object.keys(LAZY)) {
      const d = LAZY[n] === group ? getOwn(globalThis, n) : 0;
      if (d !== 0 && !ours(d)) kept.push([n, d]);
    }
    host(OP.AddIntrinsic, group);
    for (const [n, d] of kept) {
      if (d) Object.defineProperty(globalThis, n, d);
      else delete globalThis[n];
    }
  }
  function lazyGlobal(n) {
    return function (v) {
      if (arguments.length) return void define(n, v);
      addIntrinsic(LAZY[n]);
      if (ours(getOwn(globalThis, n))) return void delete globalThis[n]; // not a global of this QuickJS after all
      return globalThis[n];
    };
  }
  for (const n of Object.keys(LAZY)) {
    if (n in globalThis) continue; // built in up front (QUICKGO_LAZY_INTRINSICS=0)
    const acc = lazyGlobal(n);
    Object.defineProperty(globalThis, n, { get: acc, set: acc, configurable: true });
  }
  internals.api = api;
  Object.freeze(api);
  define("__quickgo", api);
  define("__qg_closure", __qg_closure);
  // What the host calls: fixed, so a program cannot swap in its own code for them.
  const fix = (k, v) => Object.defineProperty(globalThis, k, { value: v, writable: false, configurable: false });
  fix("__qg_entry", entry);
  fix("__qg_describe", describe);
  fix("__qg_stack", stack);
})();
