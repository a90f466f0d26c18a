// The echo servers the network benchmarks run (bench/echo.ts,
// bench/echo-instructions.ts, bench/netsoak.ts), each printing
// "addr <address>" once it listens. ECHO_GUEST is quickgo's, a goroutine per
// connection (a handler whose client went away, ECONNRESET or EPIPE, just
// ends); NODE_ECHO_SERVER is Node's native one, the baseline.
export const ECHO_GUEST = `
function echo(c) {
  try {
    for (let b; (b = c.read()) !== null; ) c.write(b);
  } catch (e) {
    // the client went away: this goroutine ends
  } finally {
    c.close();
  }
}
function main() {
  const ln = net.listen("tcp", "127.0.0.1:0");
  println("addr " + ln.addr);
  for (;;) go(echo, ln.accept());
}`;

export const NODE_ECHO_SERVER = `
const net = require("node:net");
const srv = net.createServer({ noDelay: true }, (s) => { s.on("data", (d) => s.write(d)); s.on("error", () => {}); });
srv.listen(0, "127.0.0.1", () => console.log("addr 127.0.0.1:" + srv.address().port));`;
