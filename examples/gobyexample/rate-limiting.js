// Rate limiting: receive from a ticker before serving each request; a
// buffered channel of "tokens" allows short bursts. (gobyexample.com/rate-limiting)
function main() {
  const tickMs = 20; // Go by Example's 200 ms, scaled down
  const requests = chan(5);
  for (let i = 1; i <= 5; i++) requests.send(i);
  requests.close();

  let start = time.now(); // before the ticker: its first tick comes one period after it is made
  const limiter = time.tick(tickMs);
  for (const req of requests) {
    limiter.recv();
    println("request", req);
  }
  println("5 requests took at least 5 ticks:", time.since(start) >= 5 * tickMs - 1);

  const burstyLimiter = chan(3);
  for (let i = 0; i < 3; i++) burstyLimiter.send(time.now());
  go(() => {
    for (const t of time.tick(tickMs)) burstyLimiter.send(t);
  });

  const burstyRequests = chan(5);
  for (let i = 1; i <= 5; i++) burstyRequests.send(i);
  burstyRequests.close();
  start = time.now();
  for (const req of burstyRequests) {
    burstyLimiter.recv();
    println("bursty request", req);
  }
  println("a burst of 3, then 2 at the tick rate:", time.since(start) >= 2 * tickMs - 1);
}
