// Range over channels: for…of receives until the channel is closed and
// drained. (gobyexample.com/range-over-channels)
function main() {
  const queue = chan(2);
  queue.send("one");
  queue.send("two");
  queue.close();

  for (const elem of queue) println(elem);
}
