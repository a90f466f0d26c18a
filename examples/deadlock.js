// Shows the deadlock detector: main waits for a value nobody will send.
// Exits with status 2 and a dump of every goroutine, like Go.
function waiter(ch) {
  ch.recv();
}

function main() {
  const a = chan();
  const b = chan();
  go(waiter, a);
  println("waiting forever...");
  b.recv();
}
