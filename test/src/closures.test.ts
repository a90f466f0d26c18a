// Goroutine closures and value cloning, end to end through the loader and the runtime.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GuestSyntaxError } from "../../src/runtime.js";
import { eachBackend, run, backends } from "../helpers.js";

eachBackend(test, "a closure reads enclosing variables, copied at spawn (loop variable per iteration)", async (backend) => {
  const r = await run(
    `function main() {
       const out = chan(3), base = { n: 100 }
       for (let i = 0; i < 3; i++) go(() => out.send(base.n + i))
       base.n = 0 // too late: the goroutines got copies
       const got = [out.recv(), out.recv(), out.recv()].sort()
       println(got.join(" "))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "100 101 102\n");
});

eachBackend(test, "a closure mutating its own copy of a captured object does not affect the parent", async (backend) => {
  const r = await run(
    `function main() {
       const done = chan(), list = [1, 2]
       go(() => { list.push(3); done.send(list.length) })
       println(done.recv(), list.length)
     }`,
    { backend },
  );
  assert.is(r.stdout, "3 2\n");
});

eachBackend(test, "nested closures and closures with arguments", async (backend) => {
  const r = await run(
    `function main() {
       const out = chan(), greeting = "hi"
       go((name) => {
         const inner = chan()
         go(() => inner.send(greeting + " " + name))
         out.send(inner.recv())
       }, "gopher")
       println(out.recv())
     }`,
    { backend },
  );
  assert.is(r.stdout, "hi gopher\n");
});

eachBackend(test, "a panic inside a closure names the program file and line", async (backend) => {
  const r = await run(`function main() {\n  const x = 1\n  go(() => {\n    throw new Error("in closure " + x)\n  })\n  sleep(50)\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: in closure 1\n\ngoroutine 2 \[running\]:\n.*\(\.\.\.\)\n\tprog\.js:4:\d+\n/);
});

for (const backend of backends.slice(0, 1)) {
  test(`assigning a captured variable is a load-time error with file:line [${backend}]`, async () => {
    try {
      await run(`function main() {\n  let n = 0\n  go(() => {\n    n++\n  })\n}`, { backend, filename: "cap.js" });
      assert.unreachable("should not load");
    } catch (e) {
      assert.instance(e, GuestSyntaxError);
      assert.match((e as Error).message, /^cap\.js:4:\d+: .*captured variable "n"/);
    }
  });
}

eachBackend(test, "import from quickgo in an ES module program", async (backend) => {
  const r = await run(
    `import { go, chan as makeChan } from "quickgo"
     export function main() { const c = makeChan(); go(() => c.send("esm ok")); println(c.recv()) }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "esm ok\n");
});

eachBackend(test, "cloning: Map, Set, Date, typed arrays, errors and cycles cross goroutines; handles keep identity", async (backend) => {
  const r = await run(
    `function echo(inp, out) { for (const v of inp) out.send(v) }
     function main() {
       const inp = chan(), out = chan()
       go(echo, inp, out)
       const cyc = { name: "cyc" }; cyc.self = cyc
       const values = [new Map([["k", [1, 2]]]), new Set([1, "a"]), new Date(86400000), new Float64Array([1.5, -0]),
         new TypeError("bad"), cyc, inp]
       for (const v of values) { inp.send(v); const w = out.recv()
         println(w === v, w.constructor.name, w instanceof Map ? JSON.stringify([...w]) : w instanceof Set ? [...w].join() :
           w instanceof Date ? w.toISOString() : ArrayBuffer.isView(w) ? Object.is(w[1], -0) : w instanceof Error ? w.message :
           w === inp ? "same channel" : w.self === w) }
     }`,
    { backend },
  );
  assert.is(
    r.stdout,
    'false Map [["k",[1,2]]]\nfalse Set 1,a\nfalse Date 1970-01-02T00:00:00.000Z\nfalse Float64Array true\nfalse TypeError bad\nfalse Object true\ntrue Chan same channel\n',
  );
});

eachBackend(test, "uncloneable values panic with a message naming the type", async (backend) => {
  const r = await run(`function main() {\n  chan(1).send({ f() {} })\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: TypeError: chan send: cannot clone a value of type function\n/);
});

test.run();
