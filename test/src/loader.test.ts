import { test } from "uvu";
import * as assert from "uvu/assert";
import vm from "node:vm";
import { GuestSyntaxError, loadProgram } from "../../src/loader.js";

const loadError = (src: string, file = "p.js"): GuestSyntaxError => {
  try {
    loadProgram(src, file);
  } catch (e) {
    assert.instance(e, GuestSyntaxError);
    return e as GuestSyntaxError;
  }
  throw new Error("expected a load error");
};

test("syntax error: file:line:col and acorn's message", () => {
  const e = loadError("function main() {\n  let x = ;\n}\n", "bad.js");
  assert.is(e.line, 2);
  assert.is(e.column, 11);
  assert.is(e.message, "bad.js:2:11: SyntaxError: Unexpected token");
});

test("imports from quickgo become destructuring, on the same lines; other imports are refused", () => {
  const p = loadProgram('import { go, chan as c } from "quickgo"\nimport * as q from "quickgo"\nexport function main() {}\n', "m.js");
  assert.ok(p.isModule);
  const lines = p.code.split("\n");
  assert.is(lines[0], "const { go, chan: c } = globalThis.__quickgo; ");
  assert.is(lines[1], " const q = globalThis.__quickgo;");
  assert.is(lines[2], "function main() {}");
  const e = loadError('\nimport fs from "fs"\nfunction main() {}', "m.js");
  assert.is(e.message, 'm.js:2:1: cannot import "fs": guest programs can only import "quickgo"');
  assert.match(loadError("function main() { import('x') }").message, /dynamic import is not available/);
});

test("export default and export lists", () => {
  const p = loadProgram("export default function main() {}\nconst a = 1\nexport { a }\n", "m.js");
  assert.is(p.code.split("\n").slice(0, 3).join("\n"), "function main() {}\nconst a = 1\n");
  assert.equal(p.topLevel.sort(), ["a", "main"]);
});

test("closure captures: enclosing locals and loop variables, not top-level or global names", () => {
  const src = `const top = 1
function helper() {}
function main() {
  const a = 1; let b = 2
  for (let i = 0; i < 3; i++) go(() => print(a, b, i, top, helper, Math, { a }.a, b.x))
}`;
  const p = loadProgram(src, "c.js");
  assert.is(p.closures.length, 1);
  assert.equal(p.closures[0]!.params, ["a", "b", "i"]);
  assert.match(p.code.split("\n")[4]!, /go\(__qg_closure\(0, \[a, b, i\]\)\)$/);
  // The factory rebuilds the closure with FN at its original line.
  // In a goroutine's context top-level names and globals exist already; only captures are passed.
  const globals = { print: (...x: unknown[]) => x, top: "T", helper: "H", Math: "M" };
  const factory = vm.runInNewContext(p.closures[0]!.factorySource, globals, { filename: "c.js" }) as (
    ...caps: unknown[]
  ) => () => unknown;
  const fn = factory(10, { x: 7 }, 2);
  assert.equal(fn(), [10, { x: 7 }, 2, "T", "H", "M", 10, 7]);
});

test("factory source keeps the closure's line for stack traces", () => {
  const src = "function main() {\n  const n = 1\n  go(() => {\n    throw new Error('x' + n)\n  })\n}\n";
  const p = loadProgram(src, "t.js");
  const factory = vm.runInNewContext(p.closures[0]!.factorySource, {}, { filename: "t.js" }) as (n: number) => () => void;
  try {
    factory(1)();
    assert.unreachable();
  } catch (e) {
    assert.match(String((e as Error).stack), /t\.js:4:/);
  }
});

for (const [what, body] of [
  ["=", "n = 2"],
  ["+=", "n += 2"],
  ["++", "n++"],
  ["destructuring", "[n] = [3]"],
  ["for-of head", "for (n of [1]) {}"],
] as const) {
  test(`writing a captured variable is an error: ${what}`, () => {
    const e = loadError(`function main() {\n  let n = 0\n  go(() => {\n    ${body}\n  })\n}`, "w.js");
    assert.is(e.line, 4);
    assert.match(e.reason, /cannot assign to captured variable "n" in a goroutine closure/);
  });
}

test("writing a closure's own variables, or a shadowing one, is fine", () => {
  const p = loadProgram("function main() {\n  let n = 0\n  go(() => { let m = 1; m++; { let n = 5; n++ } })\n}", "s.js");
  assert.equal(p.closures[0]!.params, []);
});

test("other spawn sites: x.go(fn), afterFunc(ms, fn), a local function passed by name", () => {
  const p = loadProgram(
    "function main() {\n  const a = 1\n  function worker(k) { return a + k }\n  wg.go(() => a)\n  time.afterFunc(10, () => a)\n  go(worker, 2)\n}",
    "o.js",
  );
  assert.is(p.closures.length, 3);
  assert.ok(p.closures.every((c) => c.params.join() === "a"));
  assert.match(p.code, /go\(__qg_closure\(2, \[a\]\), 2\)/);
});

test("a local function named go is not a spawn site", () => {
  const p = loadProgram("function main() {\n  const go = (f) => f()\n  const a = 1\n  go(() => a)\n}", "g.js");
  assert.is(p.closures.length, 0);
});

test("nested closures capture their own enclosing variables", () => {
  const p = loadProgram("function main() {\n  const a = 1\n  go((x) => {\n    const b = 2\n    go(() => a + b + x)\n  }, 3)\n}", "n.js");
  assert.is(p.closures.length, 2);
  assert.equal(p.closures[0]!.params, ["a"]);
  assert.equal(p.closures[1]!.params, ["a", "b", "x"]);
  assert.match(p.closures[0]!.factorySource, /go\(__qg_closure\(1, \[a, b, x\]\)\)/);
});

test("this in an arrow closure, async and generator closures are errors", () => {
  assert.match(loadError("function main() {\n  go(() => this.x)\n}").reason, /cannot use "this"/);
  assert.match(loadError("function main() {\n  go(async () => 1)\n}").reason, /async functions and generators cannot be goroutines/);
  assert.match(loadError("function main() {\n  go(function* () {})\n}").reason, /async functions and generators/);
  assert.match(loadError("const x = await 1\nfunction main() {}").reason, /top-level await/);
});

test("__qg_fns lists the top-level bindings and the program runs in a plain context", () => {
  const p = loadProgram("function main() { return helper() }\nconst helper = () => 42\nlet { a, b: [c] } = { a: 1, b: [2] }\nclass K {}\n", "r.js");
  assert.equal(p.topLevel.sort(), ["K", "a", "c", "helper", "main"]);
  const ctx = vm.createContext({});
  vm.runInContext(p.code, ctx);
  const fns = vm.runInContext("globalThis.__qg_fns", ctx) as Record<string, () => number>;
  assert.is(fns.main!(), 42);
});

test.run();
