// The scheduler, after Go's proc.go, with one P and one M.
//
// The loop reads like libuv's: run goroutines from the run queue (runnext
// first), fire due timers between runs, and when nothing is runnable either
// wait in the Node event loop for a timer or host event, or report deadlock.
//
//   schedule: ┌─▶ timers due? fire them (they ready Gs)
//             │   g = runnext (inherits the time slice) ?? runq.shift()
//             │   engine.run(g) until it parks, yields or exits
//             └── every `yieldEveryMs`, return to the event loop (setImmediate)
//   idle:     main done → exit 0 · timers → arm Node timer · host waits → return
//             · else → fatal error: all goroutines are asleep - deadlock!
//
// Invariants: `current` is the only running G; a G is in at most one of
// runq/runnext; only ready() makes a G runnable, only park paths make it wait.
import type { Engine, GuestHost } from "./engine/engine.js";
import { GUEST_STACK_LIMIT, PARK } from "./engine/engine.js";
import type { JSValuePtr, QuickJSWasm } from "./engine/quickjs.js";
import { G, GStatus, type GoroutineId, type StartSpec, type Wire } from "./goroutine.js";
import { HostCalls } from "./hostcall.js";
import { goTraceback, type PanicInfo } from "./panic.js";
import { TimerHeap } from "./timer.js";

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
  program: ProgramImage;
  /** codec + prelude source, evaluated in every goroutine before the program */
  prelude: string;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** max time a chain of runnext hand-offs may keep the CPU before the run queue gets a turn */
  timesliceMs: number;
}

/** How a program ended. */
export interface ExitStatus {
  code: number;
  panic?: PanicInfo;
  deadlock?: boolean;
}

export const PRELUDE_FILE = "<quickgo>";
const HOST_FN_REF = 1;
/** Longest stretch the synchronous loop keeps the event loop waiting (I/O, signals, stdout). */
const YIELD_EVERY_MS = 10;

export class Scheduler implements GuestHost {
  engine!: Engine;
  current: G | null = null;
  /** FIFO run queue: runq[runqHead..] are runnable */
  private runq: G[] = [];
  private runqHead = 0;
  /** G readied by the running G: runs next, inheriting the time slice */
  private runnext: G | null = null;
  private sliceStart = 0;
  readonly allgs = new Map<number, G>();
  private nextGoid = 1;
  readonly timers = new TimerHeap();
  /** Host-side things that may still ready a G (I/O, host channels): while > 0 there is no deadlock. */
  hostWaiters = 0;
  readonly calls: HostCalls;
  readonly opts: SchedulerOptions;
  private out: string[] = [];
  private outFd = 1;
  private outLen = 0;
  private finished = false;
  private resolveExit!: (s: ExitStatus) => void;
  /** Settles when the program ends. */
  readonly done: Promise<ExitStatus>;
  private scheduled = false;
  readonly stats = { switches: 0, spawns: 0 };

  constructor(opts: SchedulerOptions) {
    this.opts = opts;
    this.calls = new HostCalls(this);
    this.done = new Promise((r) => (this.resolveExit = r));
  }

  // ---- goroutines ----

  /** newproc: a new G goes to runnext, like Go. */
  spawn(start: StartSpec, parent: G | null): G {
    const g = new G(this.nextGoid++, start, parent ? parent.id : 0);
    this.allgs.set(g.id, g);
    this.stats.spawns++;
    this.ready(g);
    return g;
  }

  /** goready: g becomes runnable and runs next; a G kicked out of runnext goes to the queue's tail. */
  ready(g: G): void {
    g.status = GStatus.Runnable;
    g.waitReason = "";
    if (this.runnext) this.runq.push(this.runnext);
    this.runnext = g;
    this.wakeup();
  }

  /** Puts g at the tail of the run queue (gosched, preemption). */
  readyLater(g: G): void {
    g.status = GStatus.Runnable;
    g.waitReason = "";
    this.runq.push(g);
    this.wakeup();
  }

  /** gopark: the running G stops until something readies it. Returns PARK for the engine. */
  park(g: G): number {
    g.status = GStatus.Waiting;
    return PARK;
  }

  private runqget(now: number): G | null {
    const next = this.runnext;
    if (next) {
      this.runnext = null;
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

  // ---- the loop ----

  start(): Promise<ExitStatus> {
    const main = this.spawn({ fn: "main", caps: undefined, args: undefined }, null);
    if (main.id !== 1) throw new Error("quickgo: main must be goroutine 1");
    this.wakeup();
    return this.done;
  }

  /** Makes sure the loop will run soon (from an event-loop callback, never re-entrantly). */
  private wakeup(): void {
    if (this.scheduled || this.current || this.finished) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.schedule();
    });
  }

  private schedule(): void {
    const began = performance.now();
    for (;;) {
      if (this.finished) return;
      const now = performance.now();
      this.timers.runDue(now);
      const g = this.runqget(now);
      if (!g) return this.idle();
      g.status = GStatus.Running;
      this.current = g;
      this.stats.switches++;
      const pending = this.engine.run(g);
      if (pending) {
        pending.then(() => this.afterRun(g) && this.schedule());
        return;
      }
      if (!this.afterRun(g)) return;
      if (now - began > YIELD_EVERY_MS) {
        this.flush();
        this.wakeup();
        return;
      }
    }
  }

  /** Bookkeeping after g stopped running; false when the program is over. */
  private afterRun(g: G): boolean {
    this.current = null;
    if (g.status === GStatus.Dead) this.allgs.delete(g.id);
    return !this.finished;
  }

  private idle(): void {
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
    g.rt = x.QTS_NewRuntime();
    x.QTS_RuntimeSetMaxStackSize(g.rt, GUEST_STACK_LIMIT);
    g.ctx = x.QTS_NewContext(g.rt, 0);
    const ctx = g.ctx;
    const hostFn = wasm.newFunction(ctx, "__qg", HOST_FN_REF);
    wasm.setGlobal(ctx, "__qg", hostFn);
    x.QTS_FreeValuePointer(ctx, hostFn);
    this.evalOrThrow(wasm, g, this.opts.prelude, PRELUDE_FILE);
    const prog = this.opts.program;
    this.evalOrThrow(wasm, g, prog.code, prog.file);
    const { fn, caps, args } = g.start;
    const argv = [
      typeof fn === "number" ? x.QTS_NewFloat64(ctx, 1) : x.QTS_NewFloat64(ctx, 0),
      typeof fn === "number" ? this.evalOrThrow(wasm, g, prog.closures[fn]!.factorySource, prog.file, true) : wasm.newString(ctx, fn),
      wasm.newString(ctx, caps ?? ""),
      wasm.newString(ctx, args ?? ""),
    ];
    g.entryFn = wasm.getGlobal(ctx, "__qg_entry");
    g.entryArgc = argv.length;
    g.entryArgv = x.malloc(4 * argv.length);
    const h32 = wasm.heap32();
    argv.forEach((p, i) => (h32[(g.entryArgv >> 2) + i] = p));
    g.inSetup = false;
  }

  /** Evaluates a script in g's context; a thrown exception becomes a SetupPanic. */
  private evalOrThrow(wasm: QuickJSWasm, g: G, code: string, file: string, keep = false): JSValuePtr {
    const r = wasm.evalScript(g.ctx, code, file);
    const exc = wasm.exceptionOf(g.ctx, r);
    if (exc) {
      const info = this.describe(wasm, g, exc);
      wasm.x.QTS_FreeValuePointer(g.ctx, exc);
      wasm.x.QTS_FreeValuePointer(g.ctx, r);
      throw new SetupPanic(info);
    }
    if (keep) return r;
    wasm.x.QTS_FreeValuePointer(g.ctx, r);
    return 0;
  }

  hostCall(g: G, argc: number, argv: number): number {
    return this.calls.dispatch(g, argc, argv);
  }

  resumed(g: G): number {
    return this.calls.resumed(g);
  }

  interrupt(_g: G): number {
    return 0;
  }

  exited(g: G, ret: JSValuePtr): void {
    const w = this.engine.wasm;
    const exc = w.exceptionOf(g.ctx, ret);
    let panic: PanicInfo | undefined;
    if (exc) {
      panic = this.describe(w, g, exc);
      w.x.QTS_FreeValuePointer(g.ctx, exc);
    }
    w.x.QTS_FreeValuePointer(g.ctx, ret);
    this.free(g);
    g.status = GStatus.Dead;
    if (panic) this.die(panic);
    else if (g.id === 1) this.finish({ code: 0 });
  }

  crashed(g: G, error: Error): void {
    g.status = GStatus.Dead;
    if (error instanceof SetupPanic) {
      this.free(g);
      return this.die(error.info);
    }
    // The G's wasm frames were abandoned half-way: its runtime cannot be freed safely, so it is leaked.
    const overflow = error instanceof RangeError || /call stack/i.test(error.message);
    this.die({
      goroutine: g.id,
      message: overflow ? "runtime error: goroutine stack exceeds limit" : `runtime error: ${error.message}`,
      trace: "",
    });
  }

  private free(g: G): void {
    const x = this.engine.wasm.x;
    if (g.entryArgv) {
      const h32 = this.engine.wasm.heap32();
      for (let i = 0; i < g.entryArgc; i++) x.QTS_FreeValuePointer(g.ctx, h32[(g.entryArgv >> 2) + i]!);
      x.free(g.entryArgv);
      g.entryArgv = 0;
    }
    if (g.entryFn) x.QTS_FreeValuePointer(g.ctx, g.entryFn);
    g.entryFn = 0;
    if (g.ctx) x.QTS_FreeContext(g.ctx);
    if (g.rt) x.QTS_FreeRuntime(g.rt);
    g.ctx = g.rt = 0;
    g.savedStack = g.savedUnwind = undefined;
  }

  /** Message and Go-style trace of a thrown guest value (calls the prelude's describe). */
  private describe(wasm: QuickJSWasm, g: G, exc: JSValuePtr): PanicInfo {
    const x = wasm.x;
    const fn = wasm.getGlobal(g.ctx, "__qg_describe");
    let message = "(unknown panic)";
    let stack = "";
    if (wasm.typeOf(g.ctx, fn) === "function") {
      const argv = x.malloc(4);
      wasm.heap32()[argv >> 2] = exc;
      const r = x.QTS_Call(g.ctx, fn, wasm.undefinedPtr, 1, argv);
      x.free(argv);
      const e2 = wasm.exceptionOf(g.ctx, r);
      if (!e2) {
        const d = JSON.parse(wasm.getString(g.ctx, r)) as { message: string; stack: string };
        message = d.message;
        stack = d.stack;
      } else x.QTS_FreeValuePointer(g.ctx, e2);
      x.QTS_FreeValuePointer(g.ctx, r);
    } else {
      message = wasm.getString(g.ctx, exc);
    }
    x.QTS_FreeValuePointer(g.ctx, fn);
    return { goroutine: g.id, message, trace: goTraceback(stack, PRELUDE_FILE) };
  }

  /** The JS stack of a parked G, captured by briefly resuming it (see HostCalls.resumed). */
  captureStack(g: G): string {
    const w = this.engine.wasm;
    const fn = w.getGlobal(g.ctx, "__qg_stack");
    const r = w.x.QTS_Call(g.ctx, fn, w.undefinedPtr, 0, 0);
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

  /** A goroutine panicked and nobody recovered: the whole program dies, as in Go. */
  private die(p: PanicInfo): void {
    if (this.finished) return;
    this.write(2, `panic: ${p.message}\n\ngoroutine ${p.goroutine} [running]:\n${p.trace}${p.trace ? "\n" : ""}`);
    this.finish({ code: 2, panic: p });
  }

  private async deadlock(): Promise<void> {
    const dumps: string[] = [];
    for (const g of [...this.allgs.values()].sort((a, b) => a.id - b.id)) {
      if (g.status !== GStatus.Waiting) continue;
      this.calls.dumpRequested = g;
      this.current = g;
      const p = this.engine.run(g);
      if (p) await p;
      this.current = null;
      dumps.push(`goroutine ${g.id} [${g.waitReason || "waiting"}]:\n${g.stackTrace}${g.stackTrace ? "\n" : ""}`);
    }
    this.calls.dumpRequested = null;
    this.write(2, `fatal error: all goroutines are asleep - deadlock!\n\n${dumps.join("\n")}`);
    this.finish({ code: 2, deadlock: true });
  }

  finish(status: ExitStatus): void {
    if (this.finished) return;
    this.finished = true;
    this.timers.disarm();
    this.flush();
    this.resolveExit(status);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  goroutineIds(): GoroutineId[] {
    return [...this.allgs.keys()] as GoroutineId[];
  }
}

/** The program's top-level code (or a closure factory) threw while a G was being set up. */
export class SetupPanic extends Error {
  constructor(readonly info: PanicInfo) {
    super(info.message);
  }
}

export type { Wire };
