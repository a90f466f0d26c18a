// Goroutine stack limit (engine.ts GUEST_STACK_LIMIT, the jspi stack flags in
// quickjs.ts, Scheduler.crashed): infinite recursion is a guest panic
// "runtime error: goroutine stack exceeds limit" on both backends, never a
// host RangeError or a dead process. QuickJS's own check throws a catchable
// InternalError("stack overflow") (try/catch is recover); uncaught, it is
// reported in Go's words with the goroutine's trace.
import { execFile } from "node:child_process";
import { pathToFileURL } from "node:url";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GoroutinePanic, Runtime } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { childNodeFlags, eachBackend, rejects, run } from "../helpers.js";
import { overflowOf, SHAPES } from "./stack-shapes.js";

const STACK_PANIC = "panic: runtime error: goroutine stack exceeds limit\n\ngoroutine ";

eachBackend(test, "infinite recursion in main panics with goroutine stack exceeds limit and main's trace", async (backend) => {
  const r = await run(`function f(n) { return f(n + 1) + 1 }\nfunction main() { f(0) }`, { backend, filename: "rec.js" });
  assert.is(r.code, 2);
  assert.ok(r.stderr.startsWith(`${STACK_PANIC}1 [running]:\nf(...)\n\trec.js:1:`), r.stderr.slice(0, 200));
  assert.match(r.stderr, /\.\.\.additional frames elided\.\.\./);
  assert.instance(r.status.error, GoroutinePanic);
  assert.is((r.status.error as GoroutinePanic).panicMessage, "runtime error: goroutine stack exceeds limit");
});

eachBackend(test, "a stack overflow is catchable (recover): the goroutine recurses again afterwards and the program goes on", async (backend) => {
  const r = await run(
    `function f(n) { return f(n + 1) + 1 }
     function g(n) { return n === 0 ? 0 : g(n - 1) + 1 }
     function main() {
       for (let i = 0; i < 3; i++) {
         try { f(0) } catch (e) { println(e instanceof InternalError, e.message) }
       }
       println(g(500))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.code, 0);
  assert.is(r.stdout, "true stack overflow\n".repeat(3) + "500\n");
});

eachBackend(test, "a goroutine that overflows its stack panics alone when it recovers, and ends the program when it does not", async (backend) => {
  const caught = await run(
    `function f(n) { return f(n + 1) + 1 }
     function main() {
       const c = chan()
       for (let i = 0; i < 3; i++) go((i) => { try { f(0) } catch (e) { c.send(i + ": " + e.message) } }, i)
       const got = [c.recv(), c.recv(), c.recv()].sort()
       println(got.join(", "))
     }`,
    { backend },
  );
  assert.is(caught.stderr, "");
  assert.is(caught.stdout, "0: stack overflow, 1: stack overflow, 2: stack overflow\n");

  const uncaught = await run(
    `function f(n) { return f(n + 1) + 1 }\nfunction main() { go(() => f(0)); select() }`,
    { backend, filename: "g.js" },
  );
  assert.is(uncaught.code, 2);
  assert.ok(uncaught.stderr.startsWith(`${STACK_PANIC}2 [running]:\nf(...)\n\tg.js:1:`), uncaught.stderr.slice(0, 200));
});


eachBackend(test, "an uncaught overflow in eval's parser is Go's goroutine stack exceeds limit too", async (backend) => {
  // Which check trips first, the interpreter's or the parser's, depends on the
  // frames under f: 0 to 3 frames more between the runs meet both.
  for (let extra = 0; extra < 4; extra++) {
    const wrappers = Array.from({ length: extra }, (_, i) => `function w${i}(n) { return ${i === 0 ? "f" : `w${i - 1}`}(n) }\n`).join("");
    const start = extra === 0 ? "f(0)" : `w${extra - 1}(0)`;
    const r = await run(`${wrappers}function f(n) { return eval("f(n + 1)") }\nfunction main() { go(() => ${start}); select() }`, { backend, filename: "ev.js" });
    assert.is(r.code, 2);
    assert.ok(r.stderr.startsWith(`${STACK_PANIC}2 [running]:\n`), r.stderr.slice(0, 200));
  }
});

eachBackend(test, "recursion through callbacks, getters, constructors, proxies and generators is a catchable overflow", async (backend) => {
  // A CPU-bound warm-up first: the jspi failures showed only once V8 had
  // tiered the interpreter up to TurboFan, whose frames are larger.
  const warm = await run(
    `function r(n) { return n ? r.call(null, n - 1) : 0 }
     function main() { let s = 0; for (let i = 0; i < 300000; i++) s += [i].map((x) => x + 1)[0]; for (let i = 0; i < 500; i++) s += r(100); println(s > 0) }`,
    { backend },
  );
  assert.is(warm.stdout, "true\n");
  for (const [name, def] of Object.entries(SHAPES)) {
    const r = await run(
      `${def}
       function main() {
         const c = chan()
         go(() => { try { f(0); c.send("returned") } catch (e) { c.send(String(e)) } })
         println(c.recv())
         try { f(0) } catch (e) { println(String(e)) }
       }`,
      { backend },
    );
    assert.is(r.stderr, "", name);
    const lines = r.stdout.split("\n");
    assert.is(lines.length, 3, name);
    for (const line of lines.slice(0, 2)) assert.match(line, overflowOf(name), name);
  }
});

eachBackend(test, "a goroutine parked deep in recursion resumes with its whole stack, and overflows cleanly after resuming", async (backend) => {
  const r = await run(
    `function down(n, c) { if (n === 0) return c.recv(); return down(n - 1, c) + 1 }
     function viaMap(n, c) { if (n === 0) return c.recv(); return [1].map(() => viaMap(n - 1, c))[0] + 1 }
     function forever(n, c) { if (n === 50) c.recv(); return forever(n + 1, c) + 1 }
     function main() {
       const c = chan(), out = chan()
       go(() => out.send(down(1200, c)))
       go(() => out.send(viaMap(350, c)))
       go(() => { try { forever(0, c) } catch (e) { out.send(e.message) } })
       sleep(5)
       for (let i = 0; i < 3; i++) c.send(1)
       println([out.recv(), out.recv(), out.recv()].map(String).sort().join(" "))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "1201 351 stack overflow\n");
});

// Every way QuickJS's C code calls back into JS, with a goroutine parking in
// the callback: f(n, c) goes three levels down through the shape's callback,
// receives there, and adds one per level on the way back up. With asyncify,
// each C function on such a path must be instrumented (asyncify-scope.ts).
const PARK_SHAPES: Record<string, string> = {
  "plain call": `function f(n, c) { return n === 3 ? c.recv() : f(n + 1, c) + 1 }`,
  "Array.prototype.map callback": `function f(n, c) { return n === 3 ? c.recv() : [1].map(() => f(n + 1, c) + 1)[0] }`,
  "forEach callback": `function f(n, c) { if (n === 3) return c.recv(); let r; [1].forEach(() => { r = f(n + 1, c) + 1 }); return r }`,
  "reduce callback": `function f(n, c) { return n === 3 ? c.recv() : [1].reduce(() => f(n + 1, c) + 1, 0) }`,
  "filter and find callbacks": `function f(n, c) { if (n === 3) return c.recv(); let r; [1].filter(() => { r = [1].find(() => true) + f(n + 1, c); return true }); return r }`,
  "sort comparator": `function f(n, c) { if (n === 3) return c.recv(); let r; [2, 1].sort(() => { r ??= f(n + 1, c) + 1; return 0 }); return r }`,
  "typed array map": `function f(n, c) { return n === 3 ? c.recv() : new Float64Array([1]).map(() => f(n + 1, c) + 1)[0] }`,
  "Map forEach": `function f(n, c) { if (n === 3) return c.recv(); let r; new Map([[1, 1]]).forEach(() => { r = f(n + 1, c) + 1 }); return r }`,
  "Function.prototype.call and apply": `function f(n, c) { return n === 3 ? c.recv() : f.apply(null, [n + 1, c]) + f.call(null, 3, { recv: () => 1 }) }`,
  "Reflect.apply": `function f(n, c) { return n === 3 ? c.recv() : Reflect.apply(f, null, [n + 1, c]) + 1 }`,
  "bound function": `function f(n, c) { return n === 3 ? c.recv() : f.bind(null, n + 1, c)() + 1 }`,
  constructor: `function F(n, c) { this.v = n === 3 ? c.recv() : new F(n + 1, c).v + 1 }\nconst f = (n, c) => new F(n, c).v`,
  "derived class constructor": `class A { constructor(n, c) { this.v = n === 3 ? c.recv() : new B(n + 1, c).v + 1 } }\nclass B extends A {}\nconst f = (n, c) => new B(n, c).v`,
  getter: `function f(n, c) { return n === 3 ? c.recv() : { get x() { return f(n + 1, c) + 1 } }.x }`,
  setter: `function f(n, c) { if (n === 3) return c.recv(); let r; ({ set x(v) { r = f(n + 1, c) + v } }).x = 1; return r }`,
  "Proxy traps": `function f(n, c) { return n === 3 ? c.recv() : new Proxy({}, { get: () => f(n + 1, c), has: () => true }).x + ("y" in new Proxy({}, { has: () => true })) }`,
  "String.prototype.replace callback": `function f(n, c) { return n === 3 ? c.recv() : Number("a".replace(/a/, () => String(f(n + 1, c) + 1))) }`,
  "JSON.stringify toJSON": `function f(n, c) { return n === 3 ? c.recv() : Number(JSON.stringify({ toJSON() { return f(n + 1, c) + 1 } })) }`,
  "JSON.parse reviver": `function f(n, c) { return n === 3 ? c.recv() : JSON.parse("0", () => f(n + 1, c) + 1) }`,
  valueOf: `function f(n, c) { return n === 3 ? c.recv() : +{ valueOf() { return f(n + 1, c) + 1 } } }`,
  "template literal toString": `function f(n, c) { return n === 3 ? c.recv() : Number(\`\${{ toString() { return String(f(n + 1, c) + 1) } }}\`) }`,
  "Array.prototype.join toString": `function f(n, c) { return n === 3 ? c.recv() : Number([{ toString() { return String(f(n + 1, c) + 1) } }].join()) }`,
  "Symbol.toPrimitive": `function f(n, c) { return n === 3 ? c.recv() : Number(String({ [Symbol.toPrimitive]() { return f(n + 1, c) + 1 } })) }`,
  "Symbol.hasInstance": `function f(n, c) { if (n === 3) return c.recv(); let r; ({}) instanceof { [Symbol.hasInstance]() { r = f(n + 1, c) + 1; return true } }; return r }`,
  "generator yield*": `function* gen(n, c) { if (n === 3) yield c.recv(); else for (const v of gen(n + 1, c)) yield v + 1 }\nconst f = (n, c) => [...gen(n, c)][0]`,
  "iterator protocol": `function f(n, c) { if (n === 3) return c.recv(); const it = { [Symbol.iterator]: () => ({ next: () => ({ done: false, value: f(n + 1, c) + 1 }) }) }; const [v] = it; return v }`,
  "Array.from callback": `function f(n, c) { return n === 3 ? c.recv() : Array.from([1], () => f(n + 1, c) + 1)[0] }`,
  eval: `function f(n, c) { return n === 3 ? c.recv() : eval("f(n + 1, c) + 1") }`,
  "new Function": `function f(n, c) { return n === 3 ? c.recv() : new Function("f", "n", "c", "return f(n + 1, c) + 1")(f, n, c) }`,
};

eachBackend(test, "a goroutine parks and resumes inside every kind of callback QuickJS's C code makes", async (backend) => {
  const names = Object.keys(PARK_SHAPES);
  const r = await run(
    `const shapes = [${names.map((name) => `(() => { ${PARK_SHAPES[name]}; return f })()`).join(",\n")}]
     function main() {
       const c = chan(), out = chan()
       for (let i = 0; i < shapes.length; i++) go(() => { try { out.send(i + " " + shapes[i](0, c)) } catch (e) { out.send(i + " " + e) } })
       sleep(5) // every goroutine is parked in its callback's recv before the first send
       for (let i = 0; i < shapes.length; i++) c.send(1)
       const got = []
       for (let i = 0; i < shapes.length; i++) got.push(out.recv())
       for (const line of got.sort((a, b) => parseInt(a) - parseInt(b))) println(line)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  const got = r.stdout.trim().split("\n");
  assert.is(got.length, names.length);
  names.forEach((name, i) => assert.is(got[i], `${i} 4`, name));
});

eachBackend(test, "many goroutines parked at different depths, more than there are stack regions, each resume with their own stack intact", async (backend) => {
  // 48 goroutines share jspi's 16 shadow-stack regions (stack-regions.ts): each
  // blocks 30 times at its own depth, woken in a shuffled order, so regions are
  // evicted and refilled over and over; every frame checks its locals on the way up.
  const r = await run(
    `function dive(id, d, turn, done) {
       const mine = id * 1000 + d
       if (d > 0) { const v = dive(id, d - 1, turn, done); if (mine !== id * 1000 + d) throw new Error("frame clobbered"); return v + 1 }
       let sum = 0
       for (let k = 0; k < 30; k++) sum += turn.recv()
       done.send([id, sum])
       return 0
     }
     function main() {
       const n = 48, turns = [], done = chan(n)
       for (let i = 0; i < n; i++) { turns.push(chan()); go(dive, i, 5 + ((i * 37) % 400), turns[i], done) }
       let seed = 7
       const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
       for (let k = 0; k < 30; k++) {
         const order = turns.map((_, i) => i).sort(() => rand() - 0.5)
         for (const i of order) turns[i].send(i + k)
       }
       let ok = 0
       for (let i = 0; i < n; i++) { const [id, sum] = done.recv(); if (sum === 30 * id + 435) ok++ }
       println(ok)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "48\n");
});

eachBackend(test, "a goroutine evicted from its stack region while parked shallow, then deep, then shallow again resumes intact each time", async (backend) => {
  // Goroutine 17 shares main's region (16 regions, by id): whenever main runs,
  // 17's parked stack is copied out, into a buffer that must grow for the deep park.
  const r = await run(
    `function dive(d, c, out) {
       const mine = d * 7
       if (d > 0) { const v = dive(d - 1, c, out); if (mine !== d * 7) throw new Error("frame clobbered"); return v + 1 }
       out.send(c.recv())
       return 0
     }
     function visitor(c, out) {
       for (const depth of [1, 600, 2]) out.send(dive(depth, c, out))
     }
     function main() {
       const c = chan(), out = chan(), park = chan()
       for (let i = 2; i < 17; i++) go(() => park.recv())
       go(visitor, c, out)
       const got = []
       for (let k = 0; k < 3; k++) { gosched(); c.send(k); got.push(out.recv(), out.recv()) }
       println(got.join(" "))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "0 1 1 600 2 2\n");
});

eachBackend(test, "session: an overflow ends the goroutine with a GoroutinePanic; the runtime and a second Runtime go on", async (backend) => {
  const opts = { backend, stderr: (): void => {} };
  const rt = await Runtime.create(opts);
  const g = rt.go(`function f(n) { return f(n + 1) + 1 }\nfunction deep() { f(0) }`, "deep");
  const e = (await rejects(g.done, GoroutinePanic)) as GoroutinePanic;
  assert.is(e.panicMessage, "runtime error: goroutine stack exceeds limit");
  const out = rt.chan<number>(1);
  await rt.go(`function ok(out) { out.send(42) }`, "ok", out).done;
  assert.is(await out.recv(), 42);
  await rt.shutdown();
  let printed = "";
  const rt2 = await Runtime.create({ ...opts, stdout: (s) => void (printed += s) });
  const status = await rt2.run(`function main() { println("fine") }`);
  assert.is(status.code, 0);
  assert.is(printed, "fine\n");
  await rt2.shutdown();
});

/**
 * Runs `program` in a child Node whose native stack is far too small for
 * QuickJS's limit, so V8 overflows first (the crash path), then a second
 * program in the same process. Prints both exit codes and the first report line.
 */
function childWithTinyStack(backend: Backend, program: string): Promise<string> {
  const index = pathToFileURL(path.resolve("dist/src/index.js")).href;
  const script = `
    import { Runtime } from ${JSON.stringify(index)};
    let err = "", out = "";
    const rt = await Runtime.create({ backend: ${JSON.stringify(backend)}, stdout: (s) => (out += s), stderr: (s) => (err += s) });
    const a = await rt.run(${JSON.stringify(program)});
    const b = await rt.run("function main() { println('second program ran') }");
    console.log(JSON.stringify([a.code, err.split("\\n")[0], b.code, out]));`;
  const flags = [...childNodeFlags, ...(backend === "jspi" ? ["--stack-size=200", "--wasm-stack-switching-stack-size=200"] : ["--stack-size=200"])];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...flags, "--input-type=module", "-e", script], (err, stdout, stderr) => {
      if (err) reject(new Error(`child failed: ${err.message}\n${stderr}`));
      else resolve(stdout.trim());
    });
  });
}

eachBackend(test, "when V8's native stack runs out before QuickJS's check, the goroutine still panics and the process goes on", async (backend) => {
  const got = JSON.parse(await childWithTinyStack(backend, `function f(n) { return [1].map(() => f(n + 1))[0] }\nfunction main() { f(0) }`)) as unknown[];
  assert.equal(got, [2, "panic: runtime error: goroutine stack exceeds limit", 0, "second program ran\n"]);
});

test.run();
