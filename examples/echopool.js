// TCP echo server that reuses its goroutines, for clients that make many
// short connections. Starting a goroutine costs quickgo a fresh JS context
// (~0.3-1 ms, docs/ENGINE.md) where Go pays ~1 µs, so a goroutine per
// connection spends most of a short connection's time being born. Here each
// accepted conn goes to an idle worker when one is waiting, and a new worker
// starts only when all are busy: the pool grows to the peak number of open
// connections, and a worker left idle for 10 s ends.
// Usage: quickgo run examples/echopool.js [address] [idle ms]   (default 127.0.0.1:8000, 10000)
function serve(conn) {
  try {
    for (let data; (data = conn.read()) !== null; ) conn.write(data);
  } catch (e) {
    println("error:", conn.remoteAddr, e.message);
  } finally {
    conn.close();
  }
}

// Serves conn, then whatever conn the listener hands it next, until it has
// waited idleMs for one. One timer, reset each time (after() would leave a
// pending timer behind per connection until it fired).
function worker(conns, idleMs, conn, n) {
  println("worker", n, "started");
  const idle = time.newTimer(idleMs);
  while (conn !== null) {
    serve(conn);
    idle.reset(idleMs);
    conn = select(
      recv(conns, (c) => c),
      recv(idle.c, () => null),
    );
  }
  println("worker", n, "idle, ending");
}

function main() {
  const ln = net.listen("tcp", args[0] ?? "127.0.0.1:8000");
  println("echo server listening on", ln.addr);
  const idleMs = Number(args[1] ?? 10_000);
  const conns = chan(); // unbuffered: a send succeeds only if a worker is waiting
  let workers = 0;
  for (;;) {
    const conn = ln.accept();
    select(
      send(conns, conn, () => {}),
      otherwise(() => go(worker, conns, idleMs, conn, ++workers)),
    );
  }
}
