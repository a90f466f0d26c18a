// The scheduler, after Go's proc.go, with one P and one M.
//
// The loop reads like libuv's: run goroutines from the run queue (runnext
// first), fire due timers between runs, and when nothing is runnable either
// wait in the Node event loop for a timer or host event, or report deadlock.
//
//   runLoop: ┌─▶ timers due? fire them (they ready Gs)
//            │   g = runnext (inherits the time slice) ?? runq head
//            │   engine.run(g) until it parks, yields, is preempted or exits
//            └── after YIELD_EVERY_MS, return to the event loop (setImmediate)
//   idle:    timers → arm one Node timer · host waits (e.g. a wasm instance
//            being created) → return · else → fatal error: all goroutines
//            are asleep - deadlock! (main returning ends the program anywhere)
//
// Preemption comes from QuickJS's interrupt poll (interrupt()); Gs are spread
// over wasm instances by engineFor(). Invariants: `current` is the only
// running G; a G is in at most one of runq/runnext; only ready()/readyLater()
// make a G runnable, only park paths make it wait (and set g.unpark).
// A scheduler runs a program (main is G 1; main returning ends it) or, with no
// `program`, a session: Gs are started by the host (spawn), each with its own
// program image, and it ends only by finish() (its owner keeps hostWaiters > 0).
import type { Engine, GuestHost } from "./engine/engine.js";
import { PARK } from "./engine/engine.js";
import { nativeStackBudget, nativeStacks } from "./engine/native-stacks.js";
import { type JSValuePtr, type QuickJSWasm, WasmOutOfMemory } from "./engine/quickjs.js";
import { G, GStatus, statusName, type StartSpec } from "./goroutine.js";
import { HostCalls } from "./hostcall.js";
import { GoPanic, goTraceback, type PanicInfo } from "./panic.js";
import { TimerHeap } from "./timer.js";
import { Poller } from "../netpoll/poller.js";
import { NetOps } from "../netpoll/netops.js";
import { HOST_FN_REF } from "./ops.js";
// A module binding, not the global: globalThis.performance is an accessor, so
// each `performance.now()` through the global was a slow global load.
import { performance } from "node:perf_hooks";

/** What the scheduler runs: the loaded program (see src/loader.ts). */
export interface ProgramImage {
  file: string;
  /** transformed program text (a classic script) */
  code: string;
  /** per closure id: a script that evaluates to the closure's factory */
  closures: { factorySource: string }[];
  /** program arguments (the guest's `args`) */
  args: string[];
}

export interface SchedulerOptions {
  /** the program whose main runs as G 1; unset for a session (see the header) */
  program?: ProgramImage;
  /** prelude source, evaluated in every goroutine before the program */
  prelude: string;
  /** prelude modules a goroutine loads on first need (Op.LoadPrelude), by name */
  preludeModules: Record<string, string>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** time slice: a goroutine running longer is preempted (and a chain of runnext hand-offs yields the CPU) */
  timesliceMs: number;
  /** false: never preempt (QuickJS's interrupt handler stays disabled) */
  preempt: boolean;
  /** makes one more wasm instance (sharding) */
  newEngine: () => Promise<Engine>;
  /** start a new wasm instance for new goroutines once the current one's memory passes this */
  shardBytes: number;
  /** print a scheduler trace line to stderr every this many ms (Go's GODEBUG=schedtrace); 0 = off */
  schedtraceMs?: number;
  /** spawning more live goroutines than this panics in the spawner; default unlimited */
  maxGoroutines?: number;
  /** jspi: count this scheduler's goroutines against the process's native-stack budget (engine/native-stacks.ts) */
  nativeStacks?: boolean;
  /** heap limit of each goroutine's JS runtime in bytes (QuickJS throws "out of memory" past it); 0 = none */
  memoryLimit?: number;
  /** called once for every G that dies (returned, panicked, crashed or killed) */
  onGoexit?: (g: G, panic: PanicInfo | undefined) => void;
}

/** Counters of a run. */
export interface SchedStats {
  /** goroutines started, main included */
  spawns: number;
  /** times a goroutine was put on the CPU */
  switches: number;
  /** times a goroutine was suspended because its time slice was over */
  preemptions: number;
  /** wasm instances the goroutines were spread over */
  instances: number;
  /** wasm linear memory of all instances at the end, in bytes (it never shrinks) */
  wasmMemoryBytes: number;
  /** live goroutines (at the end: those still alive when the program ended) */
  goroutines: number;
  /** bytes the live goroutines' QuickJS runtimes hold (shared parts and uncollected garbage included; each goroutine bounded by memoryLimit), like Go's HeapAlloc */
  heapBytes: number;
  /** open sockets and listeners (each has one pollDesc); 0 once the program has ended */
  sockets: number;
}

/** How a program ended. */
export interface ExitStatus {
  /** 0: main returned; 2: panic or deadlock */
  code: number;
  /** set when a goroutine panicked */
  panic?: PanicInfo;
  /** set when all goroutines were asleep */
  deadlock?: boolean;
  /** with deadlock: the goroutine dump that was printed */
  dump?: string;
  stats: SchedStats;
}

export const PRELUDE_FILE = "<quickgo>";
/** Read the clock on one interrupt poll in this many (a poll comes every ~10k interpreter ticks). */
const PREEMPT_CHECK_EVERY = 4;
/** Longest stretch the synchronous loop keeps the event loop waiting (I/O, signals, stdout). */
const YIELD_EVERY_MS = 10;
/**
 * The same while connections arrive: Node accepts one per event-loop turn,
 * so with 10 ms turns a busy server took ~100 connections a second (1000
 * clients connecting at once to a loaded echo server: 7 s until all were
 * served, 1.5 s with 1 ms turns).
 */
const YIELD_ACCEPTING_MS = 1;
/**
 * Guest code the host runs synchronously and cannot preempt (a program's
 * top-level code while a G is set up; describing a panic value; reading a
 * stack) is interrupted, uncatchably, after this long: a getter that spins
 * must not hold the host's event loop for good.
 */
export const GUARDED_BUDGET_MS = 1000;
const UNKNOWN_PANIC = "(unknown panic)";

export class Scheduler implements GuestHost {
  /** Every wasm instance of this program; new Gs go to the last one. */
  readonly engines: Engine[] = [];
  /** the next instance, being created because the last one passed shardBytes */
  private nextEngine: Promise<void> | null = null;
  current: G | null = null;
  /** FIFO run queue: runq[runqHead..] are runnable */
  private runq: G[] = [];
  private runqHead = 0;
  /** G readied by the running G: runs next, inheriting the time slice */
  private runnext: G | null = null;
  /** runnext was readied from outside any G (timer, host event): it starts a new slice */
  private runnextFresh = false;
  private sliceStart = 0;
  /** interrupt polls seen (the clock is read on every PREEMPT_CHECK_EVERY-th) */
  private polls = 0;
  /**
   * > 0 while the host runs guest code on its own account, inside a host call
   * or a switch (describe, stack capture, a prelude module's load, the net
   * fast path's helpers): no preemption, a time budget, and no operation that
   * blocks (HostCalls.dispatch), since that code cannot be suspended. Only
   * callback() changes it.
   */
  inCallback = 0;
  /** While guest code runs unpreemptibly (setup, inCallback): when it is interrupted (GUARDED_BUDGET_MS) */
  private guardDeadline = Infinity;
  /** the guarded code ran past guardDeadline and was interrupted */
  private guardTripped = false;
  readonly allgs = new Map<number, G>();
  /** G 1 of a program; null in a session */
  private main: G | null = null;
  private nextGoid = 1;
  readonly timers = new TimerHeap();
  /** Host-side things that may still ready a G (I/O, host channels): while > 0 there is no deadlock. */
  hostWaiters = 0;
  readonly calls: HostCalls;
  /**
   * Sockets and listeners of this program, and the Gs parked on them.
   * Private so that the package's public .d.ts files do not reach netpoll's
   * Node types (a TypeScript host need not have @types/node).
   */
  private readonly poller: Poller;
  readonly opts: SchedulerOptions;
  private out: string[] = [];
  private outFd = 1;
  private outLen = 0;
  private finished = false;
  /** Set by releaseParked(): parked Gs' engine resources are gone, their stacks can no longer be read. */
  private released = false;
  /** a fatal error stopped the program: nothing more runs while its report is made */
  private halted = false;
  /** main ended by runtime.goexit(): the program runs on until the other goroutines are done */
  private mainGoexited = false;
  private resolveExit!: (s: ExitStatus) => void;
  /** Settles when the program ends. */
  readonly done: Promise<ExitStatus>;
  private scheduled = false;
  /** idle accounting for schedtrace: when the loop last went idle (0 = running), total idle ms */
  private idleSince = 0;
  private idleMs = 0;
  private traceTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = performance.now();
  readonly stats = { switches: 0, spawns: 0, preemptions: 0 };


  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.poller = new Poller(this);
    this.calls = new HostCalls(this, new NetOps(this.poller, (run) => this.callback(run)));
    this.done = new Promise((r) => (this.resolveExit = r));
  }

  // ---- goroutines ----

  /** newproc: a new G goes to runnext, like Go. Throws GoPanic past maxGoroutines. */
  spawn(start: StartSpec, program: ProgramImage): G {
    if (this.allgs.size >= (this.opts.maxGoroutines ?? Infinity)) {
      throw new GoPanic(`go: too many goroutines (the limit is ${this.opts.maxGoroutines})`);
    }
    if (this.opts.nativeStacks) {
      const budget = nativeStackBudget();
      if (nativeStacks.live >= budget) {
        throw new GoPanic(
          `go: too many goroutines (the limit is ${budget} in this process: under jspi each holds a native stack, ` +
            `and vm.max_map_count allows about that many; raise it, or run with --backend asyncify)`,
        );
      }
      nativeStacks.live++;
    }
    const g = new G(this.nextGoid++, start, program);
    this.allgs.set(g.id, g);
    this.stats.spawns++;
    this.ready(g);
    return g;
  }

  /**
   * goready: g becomes runnable and runs next; a G kicked out of runnext goes
   * to the queue's tail. Readied by the running G, it inherits that G's time
   * slice (so a ping-pong pair cannot starve the queue); readied by a timer or
   * host event, it gets a fresh one.
   */
  ready(g: G): void {
    g.status = GStatus.Runnable;
    g.waitReason = "";
    g.unpark = null;
    if (this.runnext) this.runq.push(this.runnext);
    this.runnext = g;
    this.runnextFresh = this.current === null;
    this.wakeup();
  }

  /** Puts g at the tail of the run queue (gosched, preemption). */
  readyLater(g: G): void {
    g.status = GStatus.Runnable;
    g.waitReason = "";
    g.unpark = null;
    this.runq.push(g);
    this.wakeup();
  }

  /** gopark: the running G stops until something readies it. Returns PARK for the engine. */
  park(g: G): number {
    g.status = GStatus.Waiting;
    return PARK;
  }

  /** The next G to run, skipping Gs killed before they ever ran. */
  private runqget(now: number): G | null {
    for (;;) {
      const g = this.runqgetAny(now);
      if (!g || g.status !== GStatus.Dead) return g;
    }
  }

  private runqgetAny(now: number): G | null {
    const next = this.runnext;
    if (next) {
      this.runnext = null;
      if (this.runnextFresh) {
        this.sliceStart = now;
        return next;
      }
      if (now - this.sliceStart < this.opts.timesliceMs) return next; // inherit the slice
      this.runq.push(next);
    }
    if (this.runqHead === this.runq.length) return null;
    const g = this.runq[this.runqHead]!;
    this.runq[this.runqHead++] = undefined as unknown as G;
    if (this.runqHead > 1024 && this.runqHead * 2 > this.runq.length) {
      this.runq = this.runq.slice(this.runqHead);
      this.runqHead = 0;
    }
    this.sliceStart = now;
    return g;
  }

  private get runqEmpty(): boolean {
    return this.runnext === null && this.runqHead === this.runq.length;
  }

  /** Nothing runs, nothing is runnable, no timer and no host event other than `allowedHostWaiters` can ready a G. */
  asleep(allowedHostWaiters: number): boolean {
    return this.current === null && this.runqEmpty && !this.timers.pending && this.hostWaiters <= allowedHostWaiters;
  }

  /**
   * The instance g runs in. A new G goes to the newest instance; once that
   * one's memory passes shardBytes, the next instance is created in the
   * background (instantiation is asynchronous) and takes the Gs started after
   * it is ready. Gs never move: their stacks and heaps are inside one instance.
   */
  private engineFor(g: G): Engine {
    if (g.engine) return g.engine;
    const e = this.engines[this.engines.length - 1]!;
    g.engine = e;
    if (!this.nextEngine && e.wasm.memoryBytes() > this.opts.shardBytes) {
      this.nextEngine = this.opts.newEngine().then(
        (next) => {
          this.engines.push(next);
          this.nextEngine = null;
        },
        (err: Error) => this.write(2, `quickgo: cannot create another wasm instance: ${err.message}\n`),
      );
      this.hostWaiters++;
      void this.nextEngine.finally(() => this.hostWaiters--);
    }
    return e;
  }

  // ---- the loop ----

  /**
   * Creates the first wasm instance, then runs: a program's main, or a
   * session's Gs (spawned before or after). Resolves when it ends.
   */
  async start(): Promise<ExitStatus> {
    this.engines.push(await this.opts.newEngine());
    if (this.opts.schedtraceMs && this.opts.schedtraceMs > 0) {
      this.traceTimer = setInterval(() => this.schedtrace(), this.opts.schedtraceMs);
      this.traceTimer.unref();
    }
    if (this.opts.program) {
      this.main = this.spawn({ fn: "main", caps: undefined, args: undefined }, this.opts.program);
      if (this.main.id !== 1) throw new Error("quickgo: main must be goroutine 1");
    }
    this.wakeup();
    return await this.done;
  }

  /** Makes sure the loop will run soon (from an event-loop callback, never re-entrantly); start() wakes it the first time. */
  private wakeup(): void {
    if (this.scheduled || this.current || this.finished || this.halted || this.engines.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.schedule();
    });
  }

  private schedule(): void {
    const began = performance.now();
    if (this.idleSince) {
      this.idleMs += began - this.idleSince;
      this.idleSince = 0;
    }
    this.sliceMs = this.poller.connectionArrived ? YIELD_ACCEPTING_MS : YIELD_EVERY_MS;
    this.poller.connectionArrived = false;
    this.runLoop(began);
  }

  /** How long this turn of runLoop may keep the event loop waiting (set by schedule()). */
  private sliceMs = YIELD_EVERY_MS;

  /**
   * Runs goroutines until none is runnable or `began` is YIELD_EVERY_MS ago;
   * then returns to the event loop so timers, I/O and signals get their turn.
   * With jspi each run ends in a promise and the loop continues from it.
   */
  private runLoop(began: number): void {
    for (;;) {
      if (this.finished || this.halted) return;
      const now = performance.now();
      if (now - began > this.sliceMs) {
        this.flush();
        this.wakeup();
        return;
      }
      this.timers.runDue(now);
      const g = this.runqget(now);
      if (!g) return this.idle();
      g.status = GStatus.Running;
      this.current = g;
      this.stats.switches++;
      if (!this.engineFor(g).run(g, this.afterAsyncRun)) {
        this.loopBegan = began; // the loop goes on in afterAsyncRun
        return;
      }
      if (!this.afterRun(g)) return;
    }
  }

  /** When the slice of runLoop that an asynchronous engine run (jspi) interrupted began. */
  private loopBegan = 0;
  /** An asynchronous engine run stopped (the G in `current`): the loop goes on. Made once, not per run. */
  private readonly afterAsyncRun = (): void => {
    if (this.afterRun(this.current!)) this.runLoop(this.loopBegan);
  };

  /** g is dead: it leaves allgs (and the native-stack count). */
  private forget(g: G): void {
    if (this.allgs.delete(g.id) && this.opts.nativeStacks) nativeStacks.live--;
  }

  /** Bookkeeping after g stopped running; false when the program is over. */
  private afterRun(g: G): boolean {
    this.current = null;
    if (g.status === GStatus.Dead) this.forget(g);
    return !this.finished;
  }

  private idle(): void {
    this.idleSince = performance.now();
    this.flush();
    if (this.finished) return;
    if (!this.runqEmpty) return this.wakeup();
    if (this.timers.pending) {
      this.timers.arm(() => {
        this.timers.runDue(performance.now());
        this.wakeup();
      });
      return;
    }
    if (this.hostWaiters > 0) return;
    void this.deadlock();
  }

  // ---- GuestHost: the engine's callbacks ----

  setup(g: G, wasm: QuickJSWasm): void {
    const x = wasm.x;
    g.inSetup = true;
    this.startGuard();
    if (!wasm.runtimes.attach(g, { memoryLimit: this.opts.memoryLimit ?? 0, preempt: !!this.opts.preempt })) {
      throw new SetupPanic({ goroutine: g.id, message: "runtime: out of memory (cannot create the goroutine's JS runtime)", trace: "" });
    }
    g.ctx = wasm.newGoroutineContext(g.rt);
    if (!g.ctx) throw new SetupPanic({ goroutine: g.id, message: "runtime: out of memory (cannot create the goroutine's JS context)", trace: "" });
    const ctx = g.ctx;
    const hostFn = wasm.newFunction(ctx, "__qg", HOST_FN_REF);
    wasm.setGlobal(ctx, "__qg", hostFn);
    x.QTS_FreeValuePointer(ctx, hostFn);
    this.evalOrThrow(wasm, g, this.opts.prelude, PRELUDE_FILE);
    const prog = g.program;
    this.evalOrThrow(wasm, g, prog.code, prog.file);
    const { fn, caps, args } = g.start;
    const argv = [
      typeof fn === "number" ? x.QTS_NewFloat64(ctx, 1) : x.QTS_NewFloat64(ctx, 0),
      typeof fn === "number" ? this.evalOrThrow(wasm, g, prog.closures[fn]!.factorySource, prog.file, true) : wasm.newString(ctx, fn),
      wasm.newString(ctx, caps ?? ""),
      wasm.newString(ctx, args ?? ""),
      wasm.newString(ctx, g.start.wrap ?? ""),
    ];
    // The prelude's entry decodes the arguments and names the goroutine's
    // first call (Op.Start): g's run calls its function with no frame of the
    // prelude's under it. Decoding is the goroutine's own work, not top-level
    // code: no time budget (it cannot be preempted here either). With asyncify
    // it runs on the uninstrumented twin, as all of setup does: a server's
    // handler loads the net module here (when it decoded its arguments at the
    // start of its run: callgrind, Node 20, the echo server under connection
    // churn, 7.04M instructions per connection; loaded in setup, 5.89M).
    const entry = wasm.getGlobal(ctx, "__qg_entry");
    this.guardDeadline = Infinity;
    const r = wasm.call(ctx, entry, argv);
    for (const v of [entry, ...argv]) x.QTS_FreeValuePointer(ctx, v);
    const exc = wasm.exceptionOf(ctx, r);
    if (exc) {
      const info = this.describe(wasm, g, exc) ?? { goroutine: g.id, message: "runtime.Goexit in a goroutine's start", trace: "" };
      x.QTS_FreeValuePointer(ctx, exc);
      x.QTS_FreeValuePointer(ctx, r);
      throw new SetupPanic(info);
    }
    x.QTS_FreeValuePointer(ctx, r);
    if (g.entryFn === 0) throw new SetupPanic({ goroutine: g.id, message: "quickgo internal error: the prelude did not start the goroutine", trace: "" });
    g.inSetup = false;
  }

  /**
   * Op.LoadPrelude: evaluates a prelude module in the running G's context and
   * returns its completion value, the module's factory. The prelude takes the
   * factory from there, not from the global the script also assigns, which
   * guest code could have turned into an accessor to steal the prelude's
   * internals (the hidden host function among them).
   */
  loadPreludeModule(g: G, name: string): JSValuePtr {
    const src = this.opts.preludeModules[name];
    if (src === undefined) throw new Error(`no prelude module ${name}`);
    // Runs inside the caller's host call; a setter of the program's may run too (globalThis.__qg_module).
    try {
      return this.callback(() => this.evalOrThrow(g.engine!.wasm, g, src, PRELUDE_FILE, true));
    } catch (e) {
      if (e instanceof SetupPanic) throw new GoPanic(e.info.message); // thrown at the caller, as its own error
      throw e;
    }
  }

  /** Runs guest code on the host's own account (see inCallback). */
  callback<T>(run: () => T): T {
    if (this.inCallback++ === 0) this.startGuard();
    try {
      return run();
    } finally {
      this.inCallback--;
    }
  }

  /** Evaluates a script in g's context; a thrown exception becomes a SetupPanic. */
  private evalOrThrow(wasm: QuickJSWasm, g: G, code: string, file: string, keep = false): JSValuePtr {
    const r = wasm.evalScript(g.ctx, code, file, file === PRELUDE_FILE);
    const exc = wasm.exceptionOf(g.ctx, r);
    if (exc) {
      const timedOut = g.inSetup && this.guardTripped;
      const info = this.describe(wasm, g, exc) ?? { goroutine: g.id, message: "runtime.Goexit in top-level code", trace: "" };
      if (timedOut) {
        info.message =
          `top-level code ran longer than ${GUARDED_BUDGET_MS} ms: it runs in every goroutine's context ` +
          "before the goroutine starts, so it should only declare";
      }
      wasm.x.QTS_FreeValuePointer(g.ctx, exc);
      wasm.x.QTS_FreeValuePointer(g.ctx, r);
      throw new SetupPanic(info);
    }
    if (keep) return r;
    wasm.x.QTS_FreeValuePointer(g.ctx, r);
    return 0;
  }

  hostCall(g: G, argc: number, argv: number, thisPtr: number, hostRef: number): number {
    return this.calls.dispatch(g, argc, argv, thisPtr, hostRef);
  }

  resumed(g: G): number {
    return this.calls.resumed(g);
  }

  /**
   * QuickJS polls this every ~10 000 interpreter ticks (function entries,
   * branches, regexp steps). A G past its time slice, or running while a
   * timer is due, is preempted: parked at the back of the run queue and
   * resumed later exactly where it stopped. The clock is read only every
   * PREEMPT_CHECK_EVERY polls.
   */
  interrupt(g: G): number {
    if (g.killed && !g.inSetup && this.inCallback === 0) return 1;
    if (g.inSetup || this.inCallback > 0) return this.guardExpired() ? 1 : 0;
    if (++this.polls % PREEMPT_CHECK_EVERY !== 0) return 0;
    const now = performance.now();
    if (now - this.sliceStart < this.opts.timesliceMs && now < this.timers.next()) return 0;
    this.stats.preemptions++;
    g.preempted = true;
    this.readyLater(g);
    return PARK;
  }

  exited(g: G, ret: JSValuePtr): void {
    const w = g.engine!.wasm;
    const exc = w.exceptionOf(g.ctx, ret);
    let panic: PanicInfo | undefined;
    if (exc) {
      const d = this.describe(w, g, exc);
      if (d) panic = d;
      else this.goexit(g); // runtime.goexit(): its finally blocks ran on the way out
      w.x.QTS_FreeValuePointer(g.ctx, exc);
    }
    w.x.QTS_FreeValuePointer(g.ctx, ret);
    this.free(g);
    g.status = GStatus.Dead;
    this.opts.onGoexit?.(g, g.killed ? undefined : panic);
    if (g.killed) {
      if (g === this.main) this.die({ goroutine: 1, message: "goroutine 1 (main) was killed", trace: "" });
    } else if (panic) this.die(panic);
    else if (g === this.main && !this.mainGoexited) this.finish({ code: 0 });
  }

  /**
   * runtime.goexit() ended g (its finally blocks ran). Like Go, when main
   * does this the program goes on; once no goroutine is left it is a
   * deadlock ("no goroutines (main called runtime.Goexit)").
   */
  goexit(g: G): void {
    if (g === this.main) this.mainGoexited = true;
  }

  /**
   * Go's fatal errors (the runtime's throw, e.g. "sync: unlock of unlocked
   * mutex") cannot be recovered: g parks for good, no other goroutine runs,
   * and once the loop is off the CPU g's stack is read and the program ends
   * with `fatal error: <message>` and exit status 2.
   */
  fatal(g: G, message: string): number {
    this.halted = true;
    g.unpark = () => {};
    setImmediate(() => void this.reportFatal(g, message));
    return this.park(g);
  }

  private async reportFatal(g: G, message: string): Promise<void> {
    while (this.current) await new Promise((r) => setImmediate(r)); // a jspi run still unwinding
    const trace = await this.stackOf(g);
    this.write(2, `fatal error: ${message}\n\ngoroutine ${g.id} [running]:\n${trace}${trace ? "\n" : ""}`);
    this.finish({ code: 2, panic: { goroutine: g.id, message, trace } });
  }

  crashed(g: G, error: Error): void {
    const reported = g.status === GStatus.Dead; // exited() failed after reporting g's end
    g.status = GStatus.Dead;
    let panic: PanicInfo;
    if (error instanceof SetupPanic) {
      this.free(g);
      panic = error.info;
    } else {
      // The G's wasm frames were abandoned half-way: its runtime cannot be freed safely, so it is leaked.
      panic = { goroutine: g.id, message: crashMessage(error), trace: "" };
    }
    if (!reported) this.opts.onGoexit?.(g, panic);
    this.die(panic);
  }

  private free(g: G): void {
    const x = g.engine!.wasm.x;
    if (g.entryArgv) {
      const h32 = g.engine!.wasm.heap32();
      for (let i = 0; i < g.entryArgc; i++) {
        const v = h32[(g.entryArgv >> 2) + i]!;
        if (v !== 0) x.QTS_FreeValuePointer(g.ctx, v); // 0: Op.Start found no memory for it
      }
      x.free(g.entryArgv);
      g.entryArgv = 0;
    }
    if (g.entryFn) x.QTS_FreeValuePointer(g.ctx, g.entryFn);
    g.entryFn = 0;
    if (g.netSlow) x.QTS_FreeValuePointer(g.ctx, g.netSlow);
    g.netSlow = 0;
    if (g.ctx) g.engine!.wasm.freeContext(g.ctx);
    g.engine!.wasm.runtimes.detach(g);
    g.ctx = 0;
    g.savedStack = undefined;
  }

  /**
   * Message and Go-style trace of a thrown guest value (calls the prelude's
   * describe); null for the prelude's GOEXIT, which runtime.goexit() throws:
   * not a panic.
   */
  private describe(wasm: QuickJSWasm, g: G, exc: JSValuePtr): PanicInfo | null {
    return this.callback(() => {
      const info = this.describeUnguarded(wasm, g, exc);
      if (info && this.guardTripped) info.message = `(the panic value could not be printed: printing it ran longer than ${GUARDED_BUDGET_MS} ms)`;
      return info;
    });
  }

  /** Starts the budget of guest code the host runs unpreemptibly (see GUARDED_BUDGET_MS). */
  private startGuard(): void {
    this.guardDeadline = performance.now() + GUARDED_BUDGET_MS;
    this.guardTripped = false;
  }

  /** Polled from interrupt() while guarded code runs: true once it is past its budget (it stays true). */
  private guardExpired(): boolean {
    if (!this.guardTripped && ++this.polls % PREEMPT_CHECK_EVERY === 0 && performance.now() > this.guardDeadline) this.guardTripped = true;
    return this.guardTripped;
  }

  private describeUnguarded(wasm: QuickJSWasm, g: G, exc: JSValuePtr): PanicInfo | null {
    // A G that died of its memory limit may have no room left to describe
    // itself; it is ending, so the limit is lifted.
    const heap = wasm.runtimes.usage(g);
    if (heap.limit > 0) wasm.runtimes.liftLimit(g);
    const info = this.describeValue(wasm, g, exc);
    if (!info) return null;
    // With no room even for its "out of memory" error, QuickJS throws null,
    // or nothing at all when that happens while it builds one: say what happened.
    if (heap.limitHit && (info.message === "null" || info.message === UNKNOWN_PANIC)) return { ...info, message: "runtime: out of memory" };
    return info;
  }

  private describeValue(wasm: QuickJSWasm, g: G, exc: JSValuePtr): PanicInfo | null {
    const x = wasm.x;
    const fn = wasm.getGlobal(g.ctx, "__qg_describe");
    let message = UNKNOWN_PANIC;
    let stack = "";
    let goexit = false;
    if (wasm.typeOf(g.ctx, fn) === "function") {
      const argv = x.malloc(4);
      wasm.heap32()[argv >> 2] = exc;
      const r = x.QTS_Call(g.ctx, fn, wasm.undefinedPtr, 1, argv);
      x.free(argv);
      const e2 = wasm.exceptionOf(g.ctx, r);
      const s = e2 ? undefined : wasm.getString(g.ctx, r);
      goexit = s === ""; // the prelude's describe of GOEXIT
      const d = s ? parseDescription(s) : undefined;
      if (d) {
        message = d.message;
        stack = d.stack;
      }
      if (e2) x.QTS_FreeValuePointer(g.ctx, e2);
      x.QTS_FreeValuePointer(g.ctx, r);
    } else {
      message = wasm.getString(g.ctx, exc);
    }
    x.QTS_FreeValuePointer(g.ctx, fn);
    return goexit ? null : { goroutine: g.id, message, trace: goTraceback(stack, PRELUDE_FILE) };
  }

  /** The JS stack of a parked G, captured while HostCalls.resumed runs for it (the asyncify G is rewound; the jspi one stays suspended). */
  captureStack(g: G): string {
    const w = g.engine!.wasm;
    const fn = w.getGlobal(g.ctx, "__qg_stack");
    const r = this.callback(() => w.x.QTS_Call(g.ctx, fn, w.undefinedPtr, 0, 0));
    const s = w.exceptionOf(g.ctx, r) ? "" : w.getString(g.ctx, r);
    w.x.QTS_FreeValuePointer(g.ctx, r);
    w.x.QTS_FreeValuePointer(g.ctx, fn);
    return goTraceback(s, PRELUDE_FILE);
  }

  // ---- output and the end of the program ----

  write(fd: 1 | 2, s: string): void {
    if (fd !== this.outFd) {
      this.flush();
      this.outFd = fd;
    }
    this.out.push(s);
    this.outLen += s.length;
    if (this.outLen > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.out.length === 0) return;
    const s = this.out.join("");
    this.out = [];
    this.outLen = 0;
    (this.outFd === 1 ? this.opts.stdout : this.opts.stderr)(s);
  }

  /**
   * A goroutine panicked and nobody recovered: the whole program dies, as in
   * Go, with the report on stderr. A session's owner reports it instead.
   */
  private die(p: PanicInfo): void {
    if (this.finished) return;
    if (this.opts.program) this.write(2, panicReport(p));
    this.finish({ code: 2, panic: p });
  }

  private async deadlock(): Promise<void> {
    if (this.allgs.size === 0) {
      this.write(2, "fatal error: no goroutines (main called runtime.Goexit) - deadlock!\n");
      return this.finish({ code: 2, deadlock: true });
    }
    const dump = await this.dumpGoroutines();
    this.write(2, `fatal error: all goroutines are asleep - deadlock!\n\n${dump}`);
    this.finish({ code: 2, deadlock: true, dump });
  }

  /**
   * Go's goroutine dump: `goroutine N [state]:` and the JS stack of each G.
   * A parked or preempted G is resumed just long enough to read its stack
   * (HostCalls.resumed parks it again at once); a G that never ran has none.
   * Call only between runs (no G on the CPU).
   */
  async dumpGoroutines(): Promise<string> {
    const dumps: string[] = [];
    for (const g of [...this.allgs.values()].sort((a, b) => a.id - b.id)) {
      let state: string = g.waitReason || statusName[g.status];
      g.stackTrace = await this.stackOf(g);
      if (g.status === GStatus.Idle) state = "runnable";
      dumps.push(`goroutine ${g.id} [${state}]:\n${g.stackTrace}${g.stackTrace ? "\n" : ""}`);
    }
    return dumps.join("\n");
  }

  /** The JS stack of a parked or preempted G, read by resuming it just long enough (see HostCalls.resumed); "" if it never ran. */
  private async stackOf(g: G): Promise<string> {
    if (g.savedSP === 0 || g.ctx === 0 || this.released) return "";
    this.calls.dumpRequested = g;
    const status = g.status;
    this.current = g;
    await new Promise<void>((resolve) => {
      if (g.engine!.run(g, resolve)) resolve();
    });
    this.current = null;
    g.status = status;
    this.calls.dumpRequested = null;
    return g.stackTrace;
  }

  /**
   * Kills goroutine `id`: a waiting G is taken off what it waits on and made
   * runnable; when it runs, its pending call fails and QuickJS's uncatchable
   * interrupt ends it at the next poll; then its runtime is freed like any
   * exited G's. A G that never ran is dropped. Killing main ends the program
   * (exit 2). Returns false if there is no such live goroutine.
   */
  kill(id: number): boolean {
    const g = this.allgs.get(id);
    if (!g || g.status === GStatus.Dead || this.finished) return false;
    if (g.killed) return true;
    g.killed = true;
    if (g.status === GStatus.Waiting) {
      g.unpark?.(g);
      this.readyLater(g);
    } else if (g.status === GStatus.Idle || (g.status === GStatus.Runnable && g.savedSP === 0)) {
      g.status = GStatus.Dead; // runqget skips it
      this.forget(g);
      this.opts.onGoexit?.(g, undefined);
      if (g === this.main) this.die({ goroutine: 1, message: "goroutine 1 (main) was killed", trace: "" });
    }
    return true;
  }

  /** A signal from outside (CLI Ctrl-C, SIGQUIT): dump every goroutine, end the program with `code`. */
  async terminate(banner: string, code: number): Promise<void> {
    if (this.finished) return;
    const dump = await this.dumpGoroutines();
    this.write(2, `${banner}\n\n${dump}`);
    this.finish({ code });
  }

  /** One line per period, like Go's schedtrace: counts of goroutines by state and scheduler counters. */
  private schedtrace(): void {
    let runnable = 0;
    let waiting = 0;
    for (const g of this.allgs.values()) {
      if (g.status === GStatus.Runnable) runnable++;
      else if (g.status === GStatus.Waiting) waiting++;
    }
    const now = performance.now();
    const idle = this.idleMs + (this.idleSince ? now - this.idleSince : 0);
    this.write(
      2,
      `SCHED ${Math.round(now - this.startedAt)}ms: goroutines=${this.allgs.size} runnable=${runnable} ` +
        `waiting=${waiting} switches=${this.stats.switches} preemptions=${this.stats.preemptions} idle=${Math.round(idle)}ms\n`,
    );
    this.flush();
  }

  finish(status: Omit<ExitStatus, "stats">): void {
    if (this.finished) return;
    this.finished = true;
    if (this.traceTimer) clearInterval(this.traceTimer);
    this.timers.disarm();
    this.poller.shutdown();
    this.flush();
    this.resolveExit({ ...status, stats: this.statsNow() });
  }

  /**
   * Once the program is over and its owner has taken the goroutine dump it
   * wanted (which resumes parked Gs to read their stacks): parked Gs will
   * never run again. Their wasm memory goes with the instance, but an engine
   * may hold more (jspi: a suspended native stack each, kept by V8 with all
   * it references until released). Idempotent; no-op before finish().
   */
  releaseParked(): void {
    if (!this.finished || this.released) return;
    this.released = true;
    for (const g of this.allgs.values()) if (g !== this.current && g.engine) g.engine.release(g);
    // Their stacks are gone (or were never made): they no longer count against the process's budget.
    if (this.opts.nativeStacks) nativeStacks.live -= this.allgs.size;
  }

  /** The counters so far, and the goroutines and wasm memory now. */
  statsNow(): SchedStats {
    return {
      ...this.stats,
      instances: this.engines.length,
      wasmMemoryBytes: this.engines.reduce((n, e) => n + e.wasm.memoryBytes(), 0),
      goroutines: this.allgs.size,
      heapBytes: this.heapBytes(),
      sockets: this.poller.open,
    };
  }

  private heapBytes(): number {
    return this.engines.reduce((n, e) => n + e.wasm.runtimes.heapBytes(), 0);
  }

}

/** Go's report of an unrecovered panic: message, then the panicking goroutine's stack. */
export function panicReport(p: PanicInfo): string {
  return `panic: ${p.message}\n\ngoroutine ${p.goroutine} [running]:\n${p.trace}${p.trace ? "\n" : ""}`;
}

/**
 * The panic message of a G that died inside the engine. V8's own stack
 * overflow (QuickJS's check normally trips first, see GUEST_STACK_LIMIT) reads
 * like the guest-side one; a trap names itself; anything else is a quickgo bug
 * and says so.
 */
function crashMessage(error: Error): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return "runtime error: goroutine stack exceeds limit";
  if (error instanceof WebAssembly.RuntimeError) return `runtime error: wasm trap: ${error.message}`;
  if (error instanceof WasmOutOfMemory) return error.message;
  return `runtime error: quickgo internal error: ${error.name}: ${error.message}`;
}

/**
 * The result of the prelude's describe(): JSON of { message, stack }. The
 * guest ran it and may have tampered with anything it uses, so the shape is
 * checked; undefined if it is not that.
 */
function parseDescription(s: string): { message: string; stack: string } | undefined {
  let d: unknown;
  try {
    d = JSON.parse(s);
  } catch {
    return undefined;
  }
  if (typeof d !== "object" || d === null) return undefined;
  const { message, stack } = d as Record<string, unknown>;
  return typeof message === "string" && typeof stack === "string" ? { message, stack } : undefined;
}

/** The program's top-level code (or a closure factory) threw while a G was being set up. */
export class SetupPanic extends Error {
  constructor(readonly info: PanicInfo) {
    super(info.message);
  }
}

