// Port scanner: dials every port of a range concurrently, each dial with a
// timeout, at most `limit` at a time (a buffered channel as a semaphore),
// and collects the open ones.
// Usage: quickgo run examples/portscan.js [host] [first] [last] [limit]
//   (default 127.0.0.1 1 1024 100)
function probe(host, port, sem, results) {
  sem.send(true); // acquire
  let open = false;
  try {
    net.dial("tcp", host + ":" + port, { timeout: 500 }).close();
    open = true;
  } catch (e) {
    // ECONNREFUSED (closed) or i/o timeout (filtered): not open
  }
  sem.recv(); // release
  results.send([port, open]);
}

function main() {
  const host = args[0] ?? "127.0.0.1";
  const first = Number(args[1] ?? 1);
  const last = Number(args[2] ?? 1024);
  const limit = Number(args[3] ?? 100);
  const sem = chan(limit);
  const results = chan();
  for (let port = first; port <= last; port++) go(probe, host, port, sem, results);
  const open = [];
  for (let port = first; port <= last; port++) {
    const [p, ok] = results.recv();
    if (ok) open.push(p);
  }
  open.sort((a, b) => a - b);
  println("scanned " + host + " ports " + first + "-" + last + ": " + (open.length ? "open " + open.join(" ") : "none open"));
}
