import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "errgroup: wait returns null when every goroutine succeeds, after all of them finished", async (backend) => {
  const r = await run(
    `function main() {
       const g = new errgroup.Group(), out = chan(10)
       for (let i = 1; i <= 3; i++) g.go(() => { sleep(i * 2); out.send(i) })
       println(g.wait(), out.len)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "null 3\n");
});

eachBackend(test, "errgroup: wait returns the first error, thrown or returned, and still waits for the rest", async (backend) => {
  const r = await run(
    `function main() {
       const g = new errgroup.Group(), out = chan(10)
       g.go(() => { sleep(100); out.send("slow done") })
       g.go(() => { throw new Error("first") })
       g.go(() => { sleep(50); return new Error("second") })
       const err = g.wait()
       println(err instanceof Error, err.message, out.len)
       const h = new errgroup.Group()
       h.go(() => new Error("returned"))
       h.go(() => 42) // a non-error return value is not an error
       println(h.wait().message)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "true first 1\nreturned\n");
});

eachBackend(test, "errgroup.withContext: the first error cancels the context; wait cancels it too", async (backend) => {
  const r = await run(
    `function main() {
       const [g, ctx] = errgroup.withContext(context.background())
       g.go(() => { ctx.done().recv(); return ctx.err() === context.Canceled ? null : new Error("not canceled") })
       g.go(() => { sleep(5); throw new Error("boom") })
       println(g.wait().message, ctx.err() === context.Canceled)
       const [g2, ctx2] = errgroup.withContext(context.background())
       g2.go(() => {})
       println(g2.wait(), ctx2.err().message)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "boom true\nnull context canceled\n");
});

eachBackend(test, "errgroup.setLimit bounds the goroutines running at once; go blocks and tryGo fails when full", async (backend) => {
  const r = await run(
    `function main() {
       const g = new errgroup.Group(), inside = new atomic.Int64(), most = new atomic.Int64()
       g.setLimit(2)
       for (let i = 0; i < 6; i++) g.go(() => {
         const n = inside.add(1)
         if (n > most.load()) most.store(n)
         sleep(10)
         inside.add(-1)
       })
       println("tryGo while full:", g.tryGo(() => {}))
       println(g.wait(), most.load())
       println("tryGo when idle:", g.tryGo(() => {}))
       g.wait()
       try { g.go(() => sleep(10)); g.setLimit(1) } catch (e) { println(e.message) }
       g.wait()
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "tryGo while full: false\nnull 2\ntryGo when idle: true\nerrgroup: modify limit while 1 goroutines in the group are still active\n");
});

eachBackend(test, "errgroup: a group passed to another goroutine, and errors that cross goroutines keep name and message", async (backend) => {
  const r = await run(
    `function main() {
       const g = new errgroup.Group(), started = chan()
       go((g) => { g.go(() => { throw new RangeError("far away") }); started.send(1) }, g)
       started.recv()
       const e = g.wait()
       println(e.name, e.message)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "RangeError far away\n");
});

test.run();
