// Host channels (src/hostchan.ts): one channel used from async host code and
// from goroutines, values copied both ways, handles keeping identity.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Channel, Runtime } from "../../src/index.js";
import type { Backend } from "../../src/backend.js";
import { eachBackend, rejects } from "../helpers.js";

const quiet = (backend: Backend): Promise<Runtime> => Runtime.create({ backend, stdout: () => {}, stderr: () => {} });

const ECHO = `function echo(in_, out) { for (const v of in_) out.send(v); out.close() }`;

eachBackend(test, "a goroutine receives what the host sends and the host collects with for await", async (backend) => {
  const rt = await quiet(backend);
  const jobs = rt.chan<number>();
  const results = rt.chan<number>(4);
  rt.go(`function square(jobs, out) { for (const j of jobs) out.send(j * j); out.close() }`, "square", jobs, results);
  const feeding = (async () => {
    for (let i = 1; i <= 5; i++) await jobs.send(i);
    jobs.close();
  })();
  const got: number[] = [];
  for await (const v of results) got.push(v);
  await feeding;
  assert.equal(got, [1, 4, 9, 16, 25]);
  await rt.shutdown();
});

eachBackend(test, "values keep their type and shape through a goroutine and back", async (backend) => {
  const rt = await quiet(backend);
  const to = rt.chan(), from = rt.chan(100);
  rt.go(ECHO, "echo", to, from);
  const cyclic: { self?: unknown; n: number } = { n: 1 };
  cyclic.self = cyclic;
  const values: unknown[] = [
    "text", "", "nul\0inside", 42, -0, NaN, Infinity, 2.5, true, false, null, undefined, 12345678901234567890n,
    [1, "two", [3]], { a: 1, b: { c: [true, null] } }, { u: undefined }, [1, , 3],
    new Map<unknown, unknown>([["k", 1], [2, { x: 3 }]]), new Set([1, "a"]), new Date(86400000), /ab+c/gi,
    new Uint8Array([1, 2, 255]), new Float64Array([0.5, -1]), new RangeError("bad"),
  ];
  for (const v of values) await to.send(v);
  await to.send(cyclic);
  to.close();
  const back: unknown[] = [];
  for await (const v of from) back.push(v);
  const cycled = back.pop() as { self: unknown; n: number };
  assert.is(cycled.self, cycled);
  assert.is(cycled.n, 1);
  assert.is(back.length, values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v instanceof Error) {
      assert.instance(back[i], RangeError);
      assert.is((back[i] as Error).message, "bad");
    } else if (typeof v === "number" && Number.isNaN(v)) assert.ok(Number.isNaN(back[i]));
    else if (Object.is(v, -0)) assert.ok(Object.is(back[i], -0), "-0 stays -0");
    else assert.equal(back[i], v, `value ${i}`);
  }
  assert.ok(1 in (back[16] as unknown[]) === false, "array holes survive");
  await rt.shutdown();
});

eachBackend(test, "go() arguments and short arrays (the forms goroutines decode without the full codec) arrive exactly, edge cases included", async (backend) => {
  const rt = await quiet(backend);
  const to = rt.chan(), from = rt.chan(100);
  // Plain strings, primitives and short arrays of them and of channels take guest.js's fast path;
  // -0, NaN, NUL, holes, long arrays and nested arrays must still come back exactly (through codec.js).
  const g = rt.go(
    `function f(s, n, b, nil, u, ch, to, from) { from.send([s, n, b, nil, u === undefined, ch === to]); for (const v of to) from.send(v); from.close() }`,
    "f", "str\u00e9\ud83d\ude00", 7.5, false, null, undefined, to, to, from,
  );
  const values: unknown[] = [[-0, 1], [NaN], ["nul\0"], new Array(70).fill(7), ["\ud800x"], [true, null, "s", 1.5], [to, "x"], ["nested", [1]]];
  const sending = (async () => {
    for (const v of values) await to.send(v);
    to.close();
  })();
  const back: unknown[] = [];
  for await (const v of from) back.push(v);
  await sending;
  await g.done;
  assert.equal(back[0], ["str\u00e9\ud83d\ude00", 7.5, false, null, true, true]);
  const got = back.slice(1) as unknown[][];
  assert.ok(Object.is(got[0]![0], -0), "-0 in an array stays -0");
  assert.ok(Number.isNaN(got[1]![0]));
  assert.equal(got.slice(2, 6), values.slice(2, 6));
  assert.is(got[6]![0], to, "a channel in an array keeps its identity");
  assert.equal(got[7], ["nested", [1]]);
  await rt.shutdown();
});

eachBackend(test, "channels keep their identity: a host channel inside a value, a guest channel sent to the host", async (backend) => {
  const rt = await quiet(backend);
  const req = rt.chan<{ reply: Channel<string>; name: string }>();
  const made = rt.chan<Channel<number>>();
  rt.go(
    `function serve(req, made) {
       const r = req.recv(); r.reply.send("hello " + r.name)
       const c = chan(1); c.send(7); made.send(c); c.close()
     }`,
    "serve", req, made,
  );
  const reply = rt.chan<string>();
  await req.send({ reply, name: "host" });
  assert.is(await reply.recv(), "hello host");
  const c = await made.recv();
  assert.instance(c, Channel);
  assert.is(await c!.recv(), 7);
  assert.equal(await c!.recvOk(), [undefined, false]);
  await rt.shutdown();
});

eachBackend(test, "an unbuffered host send completes only when a goroutine receives", async (backend) => {
  const rt = await quiet(backend);
  const ch = rt.chan<string>(), gate = rt.chan<number>();
  rt.go(`function late(gate, ch) { gate.recv(); println(ch.recv()) }`, "late", gate, ch);
  let sent = false;
  const sending = ch.send("x").then(() => (sent = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.is(sent, false);
  await gate.send(1);
  await sending;
  assert.is(sent, true);
  assert.is(ch.len, 0);
  await rt.shutdown();
});

eachBackend(test, "close: goroutines' range ends, host send on a closed channel and double close fail like Go", async (backend) => {
  const rt = await quiet(backend);
  const ch = rt.chan<number>(2), out = rt.chan<number>(1);
  const g = rt.go(`function sum(ch, out) { let s = 0; for (const v of ch) s += v; out.send(s) }`, "sum", ch, out);
  await ch.send(2);
  await ch.send(3);
  ch.close();
  assert.is(await out.recv(), 5);
  await g.done;
  await rejects(() => ch.send(1), /send on closed channel/);
  assert.throws(() => ch.close(), /close of closed channel/);
  assert.equal(await ch.recvOk(), [undefined, false]);
  // A host sender blocked on a full channel fails when a goroutine closes it.
  const full = rt.chan<number>(0);
  const blocked = full.send(1);
  rt.go(`function closer(c) { c.close() }`, "closer", full);
  await rejects(() => blocked, /send on closed channel/);
  await rt.shutdown();
});

eachBackend(test, "values that cannot be copied are a TypeError on the host", async (backend) => {
  const rt = await quiet(backend);
  const ch = rt.chan(1);
  await rejects(() => ch.send(() => 1), (e: unknown) => e instanceof TypeError && /chan send: cannot clone/.test(e.message));
  await rejects(() => ch.send({ p: Promise.resolve() }), TypeError);
  assert.throws(() => rt.go(ECHO, "echo", Symbol("s")), TypeError);
  assert.is(ch.len, 0);
  await rt.shutdown();
});

eachBackend(test, "a channel of one runtime cannot be passed to another", async (backend) => {
  const a = await quiet(backend), b = await quiet(backend);
  const ca = a.chan(), cb = b.chan(1);
  await rejects(() => cb.send(ca), /belongs to another Runtime/);
  await a.shutdown();
  await b.shutdown();
});

eachBackend(test, "a host receive is woken by a goroutine's select send", async (backend) => {
  const rt = await quiet(backend);
  const a = rt.chan<string>(), b = rt.chan<string>();
  rt.go(`function pick(a, b) { select(send(a, "to a", () => {}), send(b, "to b", () => {})) }`, "pick", a, b);
  assert.is(await b.recv(), "to b");
  await rt.shutdown();
});

test.run();
