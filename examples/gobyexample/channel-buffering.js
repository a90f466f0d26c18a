// Channel buffering: chan(n) accepts up to n values without a receiver.
// (gobyexample.com/channel-buffering)
function main() {
  const messages = chan(2);
  messages.send("buffered");
  messages.send("channel");
  println(messages.recv());
  println(messages.recv());
}
