import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "atomic.Int64 counts across goroutines: add, load, store, swap, compareAndSwap", async (backend) => {
  const r = await run(
    `function main() {
       const n = new atomic.Int64(), wg = new WaitGroup()
       for (let i = 0; i < 20; i++) wg.go(() => { for (let k = 0; k < 50; k++) { n.add(1); if (k % 7 === 0) gosched() } })
       wg.wait()
       println(n.load(), n.add(-1000), n.swap(7), n.compareAndSwap(1, 2), n.compareAndSwap(7, 9), n.load())
       n.store(-3)
       println(n.load(), new atomic.Int64(5).load())
       try { n.add(0.5) } catch (e) { println(e.name) }
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "1000 0 0 false true 9\n-3 5\nTypeError\n");
});

eachBackend(test, "atomic.Bool and atomic.Value", async (backend) => {
  const r = await run(
    `function main() {
       const b = new atomic.Bool(), v = new atomic.Value(), done = chan()
       println(b.load(), b.compareAndSwap(false, true), b.load(), b.swap(false), v.load())
       v.store({ cfg: [1, 2] })
       go((v, b) => { const c = v.load(); c.cfg.push(3); v.store(c); b.store(true); done.send(1) }, v, b)
       done.recv()
       println(JSON.stringify(v.load()), b.load(), v.compareAndSwap({ cfg: [1, 2, 3] }, "next"), v.load())
       try { v.store(null) } catch (e) { println(e.message) }
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "false true true true undefined\n" + '{"cfg":[1,2,3]} true true next\n' + "sync/atomic: store of nil value into Value\n");
});

test.run();
