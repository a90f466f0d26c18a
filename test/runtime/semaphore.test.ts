import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "Semaphore bounds the weight held at once", async (backend) => {
  const r = await run(
    `function main() {
       const sem = new sync.Semaphore(3), inside = new atomic.Int64(), most = new atomic.Int64(), wg = new WaitGroup()
       for (let i = 0; i < 10; i++) wg.go(() => {
         sem.acquire(1)
         const n = inside.add(1)
         for (let m = most.load(); n > m && !most.compareAndSwap(m, n); m = most.load()) {}
         sleep(20) // long enough for every goroutine to have started and queued
         inside.add(-1)
         sem.release(1)
       })
       wg.wait()
       println(most.load(), sem.tryAcquire(3), sem.tryAcquire(1))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "3 true false\n");
});

eachBackend(test, "Semaphore is FIFO: a large request at the head is not overtaken by smaller ones", async (backend) => {
  const r = await run(
    `function main() {
       const sem = semaphore.newWeighted(4), log = chan(10)
       sem.acquire(3)
       go(() => { sem.acquire(4); log.send("big"); sem.release(4) })
       sleep(30)
       go(() => { sem.acquire(1); log.send("small"); sem.release(1) })
       sleep(30)
       println("small waits behind big:", log.len === 0, sem.tryAcquire(1))
       sem.release(3)
       println(log.recv(), log.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "small waits behind big: true false\nbig small\n");
});

eachBackend(test, "Semaphore.acquire(ctx, n) returns ctx.err() when the context ends first, and the queue moves on", async (backend) => {
  const r = await run(
    `function main() {
       const sem = new sync.Semaphore(2), log = chan(10)
       sem.acquire(1)
       const [ctx] = context.withTimeout(context.background(), 10)
       go(() => log.send("big: " + sem.acquire(ctx, 2).message))
       sleep(2)
       go(() => log.send("small: " + sem.acquire(context.background(), 1)))
       println([log.recv(), log.recv()].sort().join(" / "))
       const [done, cancel] = context.withCancel(context.background())
       cancel()
       println("done ctx:", sem.acquire(done, 1) === context.Canceled, sem.tryAcquire(1))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "big: context deadline exceeded / small: null\ndone ctx: true false\n");
});

eachBackend(test, "releasing more than held panics (recoverable)", async (backend) => {
  const r = await run(
    `function main() {
       const sem = new sync.Semaphore(2)
       sem.acquire(1)
       try { sem.release(2) } catch (e) { println("recovered:", e.message) }
       sem.release(1)
       println(sem.tryAcquire(2))
       sem.release(3)
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.is(r.stdout, "recovered: semaphore: released more than held\ntrue\n");
  assert.match(r.stderr, /^panic: semaphore: released more than held\n/);
});

test.run();
