// Channel synchronization: main blocks on a channel until the worker says it
// is done. (gobyexample.com/channel-synchronization)
function worker(done) {
  const line = "working..."; // Go prints this part first, without a newline
  time.sleep(20 * time.Millisecond);
  println(line + "done");
  done.send(true);
}

function main() {
  const done = chan(1);
  go(worker, done);
  done.recv();
}
