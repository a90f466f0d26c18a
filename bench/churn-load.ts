// The connection-churn load generator of bench/echo.ts, run in its own
// process: `clients` concurrent loops, each connecting, sending one
// `size`-byte message, waiting for the whole echo and closing, over and over.
// Every new connection is a new goroutine in a quickgo server, so this
// measures what established connections (bench/echo-load.ts) do not: the
// cost of a goroutine's start and end. After `warmup` seconds it prints
// "measuring", after `seconds` more "measured", then one JSON line:
// connections per second and the p50/p99 of connect + echo + close.
//
//   node dist/bench/churn-load.js <host:port> <clients> <seconds> [size=64] [warmup=0.5]
import net from "node:net";
import { loadArgs, quantile } from "./load-args.js";

const { host, port, n: clients, seconds, size, warmup, msg } = loadArgs(50);

/** One connection's life: connect, one echo, close. */
function once(): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, noDelay: true }, () => s.write(msg));
    let got = 0;
    s.on("data", (d: Buffer) => {
      got += d.length;
      if (got < size) return;
      s.end();
      s.destroy();
      resolve();
    });
    s.on("error", reject);
  });
}

async function main(): Promise<void> {
  let measuring = false;
  let stopping = false;
  let count = 0;
  const latencies: number[] = [];
  const loop = async (): Promise<void> => {
    while (!stopping) {
      const t = performance.now();
      await once();
      if (measuring) {
        count++;
        latencies.push(performance.now() - t);
      }
    }
  };
  const loops = Array.from({ length: clients }, loop);
  await new Promise((r) => setTimeout(r, warmup * 1000));
  process.stdout.write("measuring\n");
  measuring = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  process.stdout.write("measured\n");
  stopping = true;
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ clients, connsPerSec: count / elapsed, connections: count, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) })}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`churn-load: ${e.message}\n`);
  process.exit(1);
});
