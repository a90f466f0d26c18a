// QuickJSWasm.uint8ArrayBytes and isArrayBuffer (runtime/engine/quickjs.ts):
// a Uint8Array's bytes found straight in its JSObject, at the layout this
// build's check found; and newUint8Array, QuickJS's typed-array constructor
// called from the host (c-constructor.ts). Net writes and reads use them
// (netpoll/netops.ts); if a check ever stopped finding its layout, they would
// still work through the guest, slower: these tests are what notices.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { QuickJSWasm, type JSValuePtr } from "../../runtime/engine/quickjs.js";
import { eachBackend } from "../helpers.js";

const noImports = { hostCall: () => 0, interrupt: () => 0, hostCallSuspend: () => 0, interruptSuspend: () => 0 };

/** An instance with a stack, a runtime and a context; done() frees the values pushed on held, then them. */
async function scratch(backend: Parameters<typeof QuickJSWasm.load>[0]): Promise<{ w: QuickJSWasm; ctx: number; held: JSValuePtr[]; done: () => void }> {
  const w = await QuickJSWasm.load(backend, noImports, () => {});
  const stack = w.x.malloc(1 << 20);
  w.stackPointer = (stack + (1 << 20)) & ~15;
  const rt = w.x.QTS_NewRuntime();
  const ctx = w.x.QTS_NewContext(rt, 0);
  const held: JSValuePtr[] = [];
  const done = (): void => {
    for (const v of held.reverse()) w.x.QTS_FreeValuePointer(ctx, v);
    w.x.QTS_FreeContext(ctx);
    w.x.QTS_FreeRuntime(rt);
  };
  return { w, ctx, held, done };
}

eachBackend(test, "a Uint8Array's bytes are found in place; other values are refused", async (backend) => {
  const { w, ctx, held, done } = await scratch(backend);
  const value = (code: string): JSValuePtr => {
    const v = w.evalScript(ctx, code, "t.js");
    assert.is(w.exceptionOf(ctx, v), 0, code);
    held.push(v);
    return v;
  };
  const bytesOf = (code: string): number[] | null => {
    const p = w.uint8ArrayBytes(value(code));
    return p === 0 ? null : [...w.heapU8().subarray(p, p + w.viewLength)];
  };
  assert.equal(bytesOf("new Uint8Array([1, 2, 3, 4, 5]).subarray(1, 4)"), [2, 3, 4]);
  assert.equal(bytesOf("new Uint8Array(new ArrayBuffer(16), 4, 3).fill(7)"), [7, 7, 7]);
  assert.equal(bytesOf("class B extends Uint8Array {}; new B([9, 8])"), [9, 8], "a subclass is a Uint8Array");
  assert.is(bytesOf("new Uint8Array(0)"), null, "empty");
  assert.is(bytesOf("const d = new Uint8Array(4); d.buffer.transfer(); d"), null, "detached");
  assert.is(bytesOf("new Int8Array([1])"), null);
  assert.is(bytesOf("new Uint8ClampedArray([1])"), null);
  assert.is(bytesOf("new DataView(new ArrayBuffer(2))"), null);
  assert.is(bytesOf("new ArrayBuffer(3)"), null);
  assert.is(bytesOf("({ length: 1, 0: 1 })"), null);
  assert.is(bytesOf("'abc'"), null);
  assert.is(bytesOf("42"), null);
  assert.is(bytesOf("new Proxy(new Uint8Array(2), {})"), null);
  assert.ok(w.isArrayBuffer(value("new ArrayBuffer(3)")));
  assert.not.ok(w.isArrayBuffer(value("new Uint8Array(3)")));
  assert.not.ok(w.isArrayBuffer(value("({})")));
  done();
});

eachBackend(test, "the host makes a Uint8Array with QuickJS's own constructor: the bytes, the guest's prototype", async (backend) => {
  const { w, ctx, held, done } = await scratch(backend);
  for (const n of [1, 3, 64, 70_000]) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 255);
    const v = w.newUint8Array(ctx, bytes);
    assert.ok(v !== null, "this build's constructor was found");
    held.push(v!);
    const p = w.uint8ArrayBytes(v!);
    assert.ok(p !== 0);
    assert.is(w.viewLength, n);
    assert.equal([...w.heapU8().subarray(p, p + n)], [...bytes]);
    // It is an ordinary Uint8Array of this context: the guest sees its own prototype and a buffer of its own.
    const check = w.evalScript(ctx, "(u) => u instanceof Uint8Array && Object.getPrototypeOf(u) === Uint8Array.prototype && u.byteOffset === 0 && u.buffer.byteLength === u.length && u.length", "t.js");
    held.push(check);
    const r = w.call(ctx, check, [v!]);
    held.push(r);
    assert.is(w.getNumber(ctx, r), n);
  }
  const empty = w.newUint8Array(ctx, new Uint8Array(0));
  held.push(empty!);
  const len = w.evalScript(ctx, "(u) => u instanceof Uint8Array ? u.length : -1", "t.js");
  held.push(len);
  const r0 = w.call(ctx, len, [empty!]);
  held.push(r0);
  assert.is(w.getNumber(ctx, r0), 0);
  done();
});

test.run();
