// The public entry point for hosts: a Runtime runs goroutine programs, and
// goroutines started from host code that talk to it over channels.
// Each run gets its own wasm instance and scheduler, so runs are independent;
// Runtime.go and Runtime.chan share one long-lived scheduler, the runtime's
// session (src/session.ts), created on first use and again after it ended.
// Runtimes share nothing, so several in one process are independent.
import fs from "node:fs";
import { createEngine, chooseBackend, type Backend } from "./backend.js";
import { DeadlockError, GoroutinePanic, GuestSyntaxError, ShutdownError } from "./errors.js";
import type { Channel } from "./hostchan.js";
import { loadProgram } from "./loader.js";
import { preludeSources } from "./prelude.js";
import { dumpQuietly, type Goroutine, Session } from "./session.js";
import { Scheduler, type ExitStatus as SchedExitStatus, type SchedStats, type SchedulerOptions } from "../runtime/scheduler.js";
import type { Engine } from "../runtime/engine/engine.js";

export { GuestSyntaxError };
export type { Backend };

/** How a program run by {@link Runtime.run} ended. */
export interface ExitStatus extends SchedExitStatus {
  /** The panic or deadlock that ended the program, as a typed error with the goroutine dump. */
  error?: GoroutinePanic | DeadlockError;
  /** Set when the run's `signal` aborted it. */
  aborted?: true;
}

/** Counters of a runtime: its session and the programs it runs now, summed. */
export interface RuntimeStats extends SchedStats {
  /** programs running now (`run` calls not yet resolved) */
  programs: number;
}

/** The events of a Runtime, by name: each listener gets the typed error. */
export interface RuntimeEvents {
  /** A goroutine panicked: a program's (which then exits with status 2) or the session's (which ends). */
  panic: GoroutinePanic;
  /** All goroutines are asleep: a program's, or the session's while the host awaits one of its operations. */
  deadlock: DeadlockError;
}

/** Program text for {@link Runtime.go}, with the file name used in errors and stack traces. */
export interface GuestSource {
  source: string;
  /** default "guest.js" */
  filename?: string;
}

/** Options of {@link Runtime.create}. */
export interface RuntimeOptions {
  /** Stack-switching backend; default: jspi when available, else asyncify (env QUICKGO_BACKEND overrides "auto"). */
  backend?: Backend | "auto";
  /** How long a chain of goroutine hand-offs may hold the CPU before queued goroutines run (ms). Default 10. */
  timeslice?: number;
  /** Where guest stdout goes. Default: process.stdout. */
  stdout?: (chunk: string) => void;
  /** Where guest stderr (and panic/deadlock reports) go. Default: process.stderr. */
  stderr?: (chunk: string) => void;
  /** Preempt goroutines that run past their time slice (default true). false disables QuickJS's interrupt poll. */
  preempt?: boolean;
  /**
   * Spread goroutines over several wasm instances: start a new one once the
   * newest one's memory passes this many bytes. Default 1 GiB (an instance
   * can grow to 2 GiB; a goroutine needs ~120 KiB).
   */
  shardBytes?: number;
  /** Print a scheduler trace line to stderr every this many ms. Default: from QUICKGO_DEBUG=schedtrace=<ms>. */
  schedtrace?: number;
  /** One-time build messages (the wasm rewrite on first use). Default: stderr. */
  log?: (line: string) => void;
  /**
   * Most goroutines alive at once per program (and in the session); `go` past
   * it throws in the guest (a panic unless caught). Default: 1 000 000 (a
   * fork bomb then fails in the guest instead of exhausting host memory
   * first; a goroutine that has run holds ~130 KiB of wasm heap).
   */
  maxGoroutines?: number;
  /**
   * Heap limit of each goroutine in bytes (all it allocates in its own
   * QuickJS runtime, counted with real block sizes): an allocation past it
   * throws InternalError("out of memory") in that goroutine, a catchable
   * error; uncaught, it is the panic `runtime: out of memory`. Default
   * 64 MiB ({@link DEFAULT_MEMORY_LIMIT}); 0 means no limit other than the
   * wasm instance's 2 GiB, which all its goroutines share.
   */
  memoryLimit?: number;
}

/** Options of {@link Runtime.run}. */
export interface RunOptions {
  /** Program arguments, visible to the guest as `args`. */
  args?: string[];
  /** File name used in errors and stack traces when running source text. */
  filename?: string;
  /**
   * Ends the program when aborted (e.g. `AbortSignal.timeout(ms)`): a dump of
   * every goroutine goes to stderr and the run resolves with status 2 and
   * `aborted: true`. Preemption must be on for a spinning program to notice.
   */
  signal?: AbortSignal;
}

type Listeners = { [K in keyof RuntimeEvents]: Set<(error: RuntimeEvents[K]) => void> };

/**
 * Runs goroutine programs (`run`, `runFile`) and goroutines started from
 * host code (`go`), which talk to the host over channels (`chan`).
 *
 * ```ts
 * const rt = await Runtime.create();
 * const results = rt.chan<number>(10);
 * rt.go(`function square(n, out) { out.send(n * n) }`, "square", 7, results);
 * console.log(await results.recv()); // 49
 * await rt.shutdown();
 * ```
 */
export class Runtime {
  /** The backend this runtime uses. */
  readonly backend: Backend;
  private readonly opts: Required<Omit<RuntimeOptions, "backend">>;
  /** Programs currently running on this runtime. */
  private readonly running = new Set<Scheduler>();
  /** The scheduler of go/chan, while it lives (see the header). */
  private session: Session | null = null;
  private closed = false;
  private readonly listeners: Listeners = { panic: new Set(), deadlock: new Set() };

  private constructor(backend: Backend, opts: RuntimeOptions) {
    this.backend = backend;
    this.opts = {
      timeslice: opts.timeslice ?? 10,
      preempt: opts.preempt ?? true,
      shardBytes: opts.shardBytes ?? 2 ** 30,
      schedtrace: opts.schedtrace ?? schedtraceFromEnv(),
      stdout: opts.stdout ?? ((s) => void process.stdout.write(s)),
      stderr: opts.stderr ?? ((s) => void process.stderr.write(s)),
      log: opts.log ?? ((s) => void process.stderr.write(`${s}\n`)),
      maxGoroutines: opts.maxGoroutines ?? DEFAULT_MAX_GOROUTINES,
      memoryLimit: opts.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    };
    if (!(this.opts.maxGoroutines >= 1)) throw new RangeError("quickgo: maxGoroutines must be at least 1");
    if (!(this.opts.memoryLimit >= 0 && this.opts.memoryLimit < 2 ** 32)) {
      throw new RangeError("quickgo: memoryLimit must be a number of bytes below 4 GiB (0: no limit)");
    }
  }

  /** Creates a runtime. Throws if the requested backend is not available on this Node. */
  static async create(options: RuntimeOptions = {}): Promise<Runtime> {
    return new Runtime(chooseBackend(options.backend), options);
  }

  /** Runs a program file's `main` as goroutine 1; resolves when the program ends. */
  async runFile(file: string, options: RunOptions = {}): Promise<ExitStatus> {
    return this.run(fs.readFileSync(file, "utf8"), { ...options, filename: options.filename ?? file });
  }

  /**
   * Runs program source text. Resolves with the exit status: 0 when main returns,
   * 2 on an unrecovered panic or a deadlock (the report goes to stderr, and
   * `error` carries it as a GoroutinePanic or DeadlockError, also emitted as
   * the "panic"/"deadlock" event). Throws GuestSyntaxError for a program that
   * does not load, ShutdownError after `shutdown()`.
   *
   * ```ts
   * const status = await rt.run(`function main() { println(args[0]) }`, { args: ["hi"] });
   * ```
   */
  async run(source: string, options: RunOptions = {}): Promise<ExitStatus> {
    if (this.closed) throw new ShutdownError();
    const file = options.filename ?? "main.js";
    const program = loadProgram(source, file);
    if (!program.topLevel.includes("main")) {
      throw new GuestSyntaxError(file, 1, 1, "function main is undeclared in the main program");
    }
    options.signal?.throwIfAborted();
    const sched: Scheduler = new Scheduler({
      ...this.schedulerOptions(() => sched),
      program: { file, code: program.code, closures: program.closures, args: options.args ?? [] },
    });
    let aborted = false;
    const onAbort = (): void => {
      aborted = true;
      const why = options.signal?.reason instanceof Error ? options.signal.reason.message : String(options.signal?.reason);
      void sched.terminate(`quickgo: run aborted: ${why}`, 2);
    };
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.running.add(sched);
    let status: ExitStatus;
    try {
      status = await sched.start();
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.running.delete(sched);
    }
    if (aborted) {
      sched.releaseParked();
      return { ...status, aborted: true };
    }
    if (status.panic) {
      const p = status.panic;
      const err = new GoroutinePanic(p.goroutine, p.message, p.trace, await dumpQuietly(sched));
      sched.releaseParked(); // after the dump, which reads parked goroutines' stacks
      this.emit("panic", err);
      return { ...status, error: err };
    }
    sched.releaseParked();
    if (status.deadlock) {
      const err = new DeadlockError(status.dump ?? "");
      this.emit("deadlock", err);
      return { ...status, error: err };
    }
    return status;
  }

  /**
   * Starts `fn(...args)` of a guest program as a goroutine of this runtime's
   * session (created on first use), next to the host's own async code. The
   * program is loaded once per source text; its top-level code runs in every
   * goroutine's context, so it should only declare. Arguments are copied like
   * channel values; a {@link Channel} from {@link Runtime.chan} arrives as a
   * guest channel. Throws GuestSyntaxError if the program does not load or
   * has no top-level `fn`, a TypeError for an argument that cannot be copied,
   * a RangeError past `maxGoroutines`.
   *
   * An unrecovered panic in any session goroutine ends the session (as it
   * would end a Go program): pending channel operations and observed `done`
   * promises reject with the GoroutinePanic, and the "panic" event fires.
   * The next `go`/`chan` starts a new session.
   *
   * ```ts
   * const g = rt.go(`function hello(name) { println("hello, " + name) }`, "hello", "host");
   * await g.done;
   * ```
   */
  go(program: string | GuestSource, fn: string, ...args: unknown[]): Goroutine {
    const src: GuestSource = typeof program === "string" ? { source: program } : program;
    return this.currentSession().go(src.source, src.filename ?? "guest.js", fn, args);
  }

  /**
   * Makes a channel of this runtime's session with buffer capacity `cap`
   * (default 0: unbuffered), usable from host code (`await ch.send(v)`,
   * `await ch.recv()`, `for await (const v of ch)`, `ch.close()`) and from
   * goroutines it is passed to.
   *
   * ```ts
   * const jobs = rt.chan<number>(100);
   * ```
   */
  chan<T = unknown>(cap = 0): Channel<T> {
    return this.currentSession().chan<T>(cap);
  }

  /**
   * Kills goroutine `id` of the program(s) running on this runtime and of its
   * session (ids are per program: each program's main is 1): it stops at its
   * next resume or interrupt poll (uncatchable), and its memory is freed.
   * Returns false if no such goroutine is alive. `Goroutine.kill()` kills
   * exactly one goroutine of the session.
   */
  kill(id: number): boolean {
    let found = false;
    for (const s of this.running) found = s.kill(id) || found;
    if (this.session && !this.session.error) found = this.session.sched.kill(id) || found;
    return found;
  }

  /** Counters now: goroutines alive, spawns, switches, preemptions, wasm instances and memory, summed over the session and running programs. */
  stats(): RuntimeStats {
    const total: RuntimeStats = { spawns: 0, switches: 0, preemptions: 0, instances: 0, wasmMemoryBytes: 0, goroutines: 0, heapBytes: 0, sockets: 0, programs: this.running.size };
    const scheds = [...this.running];
    if (this.session && !this.session.error) scheds.push(this.session.sched);
    for (const s of scheds) {
      const x = s.statsNow();
      total.spawns += x.spawns;
      total.switches += x.switches;
      total.preemptions += x.preemptions;
      total.instances += x.instances;
      total.wasmMemoryBytes += x.wasmMemoryBytes;
      total.goroutines += x.goroutines;
      total.heapBytes += x.heapBytes;
      total.sockets += x.sockets;
    }
    return total;
  }

  /**
   * Stops everything: the session ends (its pending operations and observed
   * `done` promises reject with ShutdownError), running programs end as by
   * `terminate("quickgo: runtime shut down", 2)`, and later calls throw
   * ShutdownError. Resolves when all of it has stopped.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.session?.end(new ShutdownError());
    this.session = null;
    await this.terminate("quickgo: runtime shut down", 2);
  }

  /** Listens for an event: "panic" (GoroutinePanic) or "deadlock" (DeadlockError). */
  on<K extends keyof RuntimeEvents>(event: K, listener: (error: RuntimeEvents[K]) => void): this {
    (this.listeners[event] as Set<(error: RuntimeEvents[K]) => void>).add(listener);
    return this;
  }

  /** Removes a listener added with {@link Runtime.on}. */
  off<K extends keyof RuntimeEvents>(event: K, listener: (error: RuntimeEvents[K]) => void): this {
    (this.listeners[event] as Set<(error: RuntimeEvents[K]) => void>).delete(listener);
    return this;
  }

  /** Calls the listeners of event; returns whether there were any. */
  private emit<K extends keyof RuntimeEvents>(event: K, error: RuntimeEvents[K]): boolean {
    const ls = [...(this.listeners[event] as Set<(error: RuntimeEvents[K]) => void>)];
    for (const l of ls) l(error);
    return ls.length > 0;
  }

  private currentSession(): Session {
    if (this.closed) throw new ShutdownError();
    if (!this.session || this.session.error) {
      const session: Session = new Session(this.schedulerOptions(() => session.sched), {
        panic: (e) => this.emit("panic", e),
        deadlock: (e) => this.emit("deadlock", e),
        stderr: (s) => this.opts.stderr(s),
      });
      this.session = session;
      session.start();
    }
    return this.session;
  }

  /** What every scheduler of this runtime shares; `self` names the scheduler the engine calls back. */
  private schedulerOptions(self: () => Scheduler): Omit<SchedulerOptions, "program" | "onGoexit"> {
    return {
      prelude: preludeSources().main,
      preludeModules: preludeSources().modules,
      stdout: this.opts.stdout,
      stderr: this.opts.stderr,
      timesliceMs: this.opts.timeslice,
      preempt: this.opts.preempt,
      schedtraceMs: this.opts.schedtrace,
      newEngine: (): Promise<Engine> => createEngine(this.backend, self(), this.opts.log),
      shardBytes: this.opts.shardBytes,
      maxGoroutines: this.opts.maxGoroutines,
      nativeStacks: this.backend === "jspi",
      memoryLimit: this.opts.memoryLimit,
    };
  }

  /**
   * Ends every running program of this runtime, as a Go program ends on
   * SIGQUIT: `banner`, then a dump of every goroutine, to stderr; the run
   * resolves with exit status `code`.
   */
  async terminate(banner: string, code: number): Promise<void> {
    await Promise.all([...this.running].map((s) => s.terminate(banner, code)));
  }
}

/** Default of RuntimeOptions.maxGoroutines (issue #9). */
export const DEFAULT_MAX_GOROUTINES = 1_000_000;
/** Default {@link RuntimeOptions.memoryLimit}: 64 MiB per goroutine. */
export const DEFAULT_MEMORY_LIMIT = 64 << 20;

/** QUICKGO_DEBUG is a comma-separated list of name=value settings, like GODEBUG. */
function schedtraceFromEnv(): number {
  for (const kv of (process.env.QUICKGO_DEBUG ?? "").split(",")) {
    const [k, v] = kv.split("=");
    if (k?.trim() === "schedtrace") return Number(v) > 0 ? Number(v) : 0;
  }
  return 0;
}
