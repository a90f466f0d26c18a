// Tickers: time.newTicker(d) delivers on ticker.c every d until stop().
// (gobyexample.com/tickers; ticks counted instead of timestamped, so the output is exact)
function main() {
  const ticker = time.newTicker(20 * time.Millisecond);
  const done = chan();
  const ticked = chan();

  go(() => {
    for (let n = 1; ; n++) {
      const stop = select(
        recv(done, () => true),
        recv(ticker.c, () => false),
      );
      if (stop) return;
      println("Tick", n);
      ticked.send(n);
    }
  });

  while (ticked.recv() < 3) {}
  ticker.stop();
  done.send(true);
  println("Ticker stopped");
}
