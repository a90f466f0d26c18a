// Bounded parallelism: a weighted semaphore lets at most 3 of 10 jobs run at
// once. (golang.org/x/sync/semaphore; the Go blog's bounded "digester")
function main() {
  const sem = semaphore.newWeighted(3);
  const running = new atomic.Int64();
  const most = new atomic.Int64();
  const results = chan(10);
  const wg = new sync.WaitGroup();

  for (let job = 1; job <= 10; job++) {
    sem.acquire(1); // blocks while 3 jobs run
    wg.go(() => {
      try {
        const n = running.add(1);
        if (n > most.load()) most.store(n);
        time.sleep(10 * time.Millisecond);
        results.send([job, job * job]);
        running.add(-1);
      } finally {
        sem.release(1);
      }
    });
  }
  wg.wait();
  results.close();

  const squares = [...results].sort((a, b) => a[0] - b[0]).map(([, sq]) => sq);
  println("squares:", squares.join(" "));
  println("at most 3 at once:", most.load() <= 3);
}
