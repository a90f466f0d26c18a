// WaitGroups: wg.go(f) (Go 1.25's WaitGroup.Go) runs f in a goroutine and
// wg.wait() blocks until all of them returned. (gobyexample.com/waitgroups)
function worker(id) {
  println(`Worker ${id} starting`);
  time.sleep(20 * time.Millisecond);
  println(`Worker ${id} done`);
}

function main() {
  const wg = new sync.WaitGroup();
  for (let i = 1; i <= 5; i++) {
    wg.go(() => worker(i)); // each closure gets its own copy of i
  }
  wg.wait();
}
