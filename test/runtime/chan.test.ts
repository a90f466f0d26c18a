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

test.run();
