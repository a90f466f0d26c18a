// Atomic counters: goroutines share no memory, so the counter is a runtime
// object, atomic.Int64, that every goroutine updates. (gobyexample.com/atomic-counters)
function main() {
  const ops = new atomic.Int64();
  const wg = new sync.WaitGroup();

  for (let i = 0; i < 50; i++) {
    wg.go(() => {
      for (let c = 0; c < 1000; c++) ops.add(1);
    });
  }

  wg.wait();
  println("ops:", ops.load());
}
