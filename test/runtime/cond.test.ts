import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "Cond: a bounded queue with wait/signal between producers and consumers", async (backend) => {
  const r = await run(
    `function main() {
       const mu = new sync.Mutex(), notEmpty = new sync.Cond(mu), q = chan(100), wg = new WaitGroup(), out = chan(100)
       for (let c = 0; c < 3; c++) wg.go(() => {
         for (let k = 0; k < 4; k++) {
           mu.lock()
           while (q.len === 0) notEmpty.wait()
           out.send(q.recv())
           mu.unlock()
         }
       })
       for (let i = 0; i < 12; i++) {
         mu.lock(); q.send(i); notEmpty.signal(); mu.unlock()
         if (i % 3 === 0) sleep(1)
       }
       wg.wait()
       out.close()
       println([...out].sort((a, b) => a - b).join(","))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "0,1,2,3,4,5,6,7,8,9,10,11\n");
});

eachBackend(test, "Cond: signal wakes the longest waiter; broadcast wakes all; each wakes holding L", async (backend) => {
  const r = await run(
    `function waiter(name, cond, log) {
       cond.L.lock()          // the Cond came from another goroutine: L is reached through it
       log.send(name + " waits")
       cond.wait()
       log.send(name + " woke " + cond.L.tryLock())
       cond.L.unlock()
     }
     function main() {
       const mu = new Mutex(), cond = new sync.Cond(mu), log = chan(20)
       for (const n of ["a", "b", "c"]) { go(waiter, n, cond, log); println(log.recv()) }
       cond.signal()
       println(log.recv())
       mu.lock()
       cond.broadcast()
       sleep(5)
       println("nobody woke while main holds L:", log.len === 0)
       mu.unlock()
       println(log.recv(), "/", log.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "a waits\nb waits\nc waits\na woke false\nnobody woke while main holds L: true\nb woke false / c woke false\n");
});

eachBackend(test, "Cond works on an RWMutex's write side", async (backend) => {
  const r = await run(
    `function main() {
       const rw = new sync.RWMutex(), cond = new sync.Cond(rw), done = chan(), locked = chan()
       go(() => { rw.lock(); locked.send(1); cond.wait(); rw.unlock(); done.send("woke") })
       locked.recv()
       rw.lock()   // granted only once the goroutine's wait() released it: it is waiting now
       cond.signal()
       rw.unlock()
       println(done.recv(), cond.L === rw)
     }`,
    { backend },
  );
  assert.is(r.stdout, "woke true\n");
});

eachBackend(test, "Cond.wait without holding L is a fatal error", async (backend) => {
  const r = await run(`function main() {\n  new sync.Cond(new Mutex()).wait()\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^fatal error: sync: unlock of unlocked mutex\n/);
});

test.run();
