// The load generator of bench/echo.ts, run in its own process: `conns`
// connections, each a closed loop of `size`-byte messages (send, wait for the
// whole echo, send the next). Once every connection has had one echo (so the
// server has started all its handlers), `warmup` seconds, then `seconds`
// measured. Prints "measuring" when the measured part starts, then one JSON
// line: messages per second and round-trip latency percentiles of that part.
//
//   node dist/bench/echo-load.js <host:port> <conns> <seconds> [size=64] [warmup=0.5]
import net from "node:net";
import { loadArgs, quantile } from "./load-args.js";

const { host, port, n: conns, seconds, size, warmup, msg } = loadArgs(100);

function connect(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, noDelay: true });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

async function main(): Promise<void> {
  const sockets: net.Socket[] = [];
  for (let k = 0; k < conns; k += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, conns - k) }, connect))));
  }
  let measuring = false;
  let firstEchoes = 0;
  let allEchoed!: () => void;
  const everyConnEchoed = new Promise<void>((r) => (allEchoed = r));
  let stopping = false;
  let count = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  let tStart = 0;
  const loops = sockets.map(
    (s) =>
      new Promise<void>((resolve, reject) => {
        let got = 0;
        let sent = 0;
        let echoedOnce = false;
        const send = (): void => {
          if (stopping) return resolve();
          got = 0;
          sent = performance.now();
          s.write(msg);
        };
        s.on("data", (d: Buffer) => {
          got += d.length;
          if (got < size) return;
          if (measuring) {
            count++;
            latencies.push(performance.now() - sent);
          }
          if (!echoedOnce) {
            echoedOnce = true;
            if (++firstEchoes === sockets.length) allEchoed();
          }
          send();
        });
        s.on("error", reject);
        send();
      }),
  );
  await everyConnEchoed;
  await new Promise((r) => setTimeout(r, warmup * 1000));
  process.stdout.write("measuring\n");
  measuring = true;
  tStart = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - tStart) / 1000;
  const result = { conns, msgsPerSec: count / elapsed, messages: count, setupMs: tStart - t0 - warmup * 1000 };
  process.stdout.write("measured\n");
  stopping = true;
  await Promise.race([Promise.all(loops), new Promise((r) => setTimeout(r, 2000))]);
  for (const s of sockets) s.destroy();
  latencies.sort((a, b) => a - b);
  process.stdout.write(`${JSON.stringify({ ...result, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) })}\n`);
}

main().catch((e: Error) => {
  process.stderr.write(`echo-load: ${e.message}\n`);
  process.exit(1);
});
