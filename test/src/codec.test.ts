// Tests for the guest value codec (src/prelude/codec.js). The codec runs inside
// each goroutine's QuickJS context, so it is tested the same way: its source is
// evaluated in a fresh engine and every value is made, copied and checked in
// there. Only `nodeVm` below knows the engine is node:vm; results come back as
// JSON, so another engine (QuickJS) could run the same test bodies.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFileSync } from "node:fs";
import * as vm from "node:vm";

const SOURCE = readFileSync(new URL("../../../src/prelude/codec.js", import.meta.url), "utf8");

interface Engine {
  /** Runs a classic script in the engine's global scope. */
  exec(script: string): void;
  /** Runs a function body in the engine and returns its result, copied through JSON. */
  call(body: string): unknown;
}

function nodeVm(): Engine {
  const context = vm.createContext({});
  return {
    exec(script) {
      vm.runInContext(script, context);
    },
    call(body) {
      const json: unknown = vm.runInContext(`JSON.stringify((function () {\n${body}\n})())`, context);
      return typeof json === "string" ? JSON.parse(json) : undefined;
    },
  };
}

// Helpers defined in the engine next to the codec. Handles are Handle
// instances; handleFrom makes a new object on every call, so identity in a
// decoded value is the codec's doing. Every wire is kept to check it for NUL.
const HARNESS = `
class Handle { constructor(key) { this.key = key } }
var seenByHandleOf = [], handleFromKeys = [], wires = [];
var codec = __qg_makeCodec({
  handleOf(v) { seenByHandleOf.push(typeof v); return v instanceof Handle ? v.key : null },
  handleFrom(key) { handleFromKeys.push(key); return new Handle(key) },
});
function enc(v, what) { const w = codec.encode(v, what || "test"); wires.push(w); return w }
function rt(v, what) { return codec.decode(enc(v, what)) }
function caught(f) { try { f() } catch (e) { return e } return "no exception" }
function describe(e) { return e instanceof Error ? e.constructor.name + ": " + e.message : String(e) }
`;

function engine(): Engine {
  const e = nodeVm();
  e.exec(SOURCE);
  e.exec(HARNESS);
  return e;
}

/** Runs body in a fresh engine; afterwards, checks that no wire made there contains U+0000. */
function run(body: string): unknown {
  const e = engine();
  const result = e.call(body);
  assert.is(e.call(`return wires.filter((w) => w.indexOf("\\u0000") >= 0).length`), 0, "a wire contains U+0000");
  return result;
}

test("the script defines exactly one global, __qg_makeCodec", () => {
  const e = nodeVm();
  const before = e.call("return Object.getOwnPropertyNames(globalThis)") as string[];
  e.exec(SOURCE);
  const after = e.call("return Object.getOwnPropertyNames(globalThis)") as string[];
  assert.equal(after.filter((n) => !before.includes(n)), ["__qg_makeCodec"]);
  assert.is(e.call("return typeof __qg_makeCodec({ handleOf() { return null }, handleFrom() {} }).encode"), "function");
});

test("wire forms: strings tagged, JSON-safe values as JSON, the rest as a tape", () => {
  assert.equal(
    run(`return [enc("abc"), enc(""), enc("a\\u0000b"), enc({ a: 1, b: [true, null, "x"] }), enc([1.5, "x"]),
      enc(undefined), enc(null), enc(true), enc(false), enc(42), enc(-0), enc(NaN), enc(-Infinity), enc(12n), enc(-3n),
      enc({ a: undefined })[0], enc([new Date(0)])[0]]`),
    ["sabc", "s", '"a\\u0000b"', '{"a":1,"b":[true,null,"x"]}', '[1.5,"x"]',
      "u", "n", "t", "f", "d42", "d-0", "dNaN", "d-Infinity", "b12", "b-3", " ", " "],
  );
});

test("primitives round-trip, alone and inside containers", () => {
  const r = run(`
    const values = [undefined, null, true, false, 0, -0, 1.5, -2, NaN, Infinity, -Infinity, 1e308, 5e-324, 2 ** 53,
      0n, -123n, 2n ** 100n, "", "plain", "quote \\" backslash \\\\ newline \\n tab \\t"];
    const alone = values.map((v) => Object.is(rt(v), v));
    const inArray = rt(values).map((v, i) => Object.is(v, values[i]));
    const obj = {};
    values.forEach((v, i) => { obj["k" + i] = v });
    const o = rt(obj);
    const inObject = values.map((v, i) => Object.is(o["k" + i], v) && Object.prototype.hasOwnProperty.call(o, "k" + i));
    return [alone, inArray, inObject].map((list) => list.every(Boolean));
  `);
  assert.equal(r, [true, true, true]);
});

test("strings: lone surrogates and U+0000 survive everywhere", () => {
  const r = run(`
    const strs = ["\\ud800", "a\\udc00b", "\\udbff\\udfff", "\\udfff\\ud800", "\\u0000", "x\\u0000\\ud800y", "\\u0001\\u001f\\u007f\\u2028"];
    const alone = strs.every((s) => rt(s) === s);
    const arr = rt(strs.concat([undefined])); // undefined forces the tape
    const inTape = strs.every((s, i) => arr[i] === s);
    const inJson = rt(strs).every((s, i) => s === strs[i]);
    const keyed = {};
    strs.forEach((s) => { keyed[s] = s });
    const k = rt(keyed);
    const asKeys = strs.every((s) => k[s] === s);
    const m = rt(new Map(strs.map((s) => [s, s])));
    const asMapKeys = strs.every((s) => m.get(s) === s);
    const boxed = rt(new String("\\u0000\\ud800"));
    return [alone, inTape, inJson, asKeys, asMapKeys, boxed.valueOf() === "\\u0000\\ud800"];
  `);
  assert.equal(r, [true, true, true, true, true, true]);
});

test("arrays: elements, holes, nesting; extra properties may be dropped", () => {
  const r = run(`
    const a = [1, , "x", , ];
    const d = rt(a);
    const holes = [d.length, 0 in d, 1 in d, d[2], 3 in d];
    const b = [1, 2];
    b.extra = "dropped";
    const db = rt(b);
    const nested = rt([[], [[]], [1, [2, [3, undefined]]]]);
    return { holes, plain: [Array.isArray(db), db.length, db[1]], nested: JSON.stringify(nested), last: nested[2][1][1].length === 2 && nested[2][1][1][1] === undefined };
  `);
  assert.equal(r, { holes: [4, true, false, "x", false], plain: [true, 2, 2], nested: "[[],[[]],[1,[2,[3,null]]]]", last: true });
});

test("plain objects: own enumerable string keys in order; symbols and non-enumerables skipped", () => {
  const r = run(`
    const o = { b: 1, a: "x", 10: "ten", 2: "two", nested: { z: [1] }, u: undefined };
    o[Symbol("s")] = "symbol-keyed";
    Object.defineProperty(o, "hidden", { value: 1, enumerable: false });
    const d = rt(o);
    const bare = Object.create(null);
    bare.x = 1;
    const db = rt(bare);
    return {
      keys: Object.keys(d), u: "u" in d, symbols: Object.getOwnPropertySymbols(d).length, hidden: "hidden" in d,
      proto: Object.getPrototypeOf(d) === Object.prototype, fresh: d !== o && d.nested !== o.nested,
      bare: [Object.getPrototypeOf(db) === Object.prototype, db.x],
    };
  `);
  assert.equal(r, {
    keys: ["2", "10", "b", "a", "nested", "u"], u: true, symbols: 0, hidden: false, proto: true, fresh: true,
    bare: [true, 1],
  });
});

test('a "__proto__" key becomes an own data property, never the prototype', () => {
  const r = run(`
    const check = (d) => [Object.getPrototypeOf(d) === Object.prototype, Object.prototype.hasOwnProperty.call(d, "__proto__"),
      JSON.stringify(Object.getOwnPropertyDescriptor(d, "__proto__").value), d.polluted === undefined];
    const json = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}'); // own "__proto__" key
    const viaTape = JSON.parse('{"__proto__": {"polluted": true}, "b": null}');
    viaTape.b = undefined;
    const defined = {};
    Object.defineProperty(defined, "__proto__", { value: [1, 2], enumerable: true, writable: true, configurable: true });
    const inner = rt([json, new Date(0)])[0];
    return [check(rt(json)), check(rt(viaTape)), check(rt(defined)), check(inner), ({}).polluted === undefined];
  `);
  assert.equal(r, [
    [true, true, '{"polluted":true}', true],
    [true, true, '{"polluted":true}', true],
    [true, true, "[1,2]", true],
    [true, true, '{"polluted":true}', true],
    true,
  ]);
});

test("class instances become plain objects with their own enumerable properties", () => {
  const r = run(`
    class Point {
      constructor(x, y) { this.x = x; this.y = y; Object.defineProperty(this, "secret", { value: 1 }) }
      get len() { return Math.hypot(this.x, this.y) }
      toJSON() { return "not used" }
    }
    class Plain { constructor() { this.when = new Date(7); this.list = [1] } }
    class Json { constructor(n) { this.n = n; this.list = [n] } get twice() { return 2 * this.n } }
    const d = rt(new Point(3, 4));
    const p = rt([new Plain(), new Plain()]);
    const j = rt([new Json(1), undefined, new Point(1, 2)]); // Json may travel as JSON text inside the tape
    const proto = (o) => Object.getPrototypeOf(o) === Object.prototype;
    return {
      point: [proto(d), Object.keys(d), "len" in d, "secret" in d],
      plain: [p[0].when instanceof Date, p[0].when.getTime(), p[1].list, p[0] !== p[1]],
      json: [proto(j[0]), j[0].n, j[0].list, "twice" in j[0], proto(j[2]), j[2].y],
    };
  `);
  assert.equal(r, {
    point: [true, ["x", "y"], false, false], plain: [true, 7, [1], true], json: [true, 1, [1], false, true, 2],
  });
});

test("generators and iterators copy their own enumerable properties", () => {
  const r = run(`
    function* gen() { yield 1 }
    const g = gen();
    g.extra = 5;
    const dg = rt(g);
    const di = rt([1, 2].values());
    return [Object.getPrototypeOf(dg) === Object.prototype, dg.extra, Object.keys(di).length];
  `);
  assert.equal(r, [true, 5, 0]);
});

test("Map and Set: entries cloned recursively, order kept, identity shared", () => {
  const r = run(`
    const key = { k: 1 };
    const m = new Map([["b", 1], [key, "object key"], [NaN, -0], [1n, new Set([key, "z", 3])], ["a", undefined]]);
    const d = rt(m);
    const keys = [...d.keys()];
    const dk = keys[1];
    const set = d.get(1n);
    const nested = rt(new Set([new Map([[1, new Set([2])]])]));
    return {
      isMap: d instanceof Map && d !== m, size: d.size, first: keys[0], last: keys[4],
      objectKey: [dk !== key, dk.k, d.get(dk)], nan: Object.is(d.get(NaN), -0),
      set: [set instanceof Set, [...set][0] === dk, [...set].slice(1)], hasA: d.has("a"),
      nested: [...[...nested][0].get(1)],
    };
  `);
  assert.equal(r, {
    isMap: true, size: 5, first: "b", last: "a", objectKey: [true, 1, "object key"], nan: true,
    set: [true, true, ["z", 3]], hasA: true, nested: [2],
  });
});

test("Date, including an invalid one", () => {
  const r = run(`
    const d = rt(new Date(1234567890123));
    const bad = rt(new Date(NaN));
    const inList = rt([new Date(-1), { at: new Date(0) }]);
    return [d instanceof Date, d.getTime(), bad instanceof Date, isNaN(bad.getTime()), inList[0].getTime(), inList[1].at.getTime()];
  `);
  assert.equal(r, [true, 1234567890123, true, true, -1, 0]);
});

test("RegExp: source and flags kept, lastIndex reset", () => {
  const r = run(`
    const re = /a+\\/b(?<n>c)?/gimsuy;
    re.lastIndex = 3;
    const d = rt(re);
    const odd = rt([new RegExp("\\u0000|\\"|\\\\\\\\", "g")])[0];
    return [d instanceof RegExp, d !== re, d.source === re.source, d.flags, d.lastIndex, odd.test("\\u0000"), odd.source === "\\u0000|\\"|\\\\\\\\"];
  `);
  assert.equal(r, [true, true, true, "gimsuy", 0, true, true]);
});

test("ArrayBuffer copies its bytes", () => {
  const r = run(`
    const b = new ArrayBuffer(300);
    const u = new Uint8Array(b);
    for (let i = 0; i < u.length; i++) u[i] = (i * 7) & 255;
    const d = rt(b);
    const du = new Uint8Array(d);
    return [d instanceof ArrayBuffer, d !== b, d.byteLength, du.every((x, i) => x === u[i]), rt(new ArrayBuffer(0)).byteLength];
  `);
  assert.equal(r, [true, true, 300, true, 0]);
});

test("every typed array kind and DataView round-trip", () => {
  const r = run(`
    const samples = {
      Int8Array: [-128, 127, 0, -1], Uint8Array: [0, 255, 1, 128], Uint8ClampedArray: [0, 255, 7, 200],
      Int16Array: [-32768, 32767, 0, -2], Uint16Array: [0, 65535, 1, 4096], Int32Array: [-(2 ** 31), 2 ** 31 - 1, 0, 5],
      Uint32Array: [0, 2 ** 32 - 1, 1, 3], Float32Array: [1.5, -0, NaN, Infinity], Float64Array: [Math.PI, -0, NaN, -Infinity],
      BigInt64Array: [-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n], BigUint64Array: [0n, 2n ** 64n - 1n, 1n, 42n],
    };
    if (typeof Float16Array === "function") samples.Float16Array = [0.5, -0, NaN, 65504];
    const out = {};
    for (const name of Object.keys(samples)) {
      const C = globalThis[name];
      const a = C.from(samples[name]);
      const d = rt(a);
      out[name] = d instanceof C && d !== a && d.buffer !== a.buffer && d.length === 4 &&
        samples[name].every((x, i) => Object.is(d[i], a[i]));
    }
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, -1.25);
    const ddv = rt(dv);
    out.DataView = ddv instanceof DataView && ddv.byteLength === 8 && ddv.getFloat64(0) === -1.25;
    return out;
  `) as Record<string, boolean>;
  assert.ok(Object.keys(r).length >= 12, "all kinds were tried");
  for (const [name, ok] of Object.entries(r)) assert.ok(ok, name);
});

test("views on part of a larger buffer keep offset, length and a shared buffer", () => {
  const r = run(`
    const buf = new ArrayBuffer(16);
    new Uint8Array(buf).forEach((_, i, a) => { a[i] = i });
    const u = new Uint8Array(buf, 4, 3);
    const i16 = new Int16Array(buf, 8, 2);
    const dv = new DataView(buf, 2, 5);
    const [du, di, ddv, dbuf] = rt([u, i16, dv, buf]);
    return {
      u: [du.byteOffset, du.length, Array.from(du)], i16: [di.byteOffset, di.length, Array.from(di)],
      dv: [ddv.byteOffset, ddv.byteLength, ddv.getUint8(0), ddv.getUint8(4)],
      shared: du.buffer === di.buffer && di.buffer === ddv.buffer && ddv.buffer === dbuf && dbuf !== buf,
      whole: dbuf.byteLength,
      alone: (() => { const d = rt(new Uint8Array(buf, 15, 1)); return [d.byteOffset, d.length, d[0]] })(),
    };
  `);
  assert.equal(r, {
    u: [4, 3, [4, 5, 6]], i16: [8, 2, [0x0908, 0x0b0a]], dv: [2, 5, 2, 6], shared: true, whole: 16, alone: [15, 1, 15],
  });
});

test("Error objects: constructor, message, stack and cause", () => {
  const r = run(`
    const out = {};
    for (const C of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
      const e = new C("msg " + C.name);
      const d = rt(e);
      out[C.name] = d !== e && d instanceof C && d.constructor === C && d.name === C.name && d.message === e.message &&
        typeof e.stack === "string" && d.stack === e.stack;
    }
    const custom = new Error("c");
    custom.name = "MyError";
    const dc = rt(custom);
    class HttpError extends TypeError { constructor(m) { super(m); this.name = "HttpError"; this.code = 404 } }
    const dh = rt(new HttpError("not found"));
    const sub = rt(new (class Quiet extends RangeError {})("q"));
    const withCause = rt(new Error("outer", { cause: { code: 7, inner: new TypeError("inner") } }));
    const cyclic = new Error("self");
    cyclic.cause = cyclic;
    const dcy = rt(cyclic);
    const noMessage = rt(new Error());
    const noStack = new Error("x");
    delete noStack.stack;
    return {
      std: out,
      custom: [dc.constructor === Error, dc.name, dc.message, String(dc).startsWith("MyError: c")],
      subclass: [dh.constructor === Error, dh.name, dh.message, "code" in dh, sub.constructor === RangeError, sub.message],
      cause: [withCause.cause.code, withCause.cause.inner instanceof TypeError, withCause.cause.inner.message,
        Object.getOwnPropertyDescriptor(withCause, "cause").enumerable, "cause" in noMessage],
      cyclic: dcy.cause === dcy,
      noMessage: [Object.prototype.hasOwnProperty.call(noMessage, "message"), noMessage.message],
      noStack: rt(noStack).stack === undefined,
      inList: (() => { const d = rt([new URIError("u"), 1]); return d[0] instanceof URIError && d[0].message === "u" })(),
    };
  `);
  assert.equal(r, {
    std: { Error: true, EvalError: true, RangeError: true, ReferenceError: true, SyntaxError: true, TypeError: true, URIError: true },
    custom: [true, "MyError", "c", true],
    subclass: [true, "HttpError", "not found", false, true, "q"],
    cause: [7, true, "inner", false, false],
    cyclic: true,
    noMessage: [false, ""],
    noStack: true,
    inList: true,
  });
});

test("boxed primitives stay boxed", () => {
  const r = run(`
    const [n, z, nan, s, b, big] = rt([new Number(5), new Number(-0), new Number(NaN), new String("str"), new Boolean(false), Object(7n)]);
    const kinds = [n, z, nan, s, b, big].map((x) => typeof x + " " + Object.prototype.toString.call(x));
    return [kinds, n.valueOf(), Object.is(z.valueOf(), -0), isNaN(nan.valueOf()), s.valueOf(), b.valueOf(), String(big.valueOf()),
      typeof rt(new Number(1)), rt(new String("")).valueOf()];
  `);
  assert.equal(r, [
    ["object [object Number]", "object [object Number]", "object [object Number]", "object [object String]",
      "object [object Boolean]", "object [object BigInt]"],
    5, true, true, "str", false, "7", "object", "",
  ]);
});

test("shared references and cycles are preserved", () => {
  const r = run(`
    const a = { n: 1 };
    const x = rt([a, a]);
    const o = { name: "o" };
    o.self = o;
    const d = rt(o);
    const ring = [];
    ring.push({ ring });
    const dr = rt(ring);
    const m = new Map();
    m.set(m, m);
    const dm = rt(m);
    const leaf = { leaf: true };
    const deep = rt({ p: { q: leaf }, r: [leaf], s: new Set([leaf]) });
    const top = { k: 1 };
    const sameTop = rt({ a: top, b: { c: top } });
    return [x[0] === x[1], x[0] !== a, x[0].n, d.self === d, d.name, dr[0].ring === dr, dm.get(dm) === dm,
      deep.p.q === deep.r[0] && deep.r[0] === [...deep.s][0], sameTop.a === sameTop.b.c];
  `);
  assert.equal(r, [true, true, 1, true, "o", true, true, true, true]);
});

test("an object met again after its container was folded into JSON keeps its identity", () => {
  // {inner} is JSON-safe when it is finished; meeting `inner` again forces the
  // encoder to start over without JSON blobs.
  const r = run(`
    const inner = { v: [1] };
    const x = rt([{ inner }, { more: inner.v }, inner]);
    const y = rt({ a: { b: { c: inner } }, later: new Map([[inner.v, inner]]) });
    return [x[2] === x[0].inner, x[1].more === x[0].inner.v, y.later.get(y.a.b.c.v) === y.a.b.c];
  `);
  assert.equal(r, [true, true, true]);
});

test("handles keep identity through hooks; handleOf sees only objects", () => {
  const r = run(`
    const c = new Handle("c1");
    const top = rt(c);
    const before = handleFromKeys.length;
    const d = rt([c, { also: c }, new Map([[c, new Handle("c1")]]), new Handle("w2"), 5, "s", null, undefined, 1n]);
    const calls = handleFromKeys.slice(before);
    const req = rt({ items: [{ a: 1 }, { b: [2] }], reply: c, again: [c] });
    seenByHandleOf.length = 0;
    rt({ a: 1, b: "x", c: [true, null, 2n, undefined], d: new Date(0) });
    return {
      top: [top instanceof Handle, top.key], same: d[0] === d[1].also && d[0] === [...d[2]][0][0] && d[0] === [...d[2]][0][1],
      other: [d[3] instanceof Handle, d[3].key, d[3] !== d[0]], calls,
      req: [req.items[1].b[0], req.reply instanceof Handle, req.reply === req.again[0]],
      onlyObjects: seenByHandleOf.length > 0 && seenByHandleOf.every((t) => t === "object"),
    };
  `);
  assert.equal(r, {
    top: [true, "c1"], same: true, other: [true, "w2", true], calls: ["c1", "w2"], req: [2, true, true], onlyObjects: true,
  });
});

test("uncloneable values throw a TypeError naming the type and the label", () => {
  const r = run(`
    const cases = [
      [() => 1, "function"], [function* () {}, "function"], [class A {}, "function"], [Symbol("s"), "symbol"],
      [new WeakMap(), "WeakMap"], [new WeakSet(), "WeakSet"], [new WeakRef({}), "WeakRef"],
      [new FinalizationRegistry(() => {}), "FinalizationRegistry"], [Promise.resolve(1), "Promise"],
      [Object(Symbol("boxed")), "Symbol object"], [{ toJSON() { return 1 } }, "function", true],
    ];
    const out = [];
    for (const [value, type, nestedOnly] of cases) {
      const expected = "TypeError: chan send: cannot clone a value of type " + type;
      if (!nestedOnly) out.push(describe(caught(() => enc(value, "chan send"))) === expected || describe(caught(() => enc(value, "chan send"))));
      out.push(describe(caught(() => enc({ deep: [1, new Map([["k", value]])] }, "chan send"))) === expected || type);
    }
    out.push(describe(caught(() => enc([1, Symbol()], "go argument"))));
    out.push(rt({ still: "works" }).still);
    return out;
  `) as unknown[];
  assert.is(r.pop(), "works");
  assert.is(r.pop(), "TypeError: go argument: cannot clone a value of type symbol");
  assert.equal(r, r.map(() => true));
});

test("symbol-keyed properties are skipped", () => {
  const r = run(`
    const s = Symbol("k");
    const d = rt({ [s]: () => "not cloned", a: 1 });
    const dc = rt(new (class { constructor() { this[s] = new WeakMap(); this.b = 2 } })());
    return [Object.getOwnPropertySymbols(d).length, d.a, dc.b, Reflect.ownKeys(dc).length];
  `);
  assert.equal(r, [0, 1, 2, 1]);
});

test("an exception from a getter propagates unchanged, and the codec stays usable", () => {
  const r = run(`
    const boom = new RangeError("boom");
    const thrower = { a: 1, get b() { throw boom } };
    const results = [
      caught(() => enc(thrower)) === boom,
      caught(() => enc([1, new Map([["k", thrower]])])) === boom,
      caught(() => enc(new (class { get x() { return 1 } constructor() { Object.defineProperty(this, "y", { get() { throw boom }, enumerable: true }) } })())) === boom,
      caught(() => enc({ get c() { throw 42 } })) === 42,
    ];
    const d = rt({ a: [1, 2], m: new Map([[1, 2]]) });
    return results.concat([d.a[1], d.m.get(1)]);
  `);
  assert.equal(r, [true, true, true, true, 2, 2]);
});

test("getters are read; a getter may itself encode and decode", () => {
  const r = run(`
    const inner = { get x() { return rt([new Date(3), { q: 1 }, undefined]) } };
    const d = rt([inner, new Date(5), inner, { get y() { return "got" } }]);
    return [d[0].x[0].getTime(), d[0].x[1].q, d[2] === d[0], d[1].getTime(), d[3].y];
  `);
  assert.equal(r, [3, 1, true, 5, "got"]);
});

test("an inherited toJSON does not change the copy", () => {
  const r = run(`
    Object.prototype.toJSON = function () { return "hijacked" };
    Array.prototype.toJSON = function () { return "hijacked" };
    const d = rt({ a: [1, { b: 2 }] });
    const t = rt([undefined, new Uint8Array([1, 2]), { c: 3 }]);
    delete Object.prototype.toJSON;
    delete Array.prototype.toJSON;
    return [Object.keys(d), d.a[1].b, Array.isArray(d.a), t.length, t[0] === undefined, Array.from(t[1]), t[2].c];
  `);
  assert.equal(r, [["a"], 2, true, 3, true, [1, 2], 3]);
});

test("decoded values are fresh each time", () => {
  const r = run(`
    const src = { list: [1, 2], when: new Date(0) };
    const w = enc(src);
    const a = codec.decode(w), b = codec.decode(w);
    a.list.push(3);
    const t = enc([src, undefined]);
    const c = codec.decode(t), e = codec.decode(t);
    return [a !== b, a.list !== b.list, b.list.length, src.list.length, c[0] !== e[0], c[0].when !== e[0].when];
  `);
  assert.equal(r, [true, true, 2, 2, true, true]);
});

test("nesting 10 000 levels deep works: arrays, objects, linked lists, maps, error causes", () => {
  const r = run(`
    const N = 10000;
    let arr = undefined, json = 1, list = null, map = null, err = null;
    for (let i = 0; i < N; i++) {
      arr = [arr];
      json = [json];
      list = { value: i, next: list };
      map = new Map([["next", map]]);
      err = i % 5 === 0 ? new Error(String(i), err ? { cause: err } : undefined) : err; // Errors are slow to make
    }
    list.head = list;
    const depth = (v, step) => { let k = 0; while (v !== null && v !== undefined && typeof v === "object") { v = step(v); k++ } return k };
    const da = rt(arr), dj = rt(json), dl = rt(list), dm = rt(map), de = rt(err);
    return [depth(da, (v) => v[0]), depth(dj, (v) => v[0]), depth(dl, (v) => v.next), dl.head === dl, dl.value,
      depth(dm, (v) => v.get("next")), depth(de, (v) => v.cause), de.message, de.cause.cause.message];
  `);
  assert.equal(r, [10000, 10000, 10000, true, 9999, 10000, 2000, "9995", "9985"]);
});

test("JSON text stays shallow: subtrees deeper than the blob limit use the tape", () => {
  const r = run(`
    const nest = (n) => { let v = 1; for (let i = 0; i < n; i++) v = [v]; return v };
    const shallow = enc(nest(64)), deep = enc(nest(65));
    let d = codec.decode(deep), k = 0;
    while (Array.isArray(d)) { d = d[0]; k++ }
    return [shallow[0], deep[0], k, d];
  `);
  assert.equal(r, ["[", " ", 65, 1]);
});

test("malformed wires throw Error('malformed value')", () => {
  const bad = [
    "", "x", "uu", "nn", "t1", "d", "dabc", "d1x", "b", "b1.5", "bxyz", "{", '{"a":1}x', "[1,", '"abc', " ", " {}", " [",
    " []", " [99]", " [-1]", " [1.5]", " [1]", ' [1,"x"]', " [0,0]", " [10,2,1]", " [10,-1]", " [10,1.5,0]",
    " [10,4294967295]", ' [11,1,"a",9]', " [9]", " [11,1,5,1]", " [11,1]", " [7,0]", " [7,5]", ' [10,1,7,"length"]', ' [6,""]', " [6,5]",
    ' [6,"1x"]', " [8,3]", ' [14,"x"]', ' [15,"(","g"]', ' [15,"a","Q"]', " [15,1,2]", " [16,5]", ' [17,"Nope",0,1,16,[1]]',
    ' [17,"Uint8Array",4,10,16,[1,2]]', ' [17,"Uint8Array",0,1,0]', ' [17,"Uint8Array","0",1,16,[1]]', ' [18,"Error",5,null,0]',
    ' [18,"Error",null,null,2]', " [18,1,null,null,0]", " [19,{}]", " [19,0]", " [19]", " [12,1,0]", " [13,2,0]", " [12,1]",
  ];
  const r = run(`
    const bad = ${JSON.stringify(bad)};
    return bad.map((w) => { const e = caught(() => codec.decode(w)); return [w, describe(e)] })
      .concat([[5, describe(caught(() => codec.decode(5)))], [null, describe(caught(() => codec.decode(undefined)))]]);
  `) as [unknown, string][];
  for (const [w, outcome] of r) assert.is(outcome, "Error: malformed value", `decode(${JSON.stringify(w)})`);
});

test("an unknown handle key fails in handleFrom, not in the codec", () => {
  const e = engine();
  e.exec(`var strict = __qg_makeCodec({ handleOf() { return null }, handleFrom(key) { throw new Error("malformed value") } })`);
  assert.is(e.call(`return describe(caught(() => strict.decode(' [8,"c1"]')))`), "Error: malformed value");
  assert.is(e.call(`return describe(caught(() => __qg_makeCodec({ handleOf() { return null }, handleFrom() { return null } }).decode(' [8,"c1"]')))`),
    "Error: malformed value");
});

test("10 000 small objects, one by one and as one array", () => {
  const r = run(`
    const list = [];
    for (let i = 0; i < 10000; i++) list.push({ id: i, name: "x" + i, tags: ["a", "b"] });
    let ok = 0;
    for (const o of list) {
      const d = rt(o);
      if (d !== o && d.id === o.id && d.name === o.name && d.tags.length === 2 && d.tags[1] === "b") ok++;
    }
    const all = rt(list);
    return [ok, all.length, all[9999], all[0].tags !== all[1].tags];
  `);
  assert.equal(r, [10000, 10000, { id: 9999, name: "x9999", tags: ["a", "b"] }, true]);
});

test.run();
