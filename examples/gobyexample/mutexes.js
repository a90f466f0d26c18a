// Mutexes: the shared counters live in an atomic.Value; the Mutex makes each
// load-increment-store one step, so no update is lost. (gobyexample.com/mutexes)

// A container is a plain object of handles: every goroutine's copy of it
// reaches the same Mutex and the same counters.
function newContainer() {
  const counters = new atomic.Value();
  counters.store({ a: 0, b: 0 });
  return { mu: new sync.Mutex(), counters };
}

function inc(c, name) {
  c.mu.lock();
  try {
    const counters = c.counters.load();
    counters[name]++;
    runtime.gosched(); // let the others run here: without the mutex, updates would be lost
    c.counters.store(counters);
  } finally {
    c.mu.unlock();
  }
}

function main() {
  const c = newContainer();
  const wg = new sync.WaitGroup();
  const doIncrement = (name, n) => {
    for (let i = 0; i < n; i++) inc(c, name);
  };
  wg.go(doIncrement, "a", 200);
  wg.go(doIncrement, "a", 200);
  wg.go(doIncrement, "b", 200);
  wg.wait();
  println(c.counters.load());
}
