import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "select picks ready cases uniformly at random (10 000 rounds)", async (backend) => {
  const r = await run(
    `function main() {
       const a = chan(1), b = chan(1), c = chan(1)
       const n = [0, 0, 0]
       for (let i = 0; i < 10000; i++) {
         a.send(0); b.send(1); c.send(2)
         select(recv(a, (v) => n[v]++), recv(b, (v) => n[v]++), recv(c, (v) => n[v]++))
         select(recv(a), otherwise()); select(recv(b), otherwise()); select(recv(c), otherwise())
       }
       println(n.join(" "))
     }`,
    { backend },
  );
  const counts = r.stdout.trim().split(" ").map(Number);
  assert.is(counts.reduce((s, x) => s + x, 0), 10000);
  // Chi-square with 2 degrees of freedom: P(X > 18.4) ≈ 1e-4 for a fair choice.
  const e = 10000 / 3;
  const chi2 = counts.reduce((s, x) => s + (x - e) ** 2 / e, 0);
  assert.ok(chi2 < 18.4, `counts ${counts} (chi2 ${chi2.toFixed(1)})`);
});

eachBackend(test, "select with otherwise never blocks; without it blocks until a case is ready", async (backend) => {
  const r = await run(
    `function later(ch) { sleep(15); ch.send("late") }
     function main() {
       const ch = chan()
       println(select(recv(ch, () => "got"), otherwise(() => "default")))
       go(later, ch)
       println(select(recv(ch, (v, ok) => v + " " + ok)))
     }`,
    { backend },
  );
  assert.is(r.stdout, "default\nlate true\n");
});

eachBackend(test, "select send case, and the losing cases are cancelled", async (backend) => {
  const r = await run(
    `function taker(ch, out) { out.send(ch.recv()) }
     function main() {
       const a = chan(), b = chan(), out = chan(2)
       go(taker, b, out)
       const which = select(send(a, "to a", () => "a"), send(b, "to b", () => "b"))
       println(which, out.recv())
       // the cancelled send on a must not be delivered later
       println(select(recv(a, () => "stale"), otherwise(() => "a is empty")))
     }`,
    { backend },
  );
  assert.is(r.stdout, "b to b\na is empty\n");
});

eachBackend(test, "nil channel cases are never ready; recv of closed channel is ready", async (backend) => {
  const r = await run(
    `function main() {
       const closed = chan(); closed.close()
       println(select(recv(null, () => "nil"), recv(closed, (v, ok) => "closed " + ok)))
       println(select(send(null, 1, () => "nil send"), otherwise(() => "default")))
     }`,
    { backend },
  );
  assert.is(r.stdout, "closed false\ndefault\n");
});

eachBackend(test, "select() with no cases blocks forever: deadlock", async (backend) => {
  const r = await run(`function main() {\n  select()\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^fatal error: all goroutines are asleep - deadlock!\n\ngoroutine 1 \[select \(no cases\)\]:\nmain\(\.\.\.\)\n\tprog\.js:2:/);
});

eachBackend(test, "select on a closed channel's send case panics", async (backend) => {
  const r = await run(`function main() {\n  const ch = chan(); ch.close()\n  select(send(ch, 1))\n}`, { backend });
  assert.is(r.code, 2);
  assert.match(r.stderr, /^panic: send on closed channel\n/);
});

test.run();
