// Closing channels: close(jobs) tells the worker no more jobs will come;
// recvOk() reports whether a value came or the channel is closed and drained.
// (gobyexample.com/closing-channels)
function main() {
  const jobs = chan(5);
  const done = chan();

  go(() => {
    for (;;) {
      const [j, more] = jobs.recvOk();
      if (more) {
        println("received job", j);
      } else {
        println("received all jobs");
        done.send(true);
        return;
      }
    }
  });

  for (let j = 1; j <= 3; j++) {
    jobs.send(j);
    println("sent job", j);
  }
  jobs.close();
  println("sent all jobs");

  done.recv();

  const [, ok] = jobs.recvOk();
  println("received more jobs:", ok);
}
