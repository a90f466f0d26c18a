// time.Timer, time.Ticker, time.afterFunc (runtime/time.ts); sleep/after/tick are in timer.test.ts.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "newTimer fires once; stop before it fires returns true and nothing is delivered", async (backend) => {
  const r = await run(
    `function main() {
       const t = time.newTimer(10)
       println(typeof t.c.recv(), t.stop(), t.reset(5))
       t.c.recv()
       const s = time.newTimer(20)
       println(s.stop(), s.stop())
       println(select(recv(s.c, () => "fired"), recv(after(60), () => "stopped timer stays quiet")))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "number false false\ntrue false\nstopped timer stays quiet\n");
});

eachBackend(test, "Go 1.23 timers: a fired but unreceived value is discarded by stop/reset, which report the timer as stopped", async (backend) => {
  const r = await run(
    `function main() {
       const t = time.newTimer(5)
       sleep(30)                     // it fired; nobody received
       println(t.reset(40))          // true: the stale value is dropped
       println(select(recv(t.c, () => "stale value"), otherwise(() => "no stale value")))
       const t0 = now()
       t.c.recv()
       println(now() - t0 >= 30)
       const u = time.newTimer(5)
       sleep(30)
       println(u.stop(), select(recv(u.c, () => "stale"), otherwise(() => "drained")))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "true\nno stale value\ntrue\ntrue drained\n");
});

eachBackend(test, "newTicker ticks until stopped; reset changes the period; a non-positive interval panics", async (backend) => {
  const r = await run(
    `function main() {
       const tk = time.newTicker(5)
       let n = 0
       for (const _ of tk.c) if (++n === 3) break
       tk.reset(200)
       const t0 = now()
       tk.c.recv()
       println(n, now() - t0 >= 150)
       tk.stop()
       println(select(recv(tk.c, () => "tick after stop"), recv(after(300), () => "quiet")))
       try { time.newTicker(0) } catch (e) { println(e.message) }
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "3 true\nquiet\nnon-positive interval for NewTicker\n");
});

eachBackend(test, "afterFunc runs fn (closure or top-level, with arguments) in a new goroutine; stop before it fires prevents it", async (backend) => {
  const r = await run(
    `function report(out, what) { out.send(what + " in goroutine " + (goid() !== 1)) }
     function main() {
       const out = chan(5), who = "closure"
       const t = time.afterFunc(5, () => report(out, who))
       println(t.c)
       time.afterFunc(60, report, out, "named")
       println(out.recv())
       println(out.recv())
       const never = time.afterFunc(20, () => out.send("should not run"))
       println(never.stop())
       println(t.reset(5), out.recv())   // reset after it ran: runs again
       sleep(40)
       println(out.len)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "null\nclosure in goroutine true\nnamed in goroutine true\ntrue\nfalse closure in goroutine true\n0\n");
});

eachBackend(test, "time namespace: durations in ms, since/until, and timers passed to other goroutines", async (backend) => {
  const r = await run(
    `function main() {
       println(time.Second, time.Millisecond, time.Minute, time.Microsecond)
       const t0 = time.now()
       time.sleep(10 * time.Millisecond)
       println(time.since(t0) >= 10, time.until(t0) < 0)
       const t = time.newTimer(1000), done = chan()
       go((t) => done.send(t.stop()), t)
       println(done.recv(), t.stop())
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "1000 1 60000 0.001\ntrue true\ntrue false\n");
});

test.run();
