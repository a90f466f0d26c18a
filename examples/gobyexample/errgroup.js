// errgroup: run tasks in goroutines, wait for all, get the first error; with
// withContext the others are canceled as soon as one fails. (golang.org/x/sync/errgroup)
function fetch(ctx, url) {
  if (url.includes("bad")) throw new Error(`fetch ${url}: 404 not found`);
  // A slow fetch that gives up when the group's context is canceled.
  return select(
    recv(time.after(500 * time.Millisecond), () => null),
    recv(ctx.done(), () => new Error(`fetch ${url}: ${ctx.err().message}`)),
  );
}

function main() {
  const urls = ["https://go.dev/", "https://example.com/bad", "https://golang.org/"];
  const [g, ctx] = errgroup.withContext(context.background());
  const canceled = new atomic.Int64();
  for (const url of urls) {
    g.go(() => {
      const err = fetch(ctx, url);
      if (err) canceled.add(1);
      return err;
    });
  }
  const err = g.wait();
  println("first error:", err.message);
  println("fetches canceled early:", canceled.load());
  println("ctx after wait:", ctx.err().message);

  // setLimit bounds the goroutines; wait returns null when none fails.
  const h = new errgroup.Group();
  h.setLimit(2);
  const sum = new atomic.Int64();
  for (let i = 1; i <= 5; i++) h.go(() => void sum.add(i));
  println("limited group:", h.wait(), "sum", sum.load());
}
