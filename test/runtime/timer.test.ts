import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "sleepers wake in deadline order, and sleep takes at least its duration", async (backend) => {
  const r = await run(
    `function sleeper(ms, start, out) { start.recv(); sleep(ms); out.send(ms) }
     function main() {
       const out = chan(5), start = chan()
       // 50 ms apart: the sleepers call sleep() one after another, and on a loaded
       // machine (CI, a shared host) a 10 ms gap was once overtaken by that delay.
       for (const ms of [200, 50, 150, 0, 100]) go(sleeper, ms, start, out)
       sleep(100) // every sleeper is set up and waiting: they start sleeping together
       const t0 = now()
       start.close()
       const order = []
       for (let i = 0; i < 5; i++) order.push(out.recv())
       println(order.join(" "), now() - t0 >= 200)
     }`,
    { backend },
  );
  assert.is(r.stdout, "0 50 100 150 200 true\n");
});

eachBackend(test, "after delivers once; tick delivers repeatedly", async (backend) => {
  const r = await run(
    `function main() {
       const a = after(10)
       const t = a.recv()
       println(typeof t, select(recv(a, () => "again"), recv(after(30), () => "only once")))
       const tk = tick(5)
       let n = 0
       for (const _ of tk) if (++n === 4) break
       println("ticks", n)
     }`,
    { backend },
  );
  assert.is(r.stdout, "number only once\nticks 4\n");
});

eachBackend(test, "a sleeping goroutine wakes on time while another keeps yielding", async (backend) => {
  const r = await run(
    `function busy(stop) { while (select(recv(stop, () => false), otherwise(() => true))) gosched() }
     function main() {
       const stop = chan()
       go(busy, stop)
       const t0 = now()
       sleep(30)
       const late = now() - t0 - 30
       stop.close()
       println(late < 200 ? "on time" : "late " + late)
     }`,
    { backend },
  );
  assert.is(r.stdout, "on time\n");
});

eachBackend(test, "a program sleeping uses almost no CPU", async (backend) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await run(`function main() { sleep(1000) }`, { backend });
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  assert.is(r.code, 0);
  // Startup (instantiating wasm, loading the program) costs some CPU; the 1 s of sleep must add almost none.
  const cpuMs = (cpu.user + cpu.system) / 1000;
  assert.ok(cpuMs < 0.05 * 1000 + (wall - 1000), `cpu ${cpuMs.toFixed(0)} ms over ${wall.toFixed(0)} ms wall`);
});

test.run();
