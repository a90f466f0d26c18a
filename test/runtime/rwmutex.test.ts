import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "RWMutex: readers hold the lock together; a writer waits for them and excludes everyone", async (backend) => {
  const r = await run(
    `function reader(rw, inside, release, wg) { rw.rLock(); inside.send(1); release.recv(); rw.rUnlock(); wg.done() }
     function main() {
       const rw = new sync.RWMutex(), inside = chan(), release = chan(), wg = new WaitGroup()
       for (let i = 0; i < 3; i++) { wg.add(1); go(reader, rw, inside, release, wg) }
       for (let i = 0; i < 3; i++) inside.recv()   // all three readers are inside at once
       println("readers in", rw.tryLock(), rw.tryRLock())
       rw.rUnlock()                                // the extra read lock taken by tryRLock
       release.close()
       wg.wait()
       rw.lock()
       println("writer in", rw.tryRLock(), rw.tryLock())
       rw.unlock()
       println("free", rw.tryLock())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "readers in false true\nwriter in false false\nfree true\n");
});

eachBackend(test, "RWMutex prefers a waiting writer: readers arriving after it wait until it is done", async (backend) => {
  const r = await run(
    `function main() {
       const rw = new sync.RWMutex(), log = chan(10)
       rw.rLock()                                            // main reads
       go(() => { rw.lock(); log.send("W in"); sleep(5); log.send("W out"); rw.unlock() })
       sleep(50)                                             // the writer is queued
       go(() => { rw.rLock(); log.send("R2 in"); rw.rUnlock() })
       sleep(50)                                             // so is the late reader, behind the writer
       println("tryRLock while a writer waits:", rw.tryRLock())
       log.send("R1 out")
       rw.rUnlock()
       for (let i = 0; i < 4; i++) println(log.recv())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "tryRLock while a writer waits: false\nR1 out\nW in\nW out\nR2 in\n");
});

eachBackend(test, "RWMutex: readers queued behind a writer get in before the next writer (no writer starvation of readers)", async (backend) => {
  const r = await run(
    `function main() {
       const rw = new sync.RWMutex(), log = chan(10)
       rw.lock()
       go(() => { rw.rLock(); log.send("R"); sleep(5); rw.rUnlock() })
       sleep(30) // the reader queues…
       go(() => { rw.lock(); log.send("W2"); rw.unlock() })
       sleep(30) // …then the second writer
       rw.unlock()
       println(log.recv(), log.recv())
     }`,
    { backend },
  );
  assert.is(r.stdout, "R W2\n");
});

eachBackend(test, "RUnlock of an unlocked RWMutex and Unlock of an unlocked RWMutex are fatal errors", async (backend) => {
  const a = await run(`function main() {\n  try { new sync.RWMutex().rUnlock() } catch (e) { println("recovered") }\n}`, { backend });
  assert.is(a.code, 2);
  assert.is(a.stdout, "");
  assert.match(a.stderr, /^fatal error: sync: RUnlock of unlocked RWMutex\n\ngoroutine 1 \[running\]:\nmain\(\.\.\.\)\n\tprog\.js:2:/);
  const b = await run(`function main() {\n  const rw = new sync.RWMutex()\n  rw.rLock()\n  rw.unlock()\n}`, { backend });
  assert.is(b.code, 2);
  assert.match(b.stderr, /^fatal error: sync: Unlock of unlocked RWMutex\n/);
});

eachBackend(test, "goroutine dumps show Go's wait reasons for RWMutex, Cond and the semaphore", async (backend) => {
  const r = await run(
    `function main() {
       const rw = new sync.RWMutex(), mu = new Mutex(), cond = new sync.Cond(mu), sem = new sync.Semaphore(1)
       rw.lock()
       sem.acquire(1)
       go(() => rw.lock())
       go(() => rw.rLock())
       go(() => { mu.lock(); cond.wait() })
       go(() => sem.acquire(1))
       select()
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.match(r.stderr, /^fatal error: all goroutines are asleep - deadlock!/);
  for (const [id, reason] of [[2, "sync.RWMutex.Lock"], [3, "sync.RWMutex.RLock"], [4, "sync.Cond.Wait"], [5, "semacquire"]] as const) {
    assert.ok(r.stderr.includes(`goroutine ${id} [${reason}]:`), `goroutine ${id} [${reason}] in\n${r.stderr}`);
  }
});

test.run();
