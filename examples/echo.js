// TCP echo server: one goroutine per connection, plain blocking reads and
// writes; the netpoller parks each goroutine until its socket is ready.
// Usage: quickgo run examples/echo.js [address]   (default 127.0.0.1:8000)
//   then: nc 127.0.0.1 8000
function handle(conn) {
  const peer = conn.remoteAddr;
  println("connected:", peer);
  try {
    for (;;) {
      const data = conn.read();
      if (data === null) break; // the client closed its side
      conn.write(data);
    }
  } catch (e) {
    println("error:", peer, e.message);
  } finally {
    conn.close();
  }
  println("disconnected:", peer);
}

function main() {
  const ln = net.listen("tcp", args[0] ?? "127.0.0.1:8000");
  println("echo server listening on", ln.addr);
  for (;;) {
    go(handle, ln.accept());
  }
}
