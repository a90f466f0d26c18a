// The goroutine-per-connection echo server the network benchmarks run
// (bench/echo.ts, bench/netsoak.ts): prints "addr <address>" once it listens;
// a handler whose client went away (ECONNRESET, EPIPE) just ends.
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
