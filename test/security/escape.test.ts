// Escape attempts: guest code reaches nothing of the host but the quickgo
// API, cannot take the prelude's hidden host function, cannot hold the host's
// event loop, and whatever it sends or throws gets a clean guest-side error
// or correct behaviour, never a host crash. Each test names the attempt.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GuestSyntaxError, Runtime } from "../../src/index.js";
import { GUARDED_BUDGET_MS } from "../../runtime/scheduler.js";
import { eachBackend, rejects, run } from "../helpers.js";

eachBackend(test, "no host globals: process, require, module, Buffer, fetch, timers, QuickJS's std/os, nor the host function", async (backend) => {
  const r = await run(
    `function main() {
       const names = ["process", "require", "module", "exports", "Buffer", "fetch", "setTimeout", "setImmediate",
                      "queueMicrotask", "std", "os", "global", "__dirname", "__qg", "WebAssembly"]
       println(names.filter((n) => typeof globalThis[n] !== "undefined").join() || "none")
       // Function-constructor tricks reach the same global object, which has no host function.
       const viaFunction = Function("return this")()
       const viaCtor = ({}).constructor.constructor("return typeof __qg + typeof process")()
       const viaProto = Object.getPrototypeOf(function* () {}).constructor("return this")().next().value
       println(viaFunction === globalThis, viaCtor, viaProto === globalThis)
       println(Object.getOwnPropertyNames(globalThis).filter((k) => k.startsWith("__")).sort().join())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "none\ntrue undefinedundefined true\n__qg_closure,__qg_describe,__qg_entry,__qg_fns,__qg_stack,__quickgo\n");
});

eachBackend(test, "importing host modules fails at load time, statically or dynamically", async (backend) => {
  for (const src of [`import fs from "node:fs"\nfunction main() {}`, `import "fs"\nfunction main() {}`, `function main() { import("node:child_process") }`]) {
    await rejects(() => run(src, { backend }), GuestSyntaxError);
  }
  // Disguised dynamic import inside Function/eval: QuickJS has no module loader, so it fails in the guest.
  const r = await run(
    `function main() {
       let state = "pending"
       try { Function("return import('node:fs')")().then(() => { state = "loaded" }, (e) => { state = "rejected" }) } catch (e) { state = "threw" }
       sleep(5)
       println(state !== "loaded")
     }`,
    { backend },
  );
  assert.is(r.stdout, "true\n");
});

eachBackend(test, "accessors planted on the globals prelude modules use do not leak the host function or the codec's hooks", async (backend) => {
  const r = await run(
    `let stolen = [], real = {}
     for (const k of ["__qg_module", "__qg_makeCodec", "__qg_makeInspect"]) {
       Object.defineProperty(globalThis, k, { configurable: true, set(v) { real[k] = v }, get() { return (x) => { stolen.push(x); return real[k](x) } } })
     }
     function main() {
       select(otherwise(() => 0))            // loads select.js
       const c = chan(1); c.send(new Map()); // loads codec.js
       println({ a: [1] })                   // loads inspect.js
       println(stolen.length, typeof c.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "{ a: [ 1 ] }\n0 object\n");
});

eachBackend(test, "a Conn's bound read and write do not hand the host function to a replaced bind, apply or defineProperty", async (backend) => {
  const r = await run(
    `const seen = [];
     const bind = Function.prototype.bind, apply = Reflect.apply, define = Object.defineProperty;
     Function.prototype.bind = function (...a) { seen.push(this); return apply(bind, this, a) };
     Reflect.apply = function (f, t, a) { seen.push(f, t); return apply(f, t, a) };
     Object.defineProperty = function (o, k, d) { seen.push(d && d.value); return define(o, k, d) };
     function main() {
       const ln = net.listen("tcp", "127.0.0.1:0"); // loads net.js
       go(() => { const c = net.dial("tcp", ln.addr); c.write("hi"); c.close() });
       const s = ln.accept();
       const b = s.read();
       // What reached the program's functions is the API (the bound read and write), never the host function.
       const hostLike = seen.filter((f) => typeof f === "function" && f !== s.read && f !== s.write && /__qg/.test(f.name));
       println(b.length, hostLike.length);
       s.close(); ln.close();
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "2 0\n");
});

eachBackend(test, "the functions the host calls cannot be replaced by the program", async (backend) => {
  const r = await run(
    `function main() {
       for (const k of ["__qg_describe", "__qg_stack", "__qg_entry"]) {
         try { globalThis[k] = () => { for (;;) {} } } catch (e) {}
         try { delete globalThis[k] } catch (e) {}
       }
       throw new Error("still described by the prelude")
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.ok(r.stderr.startsWith("panic: still described by the prelude\n"), r.stderr);
});

// The host calls __qg_entry during a goroutine's setup, after the program's
// top-level code has run there: that code must not be able to swap it.
eachBackend(test, "top-level code cannot replace the entry the host calls in setup: a goroutine given a listener still starts", async (backend) => {
  const r = await run(
    `try { globalThis.__qg_entry = () => { for (;;) {} } } catch (e) {}
     try { Object.defineProperty(globalThis, "__qg_entry", { get() { for (;;) {} } }) } catch (e) {}
     function use(ln, done) { done.send(typeof ln.accept) }
     function main() {
       const ln = net.listen("tcp", "127.0.0.1:0"), done = chan()
       go(use, ln, done)
       println(done.recv())
       ln.close()
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "function\n");
});

eachBackend(test, "guest code the host cannot preempt is interrupted after its budget: the host's event loop is never held", async (backend) => {
  const cases: [string, string, RegExp][] = [
    ["top-level loop", `while (true) {}\nfunction main() {}`, /^panic: top-level code ran longer than \d+ ms/],
    ["spinning getter on a thrown value", `function main() { throw { get x() { for (;;) {} } } }`, /^panic: \(the panic value could not be printed/],
    ["spinning message getter on a thrown Error", `function main() { const e = new Error("x"); Object.defineProperty(e, "message", { get() { for (;;) {} } }); throw e }`, /^panic: \(the panic value could not be printed/],
  ];
  for (const [name, src, expected] of cases) {
    const started = performance.now();
    const r = await run(src, { backend }); // without the budget, this never returns
    assert.is(r.code, 2, name);
    assert.match(r.stderr, expected, name);
    assert.ok(performance.now() - started >= GUARDED_BUDGET_MS * 0.9, name);
  }
});

eachBackend(test, "a replaced JSON.stringify cannot make the host misread a panic", async (backend) => {
  const r = await run(`function main() { JSON.stringify = () => "{garbage"; Object.prototype.toJSON = () => undefined; throw new Error("boom") }`, { backend });
  assert.is(r.code, 2);
  assert.ok(r.stderr.startsWith("panic: boom\n"), r.stderr);
});

eachBackend(test, "prototype pollution in one goroutine reaches no other goroutine, no received value and not the host", async (backend) => {
  const r = await run(
    `function main() {
       const c = chan(), ready = chan()
       go(() => { ready.recv(); c.send([({}).evil, [].bad, "x".evil2].map(String).join()) })  // started before the pollution
       Object.prototype.evil = "yes"; Array.prototype.bad = 1; String.prototype.evil2 = 2
       Object.defineProperty(Object.prototype, "then", { get() { return "hijacked" }, enumerable: true })
       ready.send(1)
       println(c.recv())
       go(() => c.send(String(({}).evil) + " " + typeof ({}).then))                         // started after it
       println(c.recv())
       const d = chan(1); d.send({ a: 1, list: [1, 2] }); const v = d.recv()
       println(JSON.stringify(Object.keys(v)), JSON.stringify(Object.keys(v.list)))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "undefined,undefined,undefined\nundefined undefined\n[\"a\",\"list\"] [\"0\",\"1\"]\n");
  assert.is(({} as Record<string, unknown>).evil, undefined);
});

eachBackend(test, "__proto__ keys sent over channels stay own data properties: no receiver's prototype changes", async (backend) => {
  const r = await run(
    `function main() {
       const c = chan(1)
       const evil = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1, "nested": {"__proto__": {"polluted": 2}}}')
       c.send(evil)
       const v = c.recv()
       println(Object.keys(v).join(), ({}).polluted, v.polluted, v.nested.polluted, Object.getPrototypeOf(v) === Object.prototype)
       c.send([new Map([["__proto__", evil]]), new Set([evil]), [evil]])
       const [m, s, a] = c.recv()
       println(({}).polluted, m.get("__proto__").polluted, [...s][0].polluted, a[0].polluted, Object.keys(a[0]).join())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "__proto__,a,nested undefined undefined undefined true\nundefined undefined undefined undefined __proto__,a,nested\n");
});

eachBackend(test, "session: values a goroutine sends to the host cannot pollute the host or crash it, even after it tampers with its built-ins", async (backend) => {
  const rt = await Runtime.create({ backend, stderr: () => {} });
  const out = rt.chan<unknown>(16);
  const g = rt.go(
    `function bad(out) {
       out.send(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}'))
       JSON.stringify = () => "{garbage"             // the fast path for small arrays uses it
       out.send([1, 2])
       JSON.stringify = () => '[{"h":"c99999"}]'      // a forged handle
       out.send([1])
       out.send("still fine")
     }`,
    "bad", out,
  );
  const first = (await out.recv()) as Record<string, unknown>;
  assert.equal(Object.keys(first), ["__proto__", "a"]);
  assert.is(Object.getPrototypeOf(first), Object.prototype);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  for (let i = 0; i < 2; i++) {
    const e = await rejects(out.recv(), () => true);
    assert.instance(e, Error);
  }
  assert.is(await out.recv(), "still fine");
  await g.done;
  await rt.shutdown();
});

eachBackend(test, "cyclic structures and shared references survive a channel, both ways with the host", async (backend) => {
  const r = await run(
    `function main() {
       const a = { n: 1 }; a.self = a; a.list = [a, { a }]; const m = new Map([[a, a]]); a.m = m
       const c = chan(1); c.send(a); const b = c.recv()
       println(b.self === b, b.list[0] === b, b.list[1].a === b, b.m.get(b) === b, b !== a)
     }`,
    { backend },
  );
  assert.is(r.stdout, "true true true true true\n");
  const rt = await Runtime.create({ backend });
  const back = rt.chan<{ self?: unknown; n: number }>(1), to = rt.chan<unknown>(1);
  const g = rt.go(`function echo(to, back) { const v = to.recv(); v.n++; back.send(v) }`, "echo", to, back);
  const x: { self?: unknown; n: number } = { n: 1 };
  x.self = x;
  await to.send(x);
  const y = (await back.recv())!;
  assert.is(y.self, y);
  assert.is(y.n, 2);
  await g.done;
  await rt.shutdown();
});

eachBackend(test, "getters that throw, symbols, functions and revoked proxies fail the send cleanly and lose nothing", async (backend) => {
  const r = await run(
    `function main() {
       const c = chan(4)
       const attempt = (v) => { try { c.send(v); return "sent" } catch (e) { return e.name + ": " + e.message } }
       println(attempt({ ok: 1, get bad() { throw new RangeError("getter says no") } }))
       println(attempt(Symbol("s")))
       println(attempt({ f() {} }))
       const p = Proxy.revocable({}, {}); p.revoke()
       println(attempt(p.proxy))
       println(attempt(new Proxy({}, { ownKeys() { throw new Error("trap") } })))
       println(c.len)
       c.send({ [Symbol("k")]: 1, a: 2 })        // symbol keys are dropped, as structuredClone does
       println(JSON.stringify(c.recv()), c.len)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(
    r.stdout,
    "RangeError: getter says no\n" +
      "TypeError: chan send: cannot clone a value of type symbol\n" +
      "TypeError: chan send: cannot clone a value of type function\n" +
      "TypeError: revoked proxy\n" +
      "Error: trap\n" +
      "0\n" +
      '{"a":2} 0\n',
  );
});

eachBackend(test, "a 64 MiB string crosses a channel between goroutines and to the host intact (no memory limit)", async (backend) => {
  // The closure captures s, so the child holds it twice, with the codec's copies: past the default 64 MiB.
  const rt = await Runtime.create({ backend, memoryLimit: 0 });
  const out = rt.chan<string>(1);
  const g = rt.go(
    `function big(out) {
       const s = "ab".repeat(32 * 1024 * 1024)
       const c = chan(1), r = chan(1)
       go(() => { const v = c.recv(); r.send(v.length === s.length && v.endsWith("ab") && v.startsWith("ab")) })
       c.send(s)
       if (!r.recv()) throw new Error("corrupted between goroutines")
       out.send(s)
     }`,
    "big", out,
  );
  const s = (await out.recv())!;
  assert.is(s.length, 64 * 1024 * 1024);
  assert.is(s.slice(0, 4), "abab");
  await g.done;
  await rt.shutdown();
});

eachBackend(test, "a string too large for the goroutine's memory limit is a catchable out-of-memory, the program goes on", async (backend) => {
  let out = "";
  const rt = await Runtime.create({ backend, memoryLimit: 16 << 20, stdout: (s) => void (out += s) });
  const status = await rt.run(
    `function main() {
       try { "x".repeat(64 << 20); println("allocated") } catch (e) { println(e.name, e.message) }
       println("goes on")
     }`,
  );
  assert.is(status.code, 0);
  assert.is(out, "InternalError out of memory\ngoes on\n");
});

eachBackend(test, "deeply nested values cross a channel without overflowing any stack", async (backend) => {
  const r = await run(
    `function main() {
       let v = null; for (let i = 0; i < 20000; i++) v = { next: v, i }
       let a = []; for (let i = 0; i < 20000; i++) a = [a]
       const c = chan(2); c.send(v); c.send(a)
       let n = 0, w = c.recv(); while (w) { n++; w = w.next }
       let m = 0, b = c.recv(); while (b.length) { m++; b = b[0] }
       println(n, m)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "20000 20000\n");
});

test.run();
