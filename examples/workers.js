// A worker pool: jobs fan out to three workers over a buffered channel, results
// come back on another, and a WaitGroup closes the results when all are done.
function worker(id, jobs, results, wg) {
  for (const job of jobs) {
    sleep(5); // pretend to work
    results.send({ job, by: id, square: job * job });
  }
  wg.done();
}

function closer(wg, results) {
  wg.wait();
  results.close();
}

function main() {
  const jobs = chan(10);
  const results = chan(10);
  const wg = new WaitGroup();
  for (let w = 1; w <= 3; w++) {
    wg.add(1);
    go(worker, w, jobs, results, wg);
  }
  for (let j = 1; j <= 9; j++) jobs.send(j);
  jobs.close();
  go(closer, wg, results);
  let sum = 0;
  let count = 0;
  for (const r of results) {
    sum += r.square;
    count++;
  }
  println(`${count} jobs done, sum of squares ${sum}`);
}
