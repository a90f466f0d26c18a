// Core costs, measured against Node's own async/await in the same run:
// a channel ping-pong (time per switch) and spawn + exit of a goroutine
// (time per goroutine), for each quickgo backend this Node has.
//
//   node dist/bench/pingpong.js [--rounds 50000] [--spawns 500] [--runs 5]
import { availableBackends, type Backend } from "../src/backend.js";
import { Runtime } from "../src/runtime.js";

const args = process.argv.slice(2);
const flag = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const rounds = flag("--rounds", 50000);
const spawns = flag("--spawns", 500);
const runs = flag("--runs", 5);

/** Unbuffered rendezvous channel on promises: the async/await baseline. */
class AsyncChan<T> {
  private readonly receivers: ((v: T) => void)[] = [];
  private readonly senders: { v: T; done: () => void }[] = [];
  send(v: T): Promise<void> {
    const r = this.receivers.shift();
    if (r) {
      r(v);
      return Promise.resolve();
    }
    return new Promise((done) => this.senders.push({ v, done }));
  }
  recv(): Promise<T> {
    const s = this.senders.shift();
    if (s) {
      s.done();
      return Promise.resolve(s.v);
    }
    return new Promise((r) => this.receivers.push(r));
  }
}

async function nodePingPong(n: number): Promise<number> {
  const a = new AsyncChan<number>();
  const b = new AsyncChan<number>();
  const pong = async (): Promise<void> => {
    for (let i = 0; i < n; i++) await b.send((await a.recv()) + 1);
  };
  const t0 = performance.now();
  const p = pong();
  let v = 0;
  for (let i = 0; i < n; i++) {
    await a.send(v);
    v = await b.recv();
  }
  await p;
  if (v !== n) throw new Error("node ping-pong computed a wrong result");
  return ((performance.now() - t0) * 1e6) / (2 * n); // ns per switch
}

async function nodeSpawn(n: number): Promise<number> {
  const done = new AsyncChan<number>();
  const child = async (i: number): Promise<void> => done.send(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    void child(i);
    await done.recv();
  }
  return ((performance.now() - t0) * 1e6) / n;
}

const guestPingPong = (n: number): string => `
  function pong(a, b, n) { for (let i = 0; i < n; i++) b.send(a.recv() + 1) }
  function main() {
    const a = chan(), b = chan()
    go(pong, a, b, ${n})
    gosched() // let pong start (its setup is not part of a switch)
    const t0 = now()
    let v = 0
    for (let i = 0; i < ${n}; i++) { a.send(v); v = b.recv() }
    println((now() - t0) * 1e6 / (2 * ${n}), v)
  }`;

const guestSpawn = (n: number): string => `
  function child(done, i) { done.send(i) }
  function main() {
    const done = chan()
    const t0 = now()
    for (let i = 0; i < ${n}; i++) { go(child, done, i); done.recv() }
    println((now() - t0) * 1e6 / ${n}, ${n})
  }`;

async function guest(backend: Backend, source: string, expect: number): Promise<number> {
  let out = "";
  const rt = await Runtime.create({ backend, stdout: (s) => void (out += s) });
  const status = await rt.run(source, { filename: "bench.js" });
  const [ns, v] = out.trim().split(" ").map(Number);
  if (status.code !== 0 || v !== expect) throw new Error(`${backend}: wrong result ${out}`);
  return ns!;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ns: number): string => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

async function measure(f: () => Promise<number>): Promise<{ med: number; min: number; max: number }> {
  await f(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await f());
  return { med: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

async function main(): Promise<void> {
  console.log(`# Switch and spawn cost — ${process.version} (V8 ${process.versions.v8}), median of ${runs} (min–max)\n`);
  const baseSwitch = await measure(() => nodePingPong(rounds));
  const baseSpawn = await measure(() => nodeSpawn(spawns * 20));
  console.log("| model | ping-pong, per switch | × async/await | spawn + exit, per goroutine | × async/await |");
  console.log("|---|---|---|---|---|");
  const row = (name: string, s: { med: number; min: number; max: number }, p: { med: number; min: number; max: number }): void =>
    console.log(
      `| ${name} | ${fmt(s.med)} (${fmt(s.min)}–${fmt(s.max)}) | ${(s.med / baseSwitch.med).toFixed(1)} | ` +
        `${fmt(p.med)} (${fmt(p.min)}–${fmt(p.max)}) | ${(p.med / baseSpawn.med).toFixed(0)} |`,
    );
  row("Node async/await", baseSwitch, baseSpawn);
  for (const backend of availableBackends()) {
    const s = await measure(() => guest(backend, guestPingPong(rounds), rounds));
    const p = await measure(() => guest(backend, guestSpawn(spawns), spawns));
    row(`quickgo ${backend}`, s, p);
  }
}

await main();
