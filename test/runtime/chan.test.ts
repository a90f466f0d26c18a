import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "unbuffered send blocks until the receiver takes the value (rendezvous)", async (backend) => {
  const r = await run(
    `function sender(ch, log) { log.send("before send"); ch.send(42); log.send("after send") }
     function main() {
       const ch = chan(), log = chan(10)
       go(sender, ch, log)
       sleep(20)
       log.send("receiver ready")
       const v = ch.recv()
       sleep(5)
       log.close()
       println([...log].join(" | "), v)
     }`,
    { backend },
  );
  assert.is(r.stdout, "before send | receiver ready | after send 42\n");
});

eachBackend(test, "buffered channel is FIFO and does not block until full", async (backend) => {
  const r = await run(
    `function main() {
       const ch = chan(3)
       ch.send(1); ch.send("two"); ch.send({ three: 3 })
       println(ch.len, ch.cap)
       println(ch.recv(), ch.recv(), JSON.stringify(ch.recv()), ch.len)
     }`,
    { backend },
  );
  assert.is(r.stdout, "3 3\n1 two {\"three\":3} 0\n");
});

eachBackend(test, "a full buffered channel blocks the sender; FIFO kept across the hand-off", async (backend) => {
  const r = await run(
    `function producer(ch) { for (let i = 0; i < 20; i++) ch.send(i); ch.close() }
     function main() {
       const ch = chan(2)
       go(producer, ch)
       sleep(10)
       const got = []
       for (const v of ch) got.push(v)
       println(got.join(","))
     }`,
    { backend },
  );
  assert.is(r.stdout, Array.from({ length: 20 }, (_, i) => i).join(",") + "\n");
});

eachBackend(test, "close: range ends, recvOk reports ok=false, recv gives undefined", async (backend) => {
  const r = await run(
    `function main() {
       const ch = chan(2)
       ch.send(undefined); ch.send(null)
       ch.close()
       println(JSON.stringify(ch.recvOk()), JSON.stringify(ch.recvOk()), JSON.stringify(ch.recvOk()), ch.recv())
       for (const v of ch) println("never", v)
     }`,
    { backend },
  );
  assert.is(r.stdout, "[null,true] [null,true] [null,false] undefined\n");
});

eachBackend(test, "close wakes every blocked receiver", async (backend) => {
  const r = await run(
    `function waiter(ch, out) { const [v, ok] = ch.recvOk(); out.send(ok) }
     function main() {
       const ch = chan(), out = chan(5)
       for (let i = 0; i < 5; i++) go(waiter, ch, out)
       sleep(10)
       ch.close()
       let n = 0
       for (let i = 0; i < 5; i++) if (out.recv() === false) n++
       println(n)
     }`,
    { backend },
  );
  assert.is(r.stdout, "5\n");
});

for (const [what, body, message] of [
  ["send on closed channel", `const ch = chan(1); ch.close(); ch.send(1)`, "send on closed channel"],
  ["close of closed channel", `const ch = chan(); ch.close(); ch.close()`, "close of closed channel"],
  ["close of nil channel", `const ch = null; __quickgo.Chan.prototype.close.call({ id: 0 })`, "close of nil channel"],
  ["negative capacity", `chan(-1)`, "RangeError: makechan: size out of range"],
] as const) {
  eachBackend(test, `panics: ${what}`, async (backend) => {
    const r = await run(`function main() {\n  ${body}\n}`, { backend });
    assert.is(r.code, 2);
    assert.ok(r.stderr.startsWith(`panic: ${message}\n\ngoroutine 1 [running]:\nmain(...)\n\tprog.js:2:`), r.stderr);
  });
}

eachBackend(test, "a blocked sender panics when its channel is closed", async (backend) => {
  const r = await run(
    `function sender(ch, res) { try { ch.send(1) } catch (e) { res.send(e.message) } }
     function main() { const ch = chan(), res = chan(); go(sender, ch, res); sleep(10); ch.close(); println(res.recv()) }`,
    { backend },
  );
  assert.is(r.stdout, "send on closed channel\n");
});

eachBackend(test, "recover: a panic caught in the goroutine does not end the program", async (backend) => {
  const r = await run(
    `function main() { const ch = chan(); ch.close(); try { ch.close() } catch (e) { println("recovered:", e.message) } println("still here") }`,
    { backend },
  );
  assert.is(r.code, 0);
  assert.is(r.stdout, "recovered: close of closed channel\nstill here\n");
});

eachBackend(test, "a goroutine's first object send (plain data as JSON, without the codec) arrives like the codec's copy; what is not plain data falls back to the codec", async (backend) => {
  // Each value is sent by a fresh goroutine, which has not loaded codec.js yet.
  const r = await run(
    `class Point { constructor() { this.x = 1 } }
     function value(i) {
       const make = [
         () => ({ id: 1, tags: ["a", "b"], deep: { ok: true, n: 2.5, nil: null, s: "nul\\0 \\ud800" } }),
         () => [{ a: 1 }, [2, [3]]],
         () => ({ neg: -0, nan: NaN, inf: -Infinity }),
         () => ({ hole: [1, , 3], undef: undefined }),
         () => { const s = { s: 1 }; return { a: s, b: s } },
         () => { const o = { n: 1 }; o.self = o; return o },
         () => new Point(),
         () => ({ get g() { return 7 } }),
         () => ({ toJSON() { return "no" }, v: 1 }),
         () => JSON.parse('{"__proto__": {"x": 1}}'),
         () => { let v = { end: true }; for (let i = 0; i < 100; i++) v = { v }; return v },
         () => ({ big: 10n }),
       ]
       return make[i]()
     }
     function main() {
       const c = chan()
       for (let i = 0; i < 12; i++) {
         go(() => { try { c.send(value(i)) } catch (e) { c.send("threw " + e.message) } })
         const v = c.recv()
         const facts = []
         if (v && typeof v === "object") {
           if ("neg" in v) facts.push(Object.is(v.neg, -0), Number.isNaN(v.nan), v.inf)
           if ("hole" in v) facts.push(1 in v.hole, "undef" in v, v.undef)
           if ("a" in v && "b" in v) facts.push(v.a === v.b)
           if ("self" in v) facts.push(v.self === v)
           if ("x" in v) facts.push(Object.getPrototypeOf(v) === Object.prototype)
           if (Object.keys(v).includes("__proto__")) facts.push(Object.getPrototypeOf(v) === Object.prototype, v.__proto__.x)
           if ("v" in v && "toJSON" in v) facts.push(typeof v.toJSON)
         }
         let depth = 0; for (let w = v; w && w.v; w = w.v) depth++
         let text
         try { text = JSON.stringify(v, (k, x) => (typeof x === "bigint" ? x + "n" : x)).slice(0, 90) } catch (e) { text = "(" + e.message + ")" }
         println(text, facts.join(","), depth || "")
       }
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(
    r.stdout,
    [
      String.raw`{"id":1,"tags":["a","b"],"deep":{"ok":true,"n":2.5,"nil":null,"s":"nul\u0000 \ud800"}}  `,
      '[{"a":1},[2,[3]]]  ',
      '{"neg":0,"nan":null,"inf":null} true,true,-Infinity ',
      '{"hole":[1,null,3]} false,true, ',
      '{"a":{"s":1},"b":{"s":1}} true ',
      "(circular reference) true ",
      '{"x":1} true ',
      '{"g":7}  ',
      '"threw chan send: cannot clone a value of type function"  ',
      '{"__proto__":{"x":1}} true,1 ',
      '{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":{"v":  100',
      '{"big":"10n"}  ',
      "",
    ].join("\n"),
  );
});

test.run();
