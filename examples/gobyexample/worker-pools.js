// Worker pools: three workers take jobs from one channel and send results on
// another. (gobyexample.com/worker-pools; which worker takes which job varies, as in Go)
function worker(id, jobs, results) {
  for (const j of jobs) {
    println("worker", id, "started  job", j);
    time.sleep(20 * time.Millisecond);
    println("worker", id, "finished job", j);
    results.send(j * 2);
  }
}

function main() {
  const numJobs = 5;
  const jobs = chan(numJobs);
  const results = chan(numJobs);

  for (let w = 1; w <= 3; w++) go(worker, w, jobs, results);

  for (let j = 1; j <= numJobs; j++) jobs.send(j);
  jobs.close();

  for (let a = 1; a <= numJobs; a++) results.recv();
}
