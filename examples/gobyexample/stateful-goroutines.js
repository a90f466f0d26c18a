// Stateful goroutines: one goroutine owns the state; others read and write
// it by sending requests with a reply channel. (gobyexample.com/stateful-goroutines;
// a fixed number of operations instead of "as many as fit in a second", so the counts are exact)
function main() {
  const readOps = new atomic.Int64();
  const writeOps = new atomic.Int64();
  const reads = chan();
  const writes = chan();

  go(() => {
    const state = new Map();
    for (;;) {
      select(
        recv(reads, (read) => read.resp.send(state.get(read.key) ?? 0)),
        recv(writes, (write) => {
          state.set(write.key, write.val);
          write.resp.send(true);
        }),
      );
    }
  });

  const wg = new sync.WaitGroup();
  for (let r = 0; r < 20; r++) {
    wg.go(() => {
      for (let i = 0; i < 10; i++) {
        const read = { key: Math.floor(Math.random() * 5), resp: chan() };
        reads.send(read);
        read.resp.recv();
        readOps.add(1);
        time.sleep(1);
      }
    });
  }
  for (let w = 0; w < 5; w++) {
    wg.go(() => {
      for (let i = 0; i < 10; i++) {
        const write = { key: Math.floor(Math.random() * 5), val: Math.floor(Math.random() * 100), resp: chan() };
        writes.send(write);
        write.resp.recv();
        writeOps.add(1);
        time.sleep(1);
      }
    });
  }
  wg.wait();

  println("readOps:", readOps.load());
  println("writeOps:", writeOps.load());
}
