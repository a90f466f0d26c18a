import { test } from "uvu";
import * as assert from "uvu/assert";
import { eachBackend, run } from "../helpers.js";

eachBackend(test, "background: a nil done channel, no error, no deadline, no values", async (backend) => {
  const r = await run(
    `function main() {
       const bg = context.background()
       println(bg.done(), bg.err(), JSON.stringify(bg.deadline()), bg.value("k"), bg === context.background(), context.TODO() === bg)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "null null [null,false] undefined true true\n");
});

eachBackend(test, "withCancel: cancel closes done, err is the context.Canceled sentinel, cancel again does nothing", async (backend) => {
  const r = await run(
    `function main() {
       const [ctx, cancel] = context.withCancel(context.background())
       println(ctx.err(), select(recv(ctx.done(), () => "done"), otherwise(() => "not done")))
       cancel()
       cancel()
       const [, ok] = ctx.done().recvOk()
       println(ok, ctx.err() === context.Canceled, ctx.err() === ctx.err(), String(ctx.err()))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "null not done\nfalse true true Error: context canceled\n");
});

eachBackend(test, "cancellation propagates to children (also through values), not to parents; a child of a canceled parent is born canceled", async (backend) => {
  const r = await run(
    `function main() {
       const [parent, cancelParent] = context.withCancel(context.background())
       const [child, cancelChild] = context.withCancel(context.withValue(parent, "k", 1))
       const [grandchild] = context.withTimeout(child, 10000)
       const [other, cancelOther] = context.withCancel(parent)
       cancelOther()
       println(other.err() !== null, parent.err(), child.err())
       cancelParent()
       grandchild.done().recv()
       println(child.err() === context.Canceled, grandchild.err() === context.Canceled, grandchild.value("k"))
       const [late] = context.withCancel(parent)
       println(late.err() === context.Canceled)
       cancelChild()
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "true null null\ntrue true 1\ntrue\n");
});

eachBackend(test, "withTimeout/withDeadline: done after the deadline with context.DeadlineExceeded; the parent's earlier deadline wins", async (backend) => {
  const r = await run(
    `function main() {
       const t0 = Date.now()
       const [ctx, cancel] = context.withTimeout(context.background(), 20)
       const [d, ok] = ctx.deadline()
       println(ok, d >= t0 + 20 && d < t0 + 1000)
       const v = select(recv(ctx.done(), () => "deadline"), recv(after(2000), () => "too late"))
       println(v, ctx.err() === context.DeadlineExceeded, ctx.err().message)
       cancel() // after expiry: err stays DeadlineExceeded
       println(ctx.err() === context.DeadlineExceeded)
       const [short] = context.withTimeout(context.background(), 10)
       const [long] = context.withDeadline(short, Date.now() + 60000)
       long.done().recv()
       println(long.err() === context.DeadlineExceeded, long.deadline()[0] === short.deadline()[0])
       const [past] = context.withDeadline(context.background(), new Date(0))
       println(past.err() === context.DeadlineExceeded)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "true true\ndeadline true context deadline exceeded\ntrue\ntrue true\ntrue\n");
});

eachBackend(test, "withValue: lookup up the chain, nearest key wins, keys compared by value, values copied to other goroutines", async (backend) => {
  const r = await run(
    `function show(ctx, out) { out.send([ctx.value("user"), ctx.value(7), JSON.stringify(ctx.value("cfg")), ctx.value("none")].join(" ")) }
     function main() {
       let ctx = context.withValue(context.background(), "user", "ann")
       ctx = context.withValue(ctx, 7, "seven")
       ctx = context.withValue(ctx, "cfg", { depth: [1, 2] })
       const shadow = context.withValue(ctx, "user", "bob")
       const out = chan()
       go(show, ctx, out)
       println(out.recv())
       go(() => show(shadow, out))
       println(out.recv())
       const cfg = ctx.value("cfg")
       cfg.depth.push(3)
       println(JSON.stringify(ctx.value("cfg")))
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, 'ann seven {"depth":[1,2]} \nbob seven {"depth":[1,2]} \n{"depth":[1,2]}\n');
});

eachBackend(test, "contexts and cancel functions cross goroutines: as go() arguments, captured, and over channels", async (backend) => {
  const r = await run(
    `function worker(ctx, id, out) {
       for (let n = 0; ; n++) {
         const stop = select(recv(ctx.done(), () => true), otherwise(() => false))
         if (stop) { out.send(id + " stopped: " + ctx.err().message); return }
         sleep(1)
       }
     }
     function main() {
       const [ctx, cancel] = context.withCancel(context.background())
       const out = chan(), cancels = chan(1)
       go(worker, ctx, "a", out)
       go(() => worker(ctx, "b", out))
       go((cancel) => { sleep(10); cancels.send(cancel) }, cancel)
       const c = cancels.recv()
       println(c === cancel, typeof c)
       c()
       println([out.recv(), out.recv()].sort().join(" / "))
       go(() => cancel()) // captured: canceling again elsewhere is harmless
       sleep(5)
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "true function\na stopped: context canceled / b stopped: context canceled\n");
});

test.run();
