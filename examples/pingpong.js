// Two goroutines hit a ball back and forth over unbuffered channels.
// Each send blocks until the other side receives: a rendezvous, as in Go.
function player(name, table, done, hits) {
  for (let i = 0; i < hits; i++) {
    const ball = table.recv();
    ball.hits++;
    println(`${name} ${ball.hits}`);
    table.send(ball);
  }
  done.send(name);
}

function main() {
  const table = chan();
  const done = chan();
  go(player, "ping", table, done, 5);
  go(player, "pong", table, done, 5);
  table.send({ hits: 0 }); // serve
  done.recv();
  table.recv(); // take the ball off the table
  done.recv();
  println("game over");
}
