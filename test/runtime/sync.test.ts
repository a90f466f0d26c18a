import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "WaitGroup.wait returns once every goroutine called done", async (backend) => {
  const r = await run(
    `function work(i, wg, out) { sleep(i * 3); out.send(i); wg.done() }
     function main() {
       const wg = new WaitGroup(), out = chan(10)
       for (let i = 0; i < 10; i++) { wg.add(1); go(work, i, wg, out) }
       wg.wait()
       println(out.len)
       wg.wait() // counter is zero: returns at once
       println("done")
     }`,
    { backend },
  );
  assert.is(r.stdout, "10\ndone\n");
});

eachBackend(test, "negative WaitGroup counter panics", async (backend) => {
  const r = await run(`function main() {\n  new WaitGroup().done()\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: sync: negative WaitGroup counter\n/);
});

eachBackend(test, "Mutex gives mutual exclusion across goroutines that block inside the critical section", async (backend) => {
  const r = await run(
    `function inc(mu, state, wg) {
       for (let i = 0; i < 20; i++) {
         mu.lock()
         const v = state.recv()   // take the shared value…
         gosched()                // …let everyone else run…
         state.send(v + 1)        // …and put it back incremented
         mu.unlock()
       }
       wg.done()
     }
     function main() {
       const mu = new Mutex(), state = chan(1), wg = new WaitGroup()
       state.send(0)
       for (let i = 0; i < 5; i++) { wg.add(1); go(inc, mu, state, wg) }
       wg.wait()
       println(state.recv(), mu.tryLock(), mu.tryLock())
     }`,
    { backend },
  );
  assert.is(r.stdout, "100 true false\n");
});

eachBackend(test, "unlock of unlocked mutex panics", async (backend) => {
  const r = await run(`function main() {\n  new Mutex().unlock()\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: sync: unlock of unlocked mutex\n/);
});

eachBackend(test, "Once runs its function once; concurrent callers wait for it", async (backend) => {
  const r = await run(
    `function init(log) { log.send("init start"); sleep(10); log.send("init end") }
     function caller(once, log, wg) { once.do(() => init(log)); log.send("after do"); wg.done() }
     function main() {
       const once = new Once(), log = chan(20), wg = new WaitGroup()
       for (let i = 0; i < 3; i++) { wg.add(1); go(caller, once, log, wg) }
       wg.wait()
       log.close()
       println([...log].join(","))
     }`,
    { backend },
  );
  assert.is(r.stdout, "init start,init end,after do,after do,after do\n");
});

test.run();
