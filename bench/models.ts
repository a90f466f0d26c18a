// The models the suite compares, each able to run every workload and check
// its own answer. Stackful: quickgo goroutines (asyncify, jspi). Stackless:
// Node async/await, Node generators (a trampoline; `yield*` per stack level),
// and async/await inside one QuickJS context (same interpreter as quickgo, no
// stack switching); Go as the native reference. Every workload returns
// nanoseconds per operation; `park` reports the memory of parked coroutines.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
import SYNC from "@jitl/quickjs-wasmfile-release-sync";
import { availableBackends, nodeFlagsFor, type Backend } from "../src/backend.js";
import { GenChan, GenScheduler, recv, send, type GenCo } from "./gen.js";
import { Runtime } from "../src/runtime.js";

export type WorkloadName = "pingpong" | "depth" | "spawn" | "ring" | "sieve" | "fib";

export interface Params {
  /** switches for ping-pong and depth */
  rounds: number;
  /** stack depth for the depth workload */
  depth: number;
  /** goroutines spawned */
  spawns: number;
  /** which prime the sieve stops at */
  primes: number;
  /** fib(n) */
  fib: number;
  /** coroutines in the ring */
  ring: number;
  /** hops the ring's token makes */
  hops: number;
}

/** Memory of the process before and after parking `n` coroutines, in bytes. */
export interface ParkedSample {
  n: number;
  rssBefore: number;
  rssAfter: number;
  /**
   * What the model's allocators hold: V8 heap used, plus quickgo's wasm linear
   * memory or QuickJS's malloc'd bytes; for Go, heap and stacks in use.
   */
  heapBefore: number;
  heapAfter: number;
}

export interface Model {
  name: string;
  run(w: WorkloadName, p: Params): Promise<number>;
  /**
   * Parks n coroutines, each blocked in a channel receive, and samples memory
   * before and after. Meant for a fresh process (bench/parked.ts), so that no
   * other model's heap is in the figures.
   */
  park(n: number): Promise<ParkedSample>;
  /** Node flags the process running this model starts with (asyncify's TurboFan stack). */
  nodeFlags?: string[];
}

/** Answers every model must produce. */
export const expected = {
  pingpong: (p: Params): number => p.rounds,
  nthPrime: (n: number): number => {
    const primes: number[] = [];
    for (let i = 2; primes.length < n; i++) if (primes.every((q) => i % q !== 0)) primes.push(i);
    return primes[n - 1]!;
  },
  fib: (n: number): number => (n < 2 ? n : expected.fib(n - 1) + expected.fib(n - 2)),
};

function check(model: string, w: string, got: number, want: number): void {
  if (got !== want) throw new Error(`${model} ${w}: computed ${got}, expected ${want}`);
}

/** Run with --expose-gc (bench/parked.ts is): collect first so the sample holds only live objects. */
function memoryNow(extra = 0): { rss: number; heap: number } {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed + extra };
}

/** Lets every promise continuation and I/O callback queued so far run. */
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

// ---- quickgo ----

/** Guest programs print "<ns per op> <answer>". */
const guest: Record<WorkloadName, (p: Params) => string> = {
  pingpong: (p) => `
    function pong(a, b, n) { for (let i = 0; i < n; i++) b.send(a.recv() + 1) }
    function main() {
      const a = chan(), b = chan(); go(pong, a, b, ${p.rounds}); gosched()
      const t0 = now(); let v = 0
      for (let i = 0; i < ${p.rounds}; i++) { a.send(v); v = b.recv() }
      println((now() - t0) * 1e6 / (2 * ${p.rounds}), v) }`,
  depth: (p) => `
    function pong(a, b, n) { for (let i = 0; i < n; i++) b.send(a.recv() + 1) }
    function at(d, a, b, n) { if (d > 0) return at(d - 1, a, b, n); let v = 0; for (let i = 0; i < n; i++) { a.send(v); v = b.recv() } return v }
    function main() {
      const a = chan(), b = chan(); go(pong, a, b, ${p.rounds}); gosched()
      const t0 = now(); const v = at(${p.depth}, a, b, ${p.rounds})
      println((now() - t0) * 1e6 / (2 * ${p.rounds}), v) }`,
  spawn: (p) => `
    function child(done, i) { done.send(i) }
    function main() {
      const done = chan(); const t0 = now()
      for (let i = 0; i < ${p.spawns}; i++) { go(child, done, i); done.recv() }
      println((now() - t0) * 1e6 / ${p.spawns}, ${p.spawns}) }`,
  // The clock starts once every member has started (a G's QuickJS context
  // is set up on its first run, ~ms each) and parked: a member that has
  // called wg.done() parks in recv before main runs again.
  ring: (p) => `
    function member(inbox, next, done, hops, wg) {
      wg.done()
      for (;;) { const v = inbox.recv(); if (v === hops) return done.send(v); next.send(v + 1) } }
    function main() {
      const ch = []; for (let i = 0; i < ${p.ring}; i++) ch.push(chan())
      const done = chan(), wg = new WaitGroup()
      wg.add(${p.ring})
      for (let i = 0; i < ${p.ring}; i++) go(member, ch[i], ch[(i + 1) % ${p.ring}], done, ${p.hops}, wg)
      wg.wait()
      const t0 = now(); ch[0].send(0); const v = done.recv()
      println((now() - t0) * 1e6 / ${p.hops}, v) }`,
  sieve: (p) => `
    function generate(ch) { for (let i = 2; ; i++) ch.send(i) }
    function filter(src, dst, prime) { for (;;) { const i = src.recv(); if (i % prime !== 0) dst.send(i) } }
    function main() {
      const t0 = now(); let ch = chan(); go(generate, ch); let prime = 0
      for (let i = 0; i < ${p.primes}; i++) { prime = ch.recv(); const next = chan(); go(filter, ch, next, prime); ch = next }
      println((now() - t0) * 1e6, prime) }`,
  fib: (p) => `
    function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) }
    function main() { const t0 = now(); const r = fib(${p.fib}); println((now() - t0) * 1e6, r) }`,
};

function answer(w: WorkloadName, p: Params): number {
  switch (w) {
    case "pingpong":
    case "depth":
      return p.rounds;
    case "spawn":
      return p.spawns;
    case "ring":
      return p.hops;
    case "sieve":
      return expected.nthPrime(p.primes);
    case "fib":
      return expected.fib(p.fib);
  }
}

function quickgo(backend: Backend): Model {
  const name = `quickgo ${backend}`;
  return {
    name,
    nodeFlags: nodeFlagsFor(backend),
    async run(w, p) {
      let out = "";
      const rt = await Runtime.create({ backend, stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
      const status = await rt.run(guest[w](p), { filename: `${w}.js` });
      const [ns, v] = out.trim().split(" ").map(Number);
      if (status.code !== 0) throw new Error(`${name} ${w}: exit ${status.code}: ${out.slice(0, 300)}`);
      check(name, w, v!, answer(w, p));
      return ns!;
    },
    async park(n) {
      // The guest prints a marker, then sleeps: the scheduler flushes output
      // when it idles, so the host samples while every goroutine is parked.
      // wg: a G's context is set up on its first run, so all must have run.
      const src = `
        function parked(ch, wg) { wg.done(); ch.recv() }
        function main() {
          println("before"); sleep(10)
          const ch = chan(), wg = new WaitGroup(); wg.add(${n})
          for (let i = 0; i < ${n}; i++) go(parked, ch, wg)
          wg.wait(); sleep(10); println("after", numGoroutine() - 1); sleep(10) }`;
      const samples: Record<string, { rss: number; heap: number; v: number }> = {};
      let out = "";
      const rt: Runtime = await Runtime.create({
        backend,
        stdout: (s) => {
          for (const line of s.trim().split("\n")) {
            const [mark, v] = line.split(" ");
            samples[mark!] = { ...memoryNow(rt.stats().wasmMemoryBytes), v: Number(v) };
          }
        },
        stderr: (s) => void (out += s),
      });
      const status = await rt.run(src, { filename: "parked.js" });
      const before = samples["before"], after = samples["after"];
      if (status.code !== 0 || !before || !after) throw new Error(`${name} park: exit ${status.code}: ${out.slice(0, 300)}`);
      check(name, "park", after.v, n);
      return { n, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap };
    },
  };
}

// ---- Node async/await ----

/** Unbuffered rendezvous channel on promises. */
export class AsyncChan<T> {
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
  /** receivers blocked now */
  get waiting(): number {
    return this.receivers.length;
  }
}

const nodeAsync: Model = {
  name: "Node async/await",
  async run(w, p) {
    const t0 = performance.now();
    const ns = (ops: number): number => ((performance.now() - t0) * 1e6) / ops;
    switch (w) {
      case "pingpong":
      case "depth": {
        const a = new AsyncChan<number>();
        const b = new AsyncChan<number>();
        const pong = async (): Promise<void> => {
          for (let i = 0; i < p.rounds; i++) await b.send((await a.recv()) + 1);
        };
        const at = async (d: number): Promise<number> => {
          if (d > 0) return at(d - 1);
          let v = 0;
          for (let i = 0; i < p.rounds; i++) {
            await a.send(v);
            v = await b.recv();
          }
          return v;
        };
        const done = pong();
        const start = performance.now();
        const v = await at(w === "depth" ? p.depth : 0);
        await done;
        check(this.name, w, v, p.rounds);
        return ((performance.now() - start) * 1e6) / (2 * p.rounds);
      }
      case "spawn": {
        const done = new AsyncChan<number>();
        const child = async (i: number): Promise<void> => done.send(i);
        let n = 0;
        for (let i = 0; i < p.spawns; i++) {
          void child(i);
          await done.recv();
          n++;
        }
        check(this.name, w, n, p.spawns);
        return ns(p.spawns);
      }
      case "ring": {
        const ch = Array.from({ length: p.ring }, () => new AsyncChan<number>());
        const done = new AsyncChan<number>();
        const member = async (inbox: AsyncChan<number>, next: AsyncChan<number>): Promise<void> => {
          for (;;) {
            const v = await inbox.recv();
            if (v === p.hops) return done.send(v);
            await next.send(v + 1);
          }
        };
        for (let i = 0; i < p.ring; i++) void member(ch[i]!, ch[(i + 1) % p.ring]!);
        await settle();
        const start = performance.now();
        void ch[0]!.send(0);
        const v = await done.recv();
        check(this.name, w, v, p.hops);
        return ((performance.now() - start) * 1e6) / p.hops;
      }
      case "sieve": {
        const generate = async (ch: AsyncChan<number>): Promise<void> => {
          for (let i = 2; ; i++) await ch.send(i);
        };
        const filter = async (src: AsyncChan<number>, dst: AsyncChan<number>, prime: number): Promise<void> => {
          for (;;) {
            const i = await src.recv();
            if (i % prime !== 0) await dst.send(i);
          }
        };
        let ch = new AsyncChan<number>();
        void generate(ch);
        let prime = 0;
        for (let i = 0; i < p.primes; i++) {
          prime = await ch.recv();
          const next = new AsyncChan<number>();
          void filter(ch, next, prime);
          ch = next;
        }
        check(this.name, w, prime, expected.nthPrime(p.primes));
        return ns(1);
      }
      case "fib": {
        const fib = (n: number): number => (n < 2 ? n : fib(n - 1) + fib(n - 2));
        check(this.name, w, fib(p.fib), expected.fib(p.fib));
        return ns(1);
      }
    }
  },
  async park(n) {
    const before = memoryNow();
    const ch = new AsyncChan<number>();
    const parked = async (): Promise<number> => ch.recv();
    for (let i = 0; i < n; i++) void parked();
    await settle();
    const after = memoryNow();
    check(this.name, "park", ch.waiting, n);
    return { n, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap };
  },
};

// ---- Node generators: a trampoline; each level of stack is a `yield*` ----

type Co = Generator<"recv" | ["send", number], number, number | undefined>;

const nodeGenerators: Model = {
  name: "Node generators",
  async run(w, p) {
    if (w === "ring") return genRing(p);
    if (w !== "pingpong" && w !== "depth") throw new Skip("spawn, sieve and fib are not written for generators");
    // Two coroutines over one unbuffered channel pair, run by a minimal scheduler.
    function* pong(): Co {
      for (let i = 0; i < p.rounds; i++) {
        const v = (yield "recv") as number;
        yield ["send", v + 1];
      }
      return 0;
    }
    function* at(d: number): Co {
      if (d > 0) return yield* at(d - 1);
      let v = 0;
      for (let i = 0; i < p.rounds; i++) {
        yield ["send", v];
        v = (yield "recv") as number;
      }
      return v;
    }
    const main = at(w === "depth" ? p.depth : 0);
    const other = pong();
    const t0 = performance.now();
    // main sends, pong receives; pong sends, main receives: strict alternation.
    let m = main.next();
    let o = other.next();
    let result = 0;
    for (;;) {
      if (m.done) {
        result = m.value;
        break;
      }
      const [, v] = m.value as ["send", number];
      o = other.next(v); // pong gets v, yields its send
      const [, back] = o.value as ["send", number];
      other.next(); // pong back to its recv
      m = main.next(); // main to its recv
      m = main.next(back); // main receives
    }
    check(this.name, w, result, p.rounds);
    return ((performance.now() - t0) * 1e6) / (2 * p.rounds);
  },
  async park(n) {
    const before = memoryNow();
    const ch = new GenChan<number>();
    const sched = new GenScheduler<number>();
    function* parked(): GenCo<number> {
      yield recv(ch);
    }
    for (let i = 0; i < n; i++) sched.go(parked());
    sched.run();
    const after = memoryNow();
    check(this.name, "park", ch.recvq.length, n);
    return { n, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap };
  },
};

/** The ring on the generator scheduler (bench/gen.ts): any coroutine may talk to any other. */
function genRing(p: Params): number {
  const ch = Array.from({ length: p.ring }, () => new GenChan<number>());
  const done = new GenChan<number>();
  let result = 0;
  function* member(inbox: GenChan<number>, next: GenChan<number>): GenCo<number> {
    for (;;) {
      const v = (yield recv(inbox)) as number;
      if (v === p.hops) {
        yield send(done, v);
        return;
      }
      yield send(next, v + 1);
    }
  }
  function* main(): GenCo<number> {
    yield send(ch[0]!, 0);
    result = (yield recv(done)) as number;
  }
  const sched = new GenScheduler<number>();
  for (let i = 0; i < p.ring; i++) sched.go(member(ch[i]!, ch[(i + 1) % p.ring]!));
  sched.run();
  const t0 = performance.now();
  sched.go(main());
  sched.run();
  check(nodeGenerators.name, "ring", result, p.hops);
  return ((performance.now() - t0) * 1e6) / p.hops;
}

// ---- async/await inside one QuickJS context ----

/** A QuickJS program: `setup` runs untimed, then `timed` until no job is pending; it leaves its answer in `result`. */
interface QjsProgram {
  setup: string;
  timed: string;
  /** operations the timed part performs */
  ops: number;
}

/** The promise-based rendezvous channel of AsyncChan, in QuickJS. */
const QJS_CHAN = `
  class Ch { constructor() { this.r = []; this.s = [] }
    send(v) { const r = this.r.shift(); if (r) { r(v); return Promise.resolve() } return new Promise((d) => this.s.push({ v, d })) }
    recv() { const s = this.s.shift(); if (s) { s.d(); return Promise.resolve(s.v) } return new Promise((r) => this.r.push(r)) } }`;

const qjsSources: Partial<Record<WorkloadName, (p: Params) => QjsProgram>> = {
  pingpong: (p) => qjsPingPong(p.rounds, 0),
  depth: (p) => qjsPingPong(p.rounds, p.depth),
  ring: (p) => ({
    setup: `${QJS_CHAN}
      const ch = []; for (let i = 0; i < ${p.ring}; i++) ch.push(new Ch())
      const done = new Ch()
      async function member(inbox, next) {
        for (;;) { const v = await inbox.recv(); if (v === ${p.hops}) return done.send(v); await next.send(v + 1) } }
      for (let i = 0; i < ${p.ring}; i++) member(ch[i], ch[(i + 1) % ${p.ring}])`,
    timed: `ch[0].send(0); done.recv().then((v) => { globalThis.result = v })`,
    ops: p.hops,
  }),
  fib: (p) => ({ setup: "", timed: `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } globalThis.result = fib(${p.fib})`, ops: 1 }),
};

function qjsPingPong(rounds: number, depth: number): QjsProgram {
  return {
    setup: "",
    timed: `${QJS_CHAN}
      const a = new Ch(), b = new Ch()
      async function pong() { for (let i = 0; i < ${rounds}; i++) await b.send((await a.recv()) + 1) }
      async function at(d) { if (d > 0) return at(d - 1); let v = 0; for (let i = 0; i < ${rounds}; i++) { await a.send(v); v = await b.recv() } return v }
      pong(); at(${depth}).then((v) => { globalThis.result = v })`,
    ops: 2 * rounds,
  };
}

type QjsModule = Awaited<ReturnType<typeof newQuickJSWASMModuleFromVariant>>;
type QjsContext = ReturnType<QjsModule["newContext"]>;

let qjsModule: QjsModule | undefined;

/** Evaluates code, then runs promise jobs until none is left. */
function qjsRun(vm: QjsContext, code: string): void {
  vm.unwrapResult(vm.evalCode(code)).dispose();
  while (vm.unwrapResult(vm.runtime.executePendingJobs(-1)) > 0);
}

function qjsNumber(vm: QjsContext, code: string): number {
  const handle = vm.unwrapResult(vm.evalCode(code));
  const n = vm.getNumber(handle);
  handle.dispose();
  return n;
}

/**
 * A context that stays usable: a V8 stack overflow inside wasm leaves the
 * context's runtime inconsistent, and freeing it would abort the module, so
 * after a throw it is abandoned instead of disposed.
 */
async function withQjs<T>(f: (vm: QjsContext, module: QjsModule) => T): Promise<T> {
  qjsModule ??= await newQuickJSWASMModuleFromVariant(SYNC as unknown as QuickJSSyncVariant);
  const vm = qjsModule.newContext();
  vm.runtime.setMaxStackSize(0);
  const result = f(vm, qjsModule);
  vm.dispose();
  return result;
}

const quickjsStackless: Model = {
  name: "QuickJS async/await",
  async run(w, p) {
    const src = qjsSources[w];
    if (!src) throw new Skip("spawn and sieve are measured on the stackful models and Node");
    const prog = src(p);
    return withQjs((vm) => {
      qjsRun(vm, prog.setup);
      const t0 = performance.now();
      qjsRun(vm, prog.timed);
      const ms = performance.now() - t0;
      check(this.name, w, qjsNumber(vm, "globalThis.result"), w === "fib" ? expected.fib(p.fib) : w === "ring" ? p.hops : p.rounds);
      return (ms * 1e6) / prog.ops;
    });
  },
  async park(n) {
    return withQjs((vm) => {
      // The module's linear memory is shared by every context and never
      // shrinks; this context's own runtime counts the bytes it has allocated.
      const allocated = (): number => {
        const usage = vm.runtime.computeMemoryUsage();
        const size = vm.getProp(usage, "memory_used_size");
        const bytes = vm.getNumber(size);
        size.dispose();
        usage.dispose();
        return bytes;
      };
      qjsRun(vm, QJS_CHAN);
      const before = memoryNow(allocated());
      qjsRun(vm, `const ch = new Ch(); async function parked() { return ch.recv() } for (let i = 0; i < ${n}; i++) parked()`);
      const after = memoryNow(allocated());
      check(this.name, "park", qjsNumber(vm, "ch.r.length"), n);
      return { n, rssBefore: before.rss, rssAfter: after.rss, heapBefore: before.heap, heapAfter: after.heap };
    });
  },
};

// ---- Go, GOMAXPROCS=1: the native reference, when `go` is on PATH ----

let goBinary: string | undefined;
const GO_BINARY_ENV = "QUICKGO_BENCH_GO";

/**
 * Builds bench/go into a temp folder once per run (never committed); undefined
 * without a Go toolchain. The path goes to child processes in GO_BINARY_ENV.
 */
export function buildGo(): string | undefined {
  if (goBinary !== undefined) return goBinary || undefined;
  goBinary = process.env[GO_BINARY_ENV] ?? "";
  if (goBinary) return goBinary;
  if (spawnSync("go", ["version"], { encoding: "utf8" }).status !== 0) return undefined;
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench/go");
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-bench-")), "bench");
  const r = spawnSync("go", ["build", "-o", out, "."], { cwd: src, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
  goBinary = out;
  process.env[GO_BINARY_ENV] = out;
  return out;
}

const goModel: Model = {
  name: "Go (GOMAXPROCS=1)",
  async run(w, p) {
    const bin = buildGo();
    if (!bin) throw new Skip("go is not on PATH");
    const [ns, v] = runGo(bin, [w, p.rounds, p.depth, p.spawns, p.primes, p.fib, p.ring, p.hops]);
    check(this.name, w, v!, answer(w, p));
    return ns!;
  },
  async park(n) {
    const bin = buildGo();
    if (!bin) throw new Skip("go is not on PATH");
    // The Go process samples its own memory: this process's is not the model's.
    const [rssBefore, rssAfter, heapBefore, heapAfter, parked] = runGo(bin, ["parked", n]);
    check(this.name, "park", parked!, n);
    return { n, rssBefore: rssBefore!, rssAfter: rssAfter!, heapBefore: heapBefore!, heapAfter: heapAfter! };
  },
};

function runGo(bin: string, args: (string | number)[]): number[] {
  const r = spawnSync(bin, args.map(String), { encoding: "utf8", env: { ...process.env, GOMAXPROCS: "1" } });
  if (r.status !== 0) throw new Error(`go ${args[0]} failed: ${r.stderr}`);
  return r.stdout.trim().split(" ").map(Number);
}

/** A model that does not implement a workload (reported as such, not as a failure). */
export class Skip extends Error {}

/**
 * The models in report order. The asyncify backend switches V8 to
 * Liftoff-only for the whole process when it first compiles (see
 * docs/ENGINE.md); the suite runs each model in its own process, and a caller
 * that runs several in one process should keep asyncify last.
 */
export function models(): Model[] {
  const backends = availableBackends();
  return [
    quickjsStackless,
    ...backends.filter((b) => b !== "asyncify").map(quickgo),
    nodeAsync,
    nodeGenerators,
    goModel,
    ...backends.filter((b) => b === "asyncify").map(quickgo),
  ];
}
