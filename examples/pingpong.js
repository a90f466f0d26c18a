// Two goroutines hit a ball back and forth over unbuffered channels.
// Each send blocks until the other side receives: a rendezvous, as in Go.
function player(name, from, to, hits, done) {
  for (let i = 0; i < hits; i++) {
    const ball = from.recv();
    ball.hits++;
    println(`${name} ${ball.hits}`);
    to.send(ball);
  }
  done.send(name);
}

function main() {
  const toPing = chan();
  const toPong = chan();
  const done = chan();
  go(player, "ping", toPing, toPong, 5, done);
  go(player, "pong", toPong, toPing, 5, done);
  toPing.send({ hits: 0 }); // serve
  done.recv(); // ping is done after its 5th hit...
  const ball = toPing.recv(); // ...and pong's last return is ours
  done.recv();
  println(`game over after ${ball.hits} hits`);
}
