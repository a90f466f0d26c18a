// The public entry point for hosts: a Runtime runs goroutine programs.
// Each run gets its own wasm instance and scheduler, so runs are independent.
import fs from "node:fs";
import { createEngine, chooseBackend, type Backend } from "./backend.js";
import { loadProgram, GuestSyntaxError } from "./loader.js";
import { preludeSource } from "./prelude.js";
import { Scheduler, type ExitStatus } from "../runtime/scheduler.js";

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

  private constructor(backend: Backend, opts: RuntimeOptions) {
    this.backend = backend;
    this.opts = {
      timeslice: opts.timeslice ?? 10,
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
    const sched = new Scheduler({
      program: { file, code: program.code, closures: program.closures, args: options.args ?? [] },
      prelude: preludeSource(),
      stdout: this.opts.stdout,
      stderr: this.opts.stderr,
      timesliceMs: this.opts.timeslice,
    });
    sched.engine = await createEngine(this.backend, sched, this.opts.log);
    return sched.start();
  }
}
