// The guest's runtime namespace: goexit, stack, numGoroutine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "runtime.goexit ends the goroutine after its finally blocks; WaitGroup.go and errgroup see a normal end", async (backend) => {
  const r = await run(
    `function deep(log) { try { runtime.goexit() } finally { log.send("inner finally") } }
     function main() {
       const log = chan(10), wg = new WaitGroup(), g = new errgroup.Group()
       wg.go(() => {
         try { deep(log); log.send("not reached") } finally { log.send("outer finally") }
       })
       wg.wait()
       g.go(() => runtime.goexit())
       println(g.wait())
       log.close()
       println([...log].join(", "))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.code, 0);
  assert.is(r.stdout, "null\ninner finally, outer finally\n");
});

eachBackend(test, "runtime.goexit in main: the others run on; with none left it is Go's deadlock", async (backend) => {
  const r = await run(
    `function main() {
       go(() => { sleep(10); println("other goroutine finished") })
       try { runtime.goexit() } finally { println("main's finally") }
     }`,
    { backend },
  );
  assert.is(r.code, 2);
  assert.is(r.stdout, "main's finally\nother goroutine finished\n");
  assert.is(r.stderr, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n");
});

eachBackend(test, "runtime.stack is Go's format for the calling goroutine; numGoroutine counts live goroutines", async (backend) => {
  const r = await run(
    `function inner(out) {
       out.send(runtime.stack())
     }
     function main() {
       const out = chan()
       go(inner, out)
       println(out.recv())
       println(runtime.numGoroutine(), runtime.NumCPU())
     }`,
    { backend, filename: "st.js" },
  );
  assert.is(r.stderr, "");
  assert.match(r.stdout, /^goroutine 2 \[running\]:\ninner\(\.\.\.\)\n\tst\.js:2:\d+\n\n1 1\n$/);
});

test.run();
