// Network faults against a goroutine-per-connection server (issue 9; not in
// `npm test`): connect/close cycles, clients that reset the connection in
// the middle of a large write, and slowloris clients that send but never
// read (the server's writes block on back-pressure) and then vanish. After
// each phase, the open fds of this process, the program's live goroutines
// and its open sockets (pollDescs) must be back where they started.
//
//   node dist/bench/netsoak.js [--cycles 10000] [--resets 1000] [--slow 200]
import fs from "node:fs";
import net from "node:net";
import { Runtime } from "../src/runtime.js";
import { ECHO_GUEST } from "./echo-guest.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const cycles = flag("--cycles", 10000);
const resets = flag("--resets", 1000);
const slow = flag("--slow", 200);

const fds = (): number => fs.readdirSync("/proc/self/fd").length;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

async function main(): Promise<void> {
  let out = "";
  const rt = await Runtime.create({ stdout: (s) => void (out += s), stderr: () => {} });
  const run = rt.run(ECHO_GUEST, { filename: "netsoak-server.js" });
  while (!/addr /.test(out)) await sleep(10);
  const port = Number(/addr 127\.0\.0\.1:(\d+)/.exec(out)![1]);
  const base = { fds: fds(), ...pick(rt.stats()) };
  console.log(`netsoak: ${process.version}, ${rt.backend}; at rest: ${fmt(base)}`);
  let failed = false;

  /** Waits until the server is back at rest (or 10 s), then compares with the baseline. */
  async function check(phase: string, t0: number): Promise<void> {
    let now = { fds: fds(), ...pick(rt.stats()) };
    for (let i = 0; i < 500 && (now.fds > base.fds || now.goroutines > base.goroutines || now.sockets > base.sockets); i++) {
      await sleep(20);
      now = { fds: fds(), ...pick(rt.stats()) };
    }
    const ok = now.fds === base.fds && now.goroutines === base.goroutines && now.sockets === base.sockets;
    failed ||= !ok;
    console.log(`${ok ? "ok  " : "LEAK"} ${phase} in ${((performance.now() - t0) / 1000).toFixed(1)} s; after: ${fmt(now)}`);
  }

  // 1. connect/close cycles, 100 at a time
  let t0 = performance.now();
  for (let done = 0; done < cycles; done += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, cycles - done) }, () => connect(port)));
    for (const s of batch) s.destroy();
  }
  await check(`${cycles} connect/close cycles`, t0);

  // 2. clients reset (RST) in the middle of a 1 MiB write
  t0 = performance.now();
  const big = Buffer.alloc(1 << 20, 7);
  for (let done = 0; done < resets; done += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, resets - done) }, () => connect(port)));
    for (const s of batch) s.on("error", () => {}).write(big);
    await sleep(5);
    for (const s of batch) s.resetAndDestroy();
  }
  await check(`${resets} clients reset mid-write`, t0);

  // 3. slowloris: send a lot, never read (the server's echo writes block), then vanish
  t0 = performance.now();
  const lazy = await Promise.all(Array.from({ length: slow }, () => connect(port)));
  for (const s of lazy) {
    s.on("error", () => {});
    s.pause(); // never read: the echo backs up into the server's blocked write
    s.write(Buffer.alloc(4 << 20, 1));
  }
  await sleep(1000);
  const parked = pick(rt.stats());
  console.log(`     ${slow} slowloris clients holding the server: ${fmt({ fds: fds(), ...parked })}`);
  for (const s of lazy) s.resetAndDestroy();
  await check(`${slow} slowloris clients gone`, t0);

  await rt.terminate("netsoak over", 0);
  await run;
  console.log(failed ? "netsoak: FAILED (leak)" : "netsoak: nothing leaked");
  process.exit(failed ? 1 : 0);
}

function pick(s: { goroutines: number; sockets: number }): { goroutines: number; sockets: number } {
  return { goroutines: s.goroutines, sockets: s.sockets };
}

function fmt(x: { fds: number; goroutines: number; sockets: number }): string {
  return `${x.fds} fds, ${x.goroutines} goroutines, ${x.sockets} sockets`;
}

main().catch((e: Error) => {
  console.error(`netsoak: ${e.stack ?? e.message}`);
  process.exit(1);
});
