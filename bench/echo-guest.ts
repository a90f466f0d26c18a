// The echo servers the network benchmarks run (bench/echo.ts,
// bench/echo-instructions.ts, bench/netsoak.ts), each printing
// "addr <address>" once it listens. ECHO_GUEST is quickgo's, a goroutine per
// connection (a handler whose client went away, ECONNRESET or EPIPE, just
// ends); ECHO_GUEST_POOL is the same server reusing its goroutines as
// examples/echopool.js does; NODE_ECHO_SERVER is Node's native one, the baseline.
/** Echoes one connection until its client closes it or goes away; both servers' handler. */
const ECHO_HANDLER = `
function echo(c) {
  try {
    for (let b; (b = c.read()) !== null; ) c.write(b);
  } catch (e) {
    // the client went away: this connection is done
  } finally {
    c.close();
  }
}`;

export const ECHO_GUEST = `${ECHO_HANDLER}
function main() {
  const ln = net.listen("tcp", "127.0.0.1:0");
  println("addr " + ln.addr);
  for (;;) go(echo, ln.accept());
}`;

/**
 * examples/echopool.js without its logging: each accepted conn goes to a
 * worker waiting for one, and a new worker starts only when none is; a
 * worker idle for 10 s ends. Measures connection churn without a
 * goroutine's start and end per connection.
 */
export const ECHO_GUEST_POOL = `${ECHO_HANDLER}
function worker(conns, c) {
  const idle = time.newTimer(10000);
  while (c !== null) {
    echo(c);
    idle.reset(10000);
    c = select(recv(conns, (v) => v), recv(idle.c, () => null));
  }
}
function main() {
  const ln = net.listen("tcp", "127.0.0.1:0");
  const conns = chan();
  println("addr " + ln.addr);
  for (;;) {
    const c = ln.accept();
    select(send(conns, c, () => {}), otherwise(() => go(worker, conns, c)));
  }
}`;

export const NODE_ECHO_SERVER = `
const net = require("node:net");
const srv = net.createServer({ noDelay: true }, (s) => { s.on("data", (d) => s.write(d)); s.on("error", () => {}); });
srv.listen(0, "127.0.0.1", () => console.log("addr 127.0.0.1:" + srv.address().port));`;
