// Soak test (issue #9), not part of `npm test`: a long-lived Runtime session
// passes 1 000 000 channel messages and runs 100 000 goroutine spawn/exit
// cycles, in rounds; after each round the host's RSS and the session's wasm
// memory are sampled (after a full GC). Once warmed up (the first rounds grow
// the wasm heap to its working size, which never shrinks, and V8's heaps take
// one-time steps) neither may grow more than 10% above its warm-up peak: a
// leak of goroutines, sudogs, handles or wasm memory fails loudly (exit 1).
//
//   npm run build && node dist/bench/soak.js [--backend asyncify|jspi] [--scale 0.1]
import v8 from "node:v8";
import vm from "node:vm";
import { Runtime, type Backend } from "../src/index.js";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const backend = (opt("--backend") ?? "auto") as Backend | "auto";
const scale = Number(opt("--scale") ?? 1);
const ROUNDS = 10;
const WARMUP_ROUNDS = 4;
const MESSAGES_PER_ROUND = Math.round(100_000 * scale);
const SPAWNS_PER_ROUND = Math.round(10_000 * scale);
const TOLERANCE = 0.1;

const GUEST = `
// Producers and consumers over a buffered and an unbuffered channel, plus a select.
function messages(n, done) {
  const buffered = chan(64), unbuffered = chan(), wg = new WaitGroup()
  const per = n / 4
  wg.add(4)
  go(() => { for (let i = 0; i < per; i++) buffered.send({ i, s: "x" }); wg.done() })
  go(() => { for (let i = 0; i < per; i++) unbuffered.send(i); wg.done() })
  go(() => { let sum = 0; for (let i = 0; i < per; i++) sum += buffered.recv().i; wg.done() })
  go(() => { for (let i = 0; i < per; i++) unbuffered.recv(); wg.done() })
  const a = chan(1), b = chan(1)
  for (let i = 0; i < per; i++) {
    select(send(a, i, () => {}), send(b, i, () => {}))
    select(recv(a, () => {}), recv(b, () => {}))
    if (i % 2) { a.send(i); a.recv() } else { b.send(i); b.recv() }
  }
  wg.wait()
  done.send(n)
}
// Short-lived goroutines, at most 100 alive at a time.
function spawns(n, done) {
  const sem = chan(100), wg = new WaitGroup()
  for (let i = 0; i < n; i++) {
    sem.send(1)
    wg.add(1)
    go(() => { sem.recv(); wg.done() })
  }
  wg.wait()
  done.send(n)
}`;

interface Sample {
  round: number;
  rssMB: number;
  wasmMB: number;
  goroutines: number;
  ms: number;
}

async function phase(rt: Runtime, fn: "messages" | "spawns", perRound: number): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const t = performance.now();
    const done = rt.chan<number>(1);
    const g = rt.go({ source: GUEST, filename: "soak.js" }, fn, perRound, done);
    if ((await done.recv()) !== perRound) throw new Error(`${fn}: round ${round} lost work`);
    await g.done;
    await new Promise((r) => setTimeout(r, 20)); // let exited goroutines be collected
    gc();
    const s = rt.stats();
    samples.push({
      round,
      rssMB: process.memoryUsage().rss / 2 ** 20,
      wasmMB: s.wasmMemoryBytes / 2 ** 20,
      goroutines: s.goroutines,
      ms: performance.now() - t,
    });
  }
  return samples;
}

function verdict(name: string, samples: Sample[]): boolean {
  console.log(`\n${name}`);
  console.log("round   RSS MB  wasm MB  goroutines  ms");
  for (const s of samples) {
    console.log(`${String(s.round).padStart(5)} ${s.rssMB.toFixed(1).padStart(8)} ${s.wasmMB.toFixed(1).padStart(8)} ${String(s.goroutines).padStart(11)}  ${s.ms.toFixed(0)}`);
  }
  const warm = samples.slice(0, WARMUP_ROUNDS);
  const after = samples.slice(WARMUP_ROUNDS);
  let ok = true;
  for (const key of ["rssMB", "wasmMB"] as const) {
    const base = Math.max(...warm.map((s) => s[key]));
    const peak = Math.max(...after.map((s) => s[key]));
    const growth = peak / base - 1;
    const pass = growth <= TOLERANCE;
    ok &&= pass;
    console.log(`${pass ? "ok  " : "FAIL"} ${key}: warm-up peak ${base.toFixed(1)}, later peak ${peak.toFixed(1)} (${(growth * 100).toFixed(1)}%, limit ${TOLERANCE * 100}%)`);
  }
  const leftover = samples[samples.length - 1]!.goroutines;
  if (leftover !== 0) {
    ok = false;
    console.log(`FAIL ${leftover} goroutines still alive after the last round`);
  }
  return ok;
}

const rt = await Runtime.create({ backend });
console.log(`quickgo soak: backend ${rt.backend}, Node ${process.version}, ${ROUNDS} rounds × ${MESSAGES_PER_ROUND} messages, ${ROUNDS} rounds × ${SPAWNS_PER_ROUND} spawns`);
const okMessages = verdict(`${ROUNDS * MESSAGES_PER_ROUND} channel messages`, await phase(rt, "messages", MESSAGES_PER_ROUND));
const okSpawns = verdict(`${ROUNDS * SPAWNS_PER_ROUND} spawn/exit cycles`, await phase(rt, "spawns", SPAWNS_PER_ROUND));
await rt.shutdown();
if (!okMessages || !okSpawns) {
  console.error("\nquickgo soak: FAILED: memory grew after warm-up (a leak?)");
  process.exit(1);
}
console.log("\nquickgo soak: ok");
