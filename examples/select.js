// select: wait on several channels at once, with a timeout and a default case.
function slow(ch, ms, msg) {
  sleep(ms);
  ch.send(msg);
}

function main() {
  const fast = chan();
  const never = chan();
  go(slow, fast, 10, "fast answer");

  // Blocks until one case is ready: the answer arrives before the timeout.
  select(
    recv(fast, (v) => println("got:", v)),
    recv(after(1000), () => println("timeout")),
  );

  // Nobody ever sends on `never`: the timeout fires.
  select(
    recv(never, (v) => println("got:", v)),
    recv(after(20), () => println("timeout after 20 ms")),
  );

  // With otherwise (Go's default) select never blocks.
  const buf = chan(1);
  for (let i = 0; i < 2; i++) {
    select(
      send(buf, i, () => println("sent", i)),
      otherwise(() => println("buffer full, dropped", i)),
    );
  }
  println("buffered:", buf.recv());
}
