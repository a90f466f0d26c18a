import { test } from "uvu";
import * as assert from "uvu/assert";
import vm from "node:vm";
import { GuestSyntaxError, loadProgram, type LoadedProgram } from "../../src/loader.js";

const loadError = (src: string, file = "p.js"): GuestSyntaxError => {
  try {
    loadProgram(src, file);
  } catch (e) {
    assert.instance(e, GuestSyntaxError);
    return e as GuestSyntaxError;
  }
  assert.unreachable("expected a load error");
  throw new Error("unreachable");
};

type Factory = (...caps: unknown[]) => (...args: unknown[]) => unknown;
const factory = (p: LoadedProgram, id: number, globals: object = {}, filename = p.file): Factory =>
  vm.runInNewContext(p.closures[id]!.factorySource, globals, { filename }) as Factory;

const WRITE = /^cannot assign to captured variable "(\w+)" in a goroutine closure: goroutines share no memory \(pass the value through a channel\)$/;

// ---- syntax errors ----

test("syntax error: file:line:col (1-based) and acorn's message without its position", () => {
  const e = loadError("function main() {\n  let x = ;\n}\n", "bad.js");
  assert.is(e.file, "bad.js");
  assert.is(e.line, 2);
  assert.is(e.column, 11);
  assert.is(e.reason, "SyntaxError: Unexpected token");
  assert.is(e.message, "bad.js:2:11: SyntaxError: Unexpected token");
  assert.is(e.name, "GuestSyntaxError");
});

test("syntax error in a module is the module parse's, not the script parse's complaint about import", () => {
  const e = loadError('import { go } from "quickgo"\nfunction main() {\n  go(() => )\n}\n', "m.js");
  assert.is(e.message, "m.js:3:12: SyntaxError: Unexpected token");
});

test("sloppy-mode script with a later syntax error reports that error, not the module parse's strict-mode one", () => {
  const e = loadError("with (Math) {}\nfunction main() {}\nlet = ;\n");
  assert.is(e.line, 3);
  assert.is(e.column, 7);
});

test("a script whose module parse gets further (top-level await) reports the module parse's error", () => {
  const e = loadError("await sleep(1)\nfunction main() {\n  let x = ;\n}\n");
  assert.is(e.line, 3);
  assert.is(e.column, 11);
});

test("top-level await is refused, also inside a top-level block or for await", () => {
  const reason = "top-level await is not supported: goroutines block instead of awaiting";
  const e = loadError("const x = 1\nconst y = await x\nfunction main() {}");
  assert.is(e.message, `p.js:2:11: ${reason}`);
  assert.is(loadError("if (true) {\n  await 1\n}").line, 2);
  assert.is(loadError("for await (const x of xs) {}").reason, reason);
  assert.is(loadError("{\n  await using r = open()\n}").reason, reason);
  assert.not.throws(() => loadProgram("async function f() { await 1 }\nfunction main() {}", "p.js"));
});

// ---- ES modules ----

test("imports from quickgo become destructurings of globalThis.__quickgo on the same lines", () => {
  const p = loadProgram(
    'import { go, chan as c } from "quickgo"\nimport * as q from "quickgo"\nimport Q from "quickgo"\nimport "quickgo"\nimport {\n  sleep\n} from "quickgo"\nfunction main() { return "L8" }\n',
    "m.js",
  );
  assert.ok(p.isModule);
  const lines = p.code.split("\n");
  // A module is strict; the script it becomes says so.
  assert.is(lines[0], '"use strict"; const { go, chan: c } = globalThis.__quickgo;');
  assert.is(lines[1], "const q = globalThis.__quickgo;");
  assert.is(lines[2], "const Q = globalThis.__quickgo;");
  assert.is(lines[3], ";");
  assert.is(lines[4], "const { sleep } = globalThis.__quickgo;");
  assert.is(lines[7], 'function main() { return "L8" }');
  assert.equal(p.topLevel, ["main"]); // imported names are the API's, not the program's
});

test("a script stays a script: no strict directive, isModule false", () => {
  const p = loadProgram("function main() {}\n", "s.js");
  assert.not.ok(p.isModule);
  assert.is(p.code.split("\n")[0], "function main() {}");
});

test("importing anything but quickgo is an error at the import naming the module", () => {
  const e = loadError('\n  import fs from "fs"\nfunction main() {}', "m.js");
  assert.is(e.message, 'm.js:2:3: cannot import "fs": guest programs can only import "quickgo"');
  assert.is(loadError('export { x } from "./lib.js"\n').reason, 'cannot import "./lib.js": guest programs can only import "quickgo"');
  assert.is(loadError('const a = 1\nexport * from "os"\n').message, 'p.js:2:1: cannot import "os": guest programs can only import "quickgo"');
});

test("dynamic import and import.meta are errors wherever they are", () => {
  const e = loadError("function main() {\n  go(() => import('x'))\n}");
  assert.is(e.message, "p.js:2:12: dynamic import is not available to guest programs");
  assert.is(loadError("function main() {\n  return import.meta.url\n}").reason, "import.meta is not available to guest programs");
});

test("export forms: keywords blanked (columns kept), default expression named __default, lists removed", () => {
  const src = [
    "export function f() { return 1 }",
    "export class K {}",
    "export const a = 1, { b } = { b: 2 }",
    "export let c = 3",
    "export var d = 4",
    "export default function main() { return 'L6' }",
    "export { a as A, f as F }",
    "export\n  const e = 5",
  ].join("\n");
  const p = loadProgram(src, "e.js");
  const lines = p.code.split("\n");
  assert.is(lines[0], '"use strict";        function f() { return 1 }');
  assert.is(lines[1], "       class K {}");
  assert.is(lines[2], "       const a = 1, { b } = { b: 2 }");
  assert.is(lines[3], "       let c = 3");
  assert.is(lines[4], "       var d = 4");
  assert.is(lines[5], "               function main() { return 'L6' }");
  assert.is(lines[6], ";");
  assert.is(lines[7], "      ");
  assert.is(lines[8], "  const e = 5");
  assert.equal(p.topLevel, ["f", "K", "a", "b", "c", "d", "main", "e"]);
  const q = loadProgram("export default 6 *\n  7\nfunction main() {}", "d.js");
  assert.is(q.code.split("\n").slice(0, 3).join("\n"), '"use strict"; const __default = 6 *\n  7\nfunction main() {}');
  assert.equal(q.topLevel, ["main", "__default"]);
  assert.is(vm.runInNewContext(q.code + "__default"), 42);
});

test("a removed statement leaves a ';' so its neighbours do not join into one expression", () => {
  const p = loadProgram('import "quickgo"\nconst x = () => 1\nexport { x }\n(function main() {})\n', "j.js");
  const ctx = vm.createContext({ __quickgo: {} });
  vm.runInContext(p.code, ctx); // without the ";" the arrow's body would be `1\n\n(function…)`, a call of 1
  assert.is(vm.runInContext("typeof x()", ctx), "number");
  assert.is(p.code.split("\n")[2], ";");
});

test("a hashbang line becomes a comment of the same width", () => {
  const p = loadProgram("#!/usr/bin/env quickgo\nfunction main() {}\n", "h.js");
  assert.is(p.code.split("\n")[0], "///usr/bin/env quickgo");
  assert.not.throws(() => vm.runInNewContext(p.code));
});

test("every original line keeps its number, with CRLF and multi-line replacements", () => {
  const src = 'import {\r\n  go,\r\n  chan\r\n} from "quickgo"\r\nexport\r\nfunction main() {\r\n  const n = 1\r\n  go(() =>\r\n    n\r\n  )\r\n  return "LINE11"\r\n}\r\n';
  const p = loadProgram(src, "crlf.js");
  const lines = p.code.split("\r\n");
  assert.is(lines.length, src.split("\r\n").length); // the appended __qg_fns line uses \n, so it joins the last
  assert.match(lines[10]!, /"LINE11"/);
  assert.is(lines[4], "      ");
  assert.is(lines[7], "  go(__qg_closure(0, [n])");
  assert.is(lines[8], "");
  assert.is(lines[9], "  )");
  assert.is(p.closures[0]!.factorySource, '(function (n) { "use strict"; return (' + "\r\n".repeat(7) + "     () =>\r\n    n) })");
});

// ---- goroutine closures ----

test("captures: enclosing locals and the loop variable, not top-level functions or globals", () => {
  const src = `function topLevelFn() {}
function main() {
  const a = 1; let b = 2
  for (let i = 0; i < 3; i++) go(() => print(a, b, i, topLevelFn, Math, { a }.a, b.x, { b: 0 }.b))
}`;
  const p = loadProgram(src, "c.js");
  assert.is(p.closures.length, 1);
  assert.is(p.closures[0]!.id, 0);
  assert.equal(p.closures[0]!.params, ["a", "b", "i"]);
  assert.is(p.code.split("\n")[3], "  for (let i = 0; i < 3; i++) go(__qg_closure(0, [a, b, i]))");
  // In a goroutine's context top-level names and globals exist already; only captures are passed.
  const globals = { print: (...x: unknown[]) => x, topLevelFn: "T", Math: "M" };
  const fn = factory(p, 0, globals)(10, { x: 7 }, 2);
  assert.equal(fn(), [10, { x: 7 }, 2, "T", "M", 10, 7, 0]);
});

test("the factory puts FN at its original line and column", () => {
  const src = "function main() {\n  const n = 1\n  go(() => {\n    throw new Error('x' + n)\n  })\n}\n";
  const p = loadProgram(src, "x.js");
  const fs = p.closures[0]!.factorySource;
  assert.is(fs, "(function (n) { return (\n\n  " + " ".repeat(3) + "() => {\n    throw new Error('x' + n)\n  }) })");
  try {
    factory(p, 0, {}, "x.js")(1)();
    assert.unreachable("the closure should throw");
  } catch (e) {
    assert.match(String((e as Error).stack), /x\.js:4:11\b/);
    assert.is((e as Error).message, "x1");
  }
});

for (const [what, body, col] of [
  ["=", "n = 2", 5],
  ["+=", "n += 2", 5],
  ["||=", "n ||= 2", 5],
  ["++", "n++", 5],
  ["prefix --", "--n", 7],
  ["array destructuring", "[o.x, n] = [3, 4]", 11],
  ["object destructuring", "({ k: n } = { k: 1 })", 11],
  ["for-of head", "for (n of [1]) {}", 10],
  ["for-in head", "for (n in {}) {}", 10],
  ["inside a nested function", "const f = () => { n = 1 }", 23],
] as const) {
  test(`writing a captured variable is an error at the write: ${what}`, () => {
    const e = loadError(`function main() {\n  let n = 0\n  go(() => {\n    ${body}\n  })\n}`, "w.js");
    assert.match(e.reason, WRITE);
    assert.is(e.reason.match(WRITE)![1], "n");
    assert.is(e.message.slice(0, e.message.indexOf(": ")), `w.js:4:${col}`);
  });
}

test("writing a closure's own variables, a shadowing variable, a property or a top-level variable is fine", () => {
  const p = loadProgram(
    "let top = 0\nfunction main() {\n  let n = 0, o = {}\n  go((p) => { let m = 1; m++; p = 2; { let n = 5; n++ } o.x = 1; o.y++; top = 1 })\n}",
    "s.js",
  );
  assert.equal(p.closures[0]!.params, ["o"]);
});

test("a name shadowed inside the closure is not captured; one used before the shadowing block is", () => {
  const p = loadProgram("function main() {\n  const a = 1, b = 2\n  go(() => { { let a = 3; print(a) } print(b); try {} catch (a) { a } })\n}", "s.js");
  assert.equal(p.closures[0]!.params, ["b"]);
});

test("params, destructured params, rest, catch params, var hoisting and for-of heads are captured", () => {
  const p = loadProgram(
    "function main(p = 1, { q }, ...r) {\n  try {} catch ({ message }) { go(() => message + p) }\n  { var v }\n  for (const [k] of x) go(() => [v, k, q, r])\n}",
    "s.js",
  );
  assert.equal(p.closures.map((c) => c.params), [["message", "p"], ["v", "k", "q", "r"]]);
});

test("x.go(fn), afterFunc(ms, fn) and x.afterFunc(ms, fn) are spawn sites; other calls are not", () => {
  const p = loadProgram(
    "function main() {\n  const a = 1\n  wg.go(() => a)\n  afterFunc(10, () => a + 1)\n  time.afterFunc(10, function () { return a + 2 })\n  setTimeout(() => a, 1)\n  x.run(() => a)\n}",
    "o.js",
  );
  assert.is(p.closures.length, 3);
  const lines = p.code.split("\n");
  assert.is(lines[2], "  wg.go(__qg_closure(0, [a]))");
  assert.is(lines[3], "  afterFunc(10, __qg_closure(1, [a]))");
  assert.is(lines[4], "  time.afterFunc(10, __qg_closure(2, [a]))");
  assert.is(lines[5], "  setTimeout(() => a, 1)");
  assert.equal([0, 1, 2].map((id) => factory(p, id)(5)()), [5, 6, 7]);
});

test("x.tryGo(fn) is a spawn site (errgroup); a bare tryGo(fn) call is not", () => {
  const p = loadProgram("function main() {\n  const a = 1\n  g.tryGo(() => a)\n  tryGo(() => a)\n}", "t.js");
  assert.is(p.closures.length, 1);
  const lines = p.code.split("\n");
  assert.is(lines[2], "  g.tryGo(__qg_closure(0, [a]))");
  assert.is(lines[3], "  tryGo(() => a)");
});

test("a local function passed by name is a closure; the factory makes its declaration an expression", () => {
  const src = "function main() {\n  const a = 1\n  function worker(k) { return k > 0 ? worker(k - 1) : a }\n  go(worker, 2)\n}";
  const p = loadProgram(src, "o.js");
  assert.equal(p.closures[0]!.params, ["a"]); // its own name, used recursively, is not a capture
  assert.is(p.code.split("\n")[3], "  go(__qg_closure(0, [a]), 2)");
  assert.is(p.code.split("\n")[2], "  function worker(k) { return k > 0 ? worker(k - 1) : a }");
  const fn = factory(p, 0)(9);
  assert.is(fn(2), 9);
  assert.is(fn.name, "worker");
});

test("a local const function passed by name keeps its name and may call itself", () => {
  const src = "function main() {\n  const a = 1\n  const tick = (k) => (k > 0 ? tick(k - 1) : a)\n  go(tick, 3)\n}";
  const p = loadProgram(src, "o.js");
  assert.equal(p.closures[0]!.params, ["a"]);
  const fn = factory(p, 0)(4);
  assert.is(fn(3), 4);
  assert.is(fn.name, "tick");
});

test("top-level functions, parameters, and let-bound functions passed by name are left alone", () => {
  const p = loadProgram(
    "function w() {}\nconst t = () => 1\nfunction main(f) {\n  let g = () => 2\n  go(w); go(t); go(f); go(g); go(...fs)\n}",
    "o.js",
  );
  assert.is(p.closures.length, 0);
  assert.is(p.code.split("\n")[4], "  go(w); go(t); go(f); go(g); go(...fs)");
});

test("a name declared twice (var and function) is not taken for a closure: which one holds is a run-time matter", () => {
  const p = loadProgram("function main() {\n  function w() {}\n  var w = 1\n  go(w)\n}", "o.js");
  assert.is(p.closures.length, 0);
});

test("a function passed by name where a variable it uses is shadowed is an error", () => {
  const e = loadError("function main() {\n  const a = 1\n  function w() { return a }\n  { const a = 2; go(w) }\n}", "sh.js");
  assert.is(e.line, 4);
  assert.is(e.column, 21);
  assert.is(e.reason, 'w cannot start a goroutine here: it uses the outer "a", which is shadowed here');
});

test("a local binding named go or afterFunc is not a spawn site; an import alias of go is", () => {
  const p = loadProgram("function main() {\n  const go = (f) => f()\n  function afterFunc(ms, f) {}\n  const a = 1\n  go(() => a)\n  afterFunc(1, () => a)\n}", "g.js");
  assert.is(p.closures.length, 0);
  const q = loadProgram('import { go as spawn, chan as go } from "quickgo"\nfunction main() {\n  const a = 1\n  spawn(() => a)\n  go(() => a)\n}', "g.js");
  assert.is(q.closures.length, 1);
  assert.is(q.code.split("\n")[3], "  spawn(__qg_closure(0, [a]))");
  assert.is(q.code.split("\n")[4], "  go(() => a)");
});

test("nested closures: ids in source order, the outer factory holds the inner replacement and captures for it", () => {
  const src = "function main() {\n  const a = 1\n  go((x) => {\n    const b = 2\n    go(() => a + b + x)\n  }, 3)\n}";
  const p = loadProgram(src, "n.js");
  assert.is(p.closures.length, 2);
  assert.equal(p.closures[0]!.params, ["a"]);
  assert.equal(p.closures[1]!.params, ["a", "b", "x"]);
  assert.is(p.code.split("\n")[2], "  go(__qg_closure(0, [a])");
  assert.is(p.code.split("\n").length, src.split("\n").length + 2);
  assert.match(p.closures[0]!.factorySource, /\n {4}go\(__qg_closure\(1, \[a, b, x\]\)\)\n/);
  // Run the outer: its inner spawn yields the closure marker with the inner's captured values.
  const spawned: unknown[] = [];
  const globals = { go: (c: unknown) => spawned.push(c), __qg_closure: (id: number, caps: unknown[]) => ({ id, caps: [...caps] }) };
  factory(p, 0, globals)(10)(30);
  assert.equal(spawned, [{ id: 1, caps: [10, 2, 30] }]);
  assert.is(factory(p, 1)(10, 2, 30)(), 42);
});

test("a closure starting a local function by name captures what that function captures", () => {
  const src = "function main() {\n  const a = 1\n  function w() { return a }\n  go(() => { go(w) })\n}";
  const p = loadProgram(src, "n.js");
  assert.equal(p.closures.map((c) => c.params), [["a"], ["a"]]); // not w: it is rebuilt from its factory
  assert.match(p.closures[0]!.factorySource, /go\(__qg_closure\(1, \[a\]\)\)/);
});

test("local functions starting each other by name: captures reach a fixed point", () => {
  const src = "function main() {\n  const a = 1, b = 2\n  function x() { go(y); return a }\n  function y() { go(x); return b }\n  go(x)\n}";
  const p = loadProgram(src, "n.js");
  assert.equal(p.closures.map((c) => c.params), [["a", "b"], ["a", "b"], ["a", "b"]]);
  assert.match(p.closures[0]!.factorySource, /function y\(\) \{ go\(__qg_closure\(1, \[a, b\]\)\)/);
});

test("an arrow closure using its enclosing function's this, arguments, super or new.target is an error", () => {
  const e = loadError("function main() {\n  go(() => this.x)\n}", "t.js");
  assert.is(e.message, 't.js:2:12: a goroutine closure cannot use "this" of its enclosing function');
  assert.is(loadError("function main() {\n  go(() => arguments[0])\n}").reason, 'a goroutine closure cannot use "arguments" of its enclosing function');
  assert.is(loadError("function main() {\n  go(() => new.target)\n}").reason, 'a goroutine closure cannot use "new.target" of its enclosing function');
  assert.is(loadError("class A extends B {\n  m() { go(() => super.m()) }\n}").reason, 'a goroutine closure cannot use "super" of its enclosing function');
  assert.is(loadError("class A {\n  f = () => go(() => this)\n}").line, 2);
});

test("this in a function closure, in functions and class bodies inside an arrow, or at top level is fine", () => {
  assert.not.throws(() => loadProgram("function main() {\n  go(function () { return [this, arguments] })\n}", "t.js"));
  assert.not.throws(() => loadProgram("function main() {\n  go(() => { class K { x = this; static { this.y = 1 } m() { return this } } })\n}", "t.js"));
  assert.not.throws(() => loadProgram("go(() => this)\n", "t.js"));
});

test("async functions and generators cannot be goroutines", () => {
  const reason = "go needs a plain function: async functions and generators cannot be goroutines";
  assert.is(loadError("function main() {\n  go(async () => 1)\n}").message, `p.js:2:6: ${reason}`);
  assert.is(loadError("function main() {\n  go(function* () {})\n}").reason, reason);
  assert.is(loadError("function main() {\n  async function w() {}\n  go(w)\n}").line, 2);
});

// ---- top-level names and running the result ----

test("__qg_fns lists every top-level binding, also destructured ones, and nothing local", () => {
  const p = loadProgram(
    "function main() { let hidden; return helper() }\nconst helper = () => 42\nlet { a, b: [c], ...rest } = { a: 1, b: [2] }\nclass K {}\nvar v\nfor (var i of []) {}\n{ let blockLocal }\n",
    "r.js",
  );
  assert.equal(p.topLevel, ["main", "helper", "a", "c", "rest", "K", "v", "i"]);
  assert.ok(p.code.endsWith("\n;globalThis.__qg_fns = { main, helper, a, c, rest, K, v, i };\n"));
  const ctx = vm.createContext({});
  vm.runInContext(p.code, ctx);
  const fns = vm.runInContext("globalThis.__qg_fns", ctx) as Record<string, unknown>;
  assert.is((fns.main as () => number)(), 42);
  assert.is(fns.c, 2);
});

test("a realistic module runs in plain contexts: main, then each goroutine rebuilt from its factory", () => {
  const src = `import { go, chan } from "quickgo"
const results = []
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }
export default function main() {
  const out = chan()
  const base = 100
  for (let i = 0; i < 3; i++) {
    go(() => out.send(base + fib(i + 5)))
  }
  function worker(k, wg) {
    out.send(k * base)
    wg.go(() => out.send(-k))
  }
  go(worker, 2, { go: (f) => go(f) })
  return out
}
export { fib }
`;
  const p = loadProgram(src, "real.js");
  assert.equal(p.topLevel, ["results", "fib", "main"]);
  const queue: (() => void)[] = [];
  // Each goroutine gets a fresh context that evaluates the whole program, as the runtime does.
  const newContext = (): vm.Context => {
    const ctx = vm.createContext({});
    const api = {
      go: (c: { id: number; caps: unknown[] }, ...args: unknown[]) => {
        assert.is(typeof c, "object", "go only receives closure markers here");
        queue.push(() => {
          const g = newContext();
          const make = vm.runInContext(p.closures[c.id]!.factorySource, g, { filename: "real.js" }) as Factory;
          make(...c.caps)(...args);
        });
      },
      chan: () => ({ got: [] as unknown[], send(v: unknown) { this.got.push(v) } }),
    };
    ctx.__quickgo = api;
    ctx.__qg_closure = (id: number, caps: unknown[]) => ({ id, caps });
    vm.runInContext(p.code, ctx, { filename: "real.js" });
    return ctx;
  };
  const main = newContext();
  const out = (vm.runInContext("globalThis.__qg_fns", main) as { main: () => { got: number[] } }).main();
  while (queue.length) queue.shift()!();
  assert.equal(out.got, [105, 108, 113, 200, -2]);
});

test.run();
