// The public entry point for hosts: a Runtime runs goroutine programs.
// Each run gets its own wasm instance and scheduler, so runs are independent.
import fs from "node:fs";
import { createEngine, chooseBackend, type Backend } from "./backend.js";
import { loadProgram, GuestSyntaxError } from "./loader.js";
import { preludeSources } from "./prelude.js";
import { Scheduler, type ExitStatus } from "../runtime/scheduler.js";
import type { Engine } from "../runtime/engine/engine.js";

export { GuestSyntaxError };
export type { ExitStatus, Backend };

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
}

/** Options of {@link Runtime.run}. */
export interface RunOptions {
  /** Program arguments, visible to the guest as `args`. */
  args?: string[];
  /** File name used in errors and stack traces when running source text. */
  filename?: string;
}

export class Runtime {
  /** The backend this runtime uses. */
  readonly backend: Backend;
  private readonly opts: Required<Omit<RuntimeOptions, "backend">>;
  /** Programs currently running on this runtime. */
  private readonly running = new Set<Scheduler>();

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
    };
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
   * 2 on an unrecovered panic or a deadlock (the report goes to stderr).
   * Throws GuestSyntaxError for a program that does not load.
   */
  async run(source: string, options: RunOptions = {}): Promise<ExitStatus> {
    const file = options.filename ?? "main.js";
    const program = loadProgram(source, file);
    if (!program.topLevel.includes("main")) {
      throw new GuestSyntaxError(file, 1, 1, "function main is undeclared in the main program");
    }
    const sched: Scheduler = new Scheduler({
      program: { file, code: program.code, closures: program.closures, args: options.args ?? [] },
      prelude: preludeSources().main,
      preludeModules: preludeSources().modules,
      stdout: this.opts.stdout,
      stderr: this.opts.stderr,
      timesliceMs: this.opts.timeslice,
      preempt: this.opts.preempt,
      schedtraceMs: this.opts.schedtrace,
      newEngine: (): Promise<Engine> => createEngine(this.backend, sched, this.opts.log),
      shardBytes: this.opts.shardBytes,
    });
    this.running.add(sched);
    try {
      return await sched.start();
    } finally {
      this.running.delete(sched);
    }
  }

  /**
   * Kills goroutine `id` of the program(s) running on this runtime: it stops
   * at its next resume or interrupt poll (uncatchable), and its memory is
   * freed. Returns false if no such goroutine is alive.
   */
  kill(id: number): boolean {
    let found = false;
    for (const s of this.running) found = s.kill(id) || found;
    return found;
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

/** QUICKGO_DEBUG is a comma-separated list of name=value settings, like GODEBUG. */
function schedtraceFromEnv(): number {
  for (const kv of (process.env.QUICKGO_DEBUG ?? "").split(",")) {
    const [k, v] = kv.split("=");
    if (k?.trim() === "schedtrace") return Number(v) > 0 ? Number(v) : 0;
  }
  return 0;
}
