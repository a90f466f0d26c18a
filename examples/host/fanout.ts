// A TypeScript host that fans work out to goroutines over channels and
// collects the results with `for await`.
//
//   npm run build && node dist/examples/host/fanout.js [workers] [jobs]
//
// Inside this repository it imports ../../src/index.js; an installed package
// imports "quickgo" instead.
import { Runtime, type Channel } from "../../src/index.js";

/** The guest side: plain JavaScript, one goroutine per worker. */
const WORKER = `
function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}
// Takes jobs until the host closes the channel; the last worker out closes results.
function worker(id, jobs, results, wg) {
  for (const n of jobs) results.send({ n, prime: isPrime(n), by: id });
  wg.done();
}
function pool(size, jobs, results) {
  const wg = new WaitGroup();
  for (let id = 1; id <= size; id++) { wg.add(1); go(worker, id, jobs, results, wg); }
  wg.wait();
  results.close();
}
`;

interface Result {
  n: number;
  prime: boolean;
  by: number;
}

export async function fanout(workers: number, count: number): Promise<{ primes: number[]; perWorker: Map<number, number> }> {
  const rt = await Runtime.create({ stdout: (s) => void process.stdout.write(s) });
  const jobs: Channel<number> = rt.chan<number>(16);
  const results: Channel<Result> = rt.chan<Result>(16);
  const pool = rt.go({ source: WORKER, filename: "worker.js" }, "pool", workers, jobs, results);

  // Feed the jobs concurrently with collecting: both channels are bounded.
  const feeding = (async () => {
    for (let n = 1; n <= count; n++) await jobs.send(n);
    jobs.close();
  })();

  const primes: number[] = [];
  const perWorker = new Map<number, number>();
  for await (const r of results) {
    if (r.prime) primes.push(r.n);
    perWorker.set(r.by, (perWorker.get(r.by) ?? 0) + 1);
  }
  await feeding;
  await pool.done;
  await rt.shutdown();
  return { primes: primes.sort((a, b) => a - b), perWorker };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const workers = Number(process.argv[2] ?? 4);
  const count = Number(process.argv[3] ?? 100);
  const { primes, perWorker } = await fanout(workers, count);
  console.log(`${primes.length} primes up to ${count}: ${primes.join(" ")}`);
  const total = [...perWorker.values()].reduce((a, b) => a + b, 0);
  console.log(`${total} jobs done`); // by how many workers depends on scheduling

}
