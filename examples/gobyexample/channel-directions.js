// Channel directions: JS has no send-only/receive-only channel types, so the
// direction is a naming convention. (gobyexample.com/channel-directions)
function ping(pings /* send-only */, msg) {
  pings.send(msg);
}

function pong(pings /* receive-only */, pongs /* send-only */) {
  const msg = pings.recv();
  pongs.send(msg);
}

function main() {
  const pings = chan(1);
  const pongs = chan(1);
  ping(pings, "passed message");
  pong(pings, pongs);
  println(pongs.recv());
}
