// Channels: an unbuffered channel connects two goroutines; send and receive
// block until the other side is ready. (gobyexample.com/channels)
function main() {
  const messages = chan();
  go(() => messages.send("ping"));
  const msg = messages.recv();
  println(msg);
}
