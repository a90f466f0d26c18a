// The models the suite compares, each able to run every workload and check
// its own answer. Stackful: quickgo goroutines (asyncify, jspi). Stackless:
// Node async/await, Node generators (a trampoline; `yield*` per stack level),
// and async/await inside one QuickJS context (same interpreter as quickgo, no
// stack switching). Every workload returns nanoseconds per operation.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { newQuickJSWASMModuleFromVariant, type QuickJSSyncVariant } from "quickjs-emscripten-core";
import SYNC from "@jitl/quickjs-wasmfile-release-sync";
import { availableBackends, type Backend } from "../src/backend.js";
import { Runtime } from "../src/runtime.js";

export type WorkloadName = "pingpong" | "depth" | "spawn" | "sieve" | "fib";

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
}

export interface Model {
  name: string;
  run(w: WorkloadName, p: Params): Promise<number>;
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
    async run(w, p) {
      let out = "";
      const rt = await Runtime.create({ backend, stdout: (s) => void (out += s), stderr: (s) => void (out += s) });
      const status = await rt.run(guest[w](p), { filename: `${w}.js` });
      const [ns, v] = out.trim().split(" ").map(Number);
      if (status.code !== 0) throw new Error(`${name} ${w}: exit ${status.code}: ${out.slice(0, 300)}`);
      check(name, w, v!, answer(w, p));
      return ns!;
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
};

// ---- Node generators: a trampoline; each level of stack is a `yield*` ----

type Co = Generator<"recv" | ["send", number], number, number | undefined>;

const nodeGenerators: Model = {
  name: "Node generators",
  async run(w, p) {
    if (w !== "pingpong" && w !== "depth") throw new Skip("only the switch workloads are written for generators");
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
};

// ---- async/await inside one QuickJS context ----

const qjsSources: Partial<Record<WorkloadName, (p: Params) => string>> = {
  pingpong: (p) => qjsPingPong(p.rounds, 0),
  depth: (p) => qjsPingPong(p.rounds, p.depth),
  fib: (p) => `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2) } globalThis.result = fib(${p.fib})`,
};

function qjsPingPong(rounds: number, depth: number): string {
  return `
    class Ch { constructor() { this.r = []; this.s = [] }
      send(v) { const r = this.r.shift(); if (r) { r(v); return Promise.resolve() } return new Promise((d) => this.s.push({ v, d })) }
      recv() { const s = this.s.shift(); if (s) { s.d(); return Promise.resolve(s.v) } return new Promise((r) => this.r.push(r)) } }
    const a = new Ch(), b = new Ch()
    async function pong() { for (let i = 0; i < ${rounds}; i++) await b.send((await a.recv()) + 1) }
    async function at(d) { if (d > 0) return at(d - 1); let v = 0; for (let i = 0; i < ${rounds}; i++) { await a.send(v); v = await b.recv() } return v }
    pong(); at(${depth}).then((v) => { globalThis.result = v })`;
}

let qjsModule: Awaited<ReturnType<typeof newQuickJSWASMModuleFromVariant>> | undefined;

const quickjsStackless: Model = {
  name: "QuickJS async/await",
  async run(w, p) {
    const src = qjsSources[w];
    if (!src) throw new Skip("spawn and sieve are measured on the stackful models and Node");
    qjsModule ??= await newQuickJSWASMModuleFromVariant(SYNC as unknown as QuickJSSyncVariant);
    const vm = qjsModule.newContext();
    vm.runtime.setMaxStackSize(0);
    let broken = false;
    try {
      const t0 = performance.now();
      vm.unwrapResult(vm.evalCode(src(p))).dispose();
      for (;;) {
        const r = vm.runtime.executePendingJobs(-1);
        const n = vm.unwrapResult(r);
        if (n === 0) break;
      }
      const ms = performance.now() - t0;
      const handle = vm.getProp(vm.global, "result");
      const got = vm.getNumber(handle);
      handle.dispose();
      check(this.name, w, got, w === "fib" ? expected.fib(p.fib) : p.rounds);
      return w === "fib" ? ms * 1e6 : (ms * 1e6) / (2 * p.rounds);
    } catch (e) {
      // A V8 stack overflow inside wasm leaves the context's runtime inconsistent:
      // freeing it would abort the module, so it is abandoned.
      broken = true;
      throw e;
    } finally {
      if (!broken) vm.dispose();
    }
  },
};

// ---- Go, GOMAXPROCS=1: the native reference, when `go` is on PATH ----

let goBinary: string | undefined;

/** Builds bench/go into a temp folder once per run (never committed); undefined without a Go toolchain. */
function buildGo(): string | undefined {
  if (goBinary !== undefined) return goBinary || undefined;
  goBinary = "";
  if (spawnSync("go", ["version"], { encoding: "utf8" }).status !== 0) return undefined;
  const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bench/go");
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-bench-")), "bench");
  const r = spawnSync("go", ["build", "-o", out, "."], { cwd: src, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
  goBinary = out;
  return out;
}

const goModel: Model = {
  name: "Go (GOMAXPROCS=1)",
  async run(w, p) {
    const bin = buildGo();
    if (!bin) throw new Skip("go is not on PATH");
    const r = spawnSync(bin, [w, String(p.rounds), String(p.depth), String(p.spawns), String(p.primes), String(p.fib)], {
      encoding: "utf8",
      env: { ...process.env, GOMAXPROCS: "1" },
    });
    if (r.status !== 0) throw new Error(`go ${w} failed: ${r.stderr}`);
    const [ns, v] = r.stdout.trim().split(" ").map(Number);
    check(this.name, w, v!, answer(w, p));
    return ns!;
  },
};

/** A model that does not implement a workload (reported as such, not as a failure). */
export class Skip extends Error {}

/**
 * The asyncify backend switches V8 to Liftoff-only for the whole process when
 * it first compiles (see docs/ENGINE.md), so every other wasm model runs first
 * and is measured with V8's default tiers.
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
