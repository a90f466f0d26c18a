// quickgo command line: `quickgo run <file> [args…]`, `--help`, `--version`.
// Exit codes follow Go: 0 when main returns, 2 for a panic or deadlock,
// 1 for usage errors, missing files and programs that do not load.
//
// Only light modules are imported up front: when the command starts itself
// again with Node flags (relaunch), this process never loads the engine.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { type Backend, missingNodeFlags } from "./node-flags.js";

const USAGE = `quickgo: goroutines for JavaScript

Usage:
  quickgo run [flags] <file.js> [args...]   run a program's main() as goroutine 1
  quickgo --version                          print the version
  quickgo --help                             print this help

Flags for run:
  --backend asyncify|jspi|auto   stack-switching backend (default auto; env QUICKGO_BACKEND)
  --timeslice <ms>               scheduler time slice (default 10)
  --max-goroutine-memory <size>  heap limit of each goroutine, e.g. 64MiB, 512KiB, 1GiB,
                                 or bytes; 0 for none (default 64MiB)

Exit status: 0 when main returns, 2 on panic or deadlock, 1 on a usage or load error.
`;

async function version(): Promise<string> {
  const { packageRoot } = await import("../runtime/engine/wasm-build.js");
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string };
  return pkg.version;
}

const UNITS: Record<string, number> = { "": 1, B: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30 };

/** Bytes in a size written like Go's GOMEMLIMIT: a number with an optional B, KiB, MiB or GiB suffix. */
export function parseSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(B|KiB|MiB|GiB)?$/.exec(s.trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * UNITS[m[2] ?? ""]!);
}

function fail(message: string): never {
  process.stderr.write(`quickgo: ${message}\n`);
  process.exit(1);
}

export async function main(argv: string[]): Promise<void> {
  // A closed stdout (`quickgo run x.js | head`) ends the program quietly, as
  // SIGPIPE ends a Go program (exit status 141 like a shell reports it).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(141);
      throw e;
    });
  }
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
    process.stdout.write(USAGE);
    return;
  }
  if (cmd === "--version" || cmd === "-v" || cmd === "version") {
    process.stdout.write(`quickgo ${await version()} (node ${process.version})\n`);
    return;
  }
  if (cmd !== "run") fail(`unknown command "${cmd}"\n\n${USAGE}`);
  let backend: Backend | "auto" = "auto";
  let timeslice = 10;
  let memoryLimit: number | undefined; // Runtime's default
  let i = 0;
  for (; i < rest.length && rest[i]!.startsWith("--"); i++) {
    const flag = rest[i]!;
    const [name, inline] = flag.split("=", 2) as [string, string | undefined];
    const value = (): string => inline ?? rest[++i] ?? fail(`flag ${name} needs a value`);
    if (name === "--backend") {
      const v = value();
      if (v !== "asyncify" && v !== "jspi" && v !== "auto") fail(`--backend must be asyncify, jspi or auto, not "${v}"`);
      backend = v;
    } else if (name === "--timeslice") {
      timeslice = Number(value());
      if (!(timeslice > 0)) fail("--timeslice must be a positive number of milliseconds");
    } else if (name === "--max-goroutine-memory") {
      const v = value();
      const bytes = parseSize(v);
      if (bytes === undefined || bytes >= 2 ** 32) fail(`--max-goroutine-memory: "${v}" is not a size below 4GiB (like 64MiB, 512KiB or a number of bytes)`);
      memoryLimit = bytes;
    } else fail(`unknown flag ${flag}`);
  }
  const file = rest[i];
  if (!file) fail("run: no program file given\n\nUsage: quickgo run [flags] <file.js> [args...]");
  if (!fs.existsSync(file)) fail(`run: open ${file}: no such file or directory`);
  const wanted = backend !== "auto" ? backend : process.env.QUICKGO_BACKEND;
  const missing = missingNodeFlags(wanted);
  if (missing.length > 0) return relaunch(missing, argv);
  const { GuestSyntaxError, Runtime } = await import("./runtime.js");
  let runtime: import("./runtime.js").Runtime;
  try {
    runtime = await Runtime.create({ backend, timeslice, ...(memoryLimit === undefined ? {} : { memoryLimit }) });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  // Like Go: SIGQUIT dumps every goroutine and exits 2; Ctrl-C does the same with the shell's 130.
  onStopSignal("SIGQUIT", () => void runtime.terminate("SIGQUIT: quit", 2));
  onStopSignal("SIGINT", () => void runtime.terminate("SIGINT: interrupt", 130));
  try {
    const status = await runtime.runFile(file, { args: rest.slice(i + 1) });
    process.exitCode = status.code;
  } catch (e) {
    if (e instanceof GuestSyntaxError) {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}

/**
 * Handles SIGINT or SIGQUIT once. Copies arriving within DUPLICATE_SIGNAL_MS
 * are the same keypress (from the terminal and from a relaunching parent) and
 * are dropped; a later one gets the signal's default action, so a second
 * Ctrl-C still kills a program whose shutdown hangs.
 */
function onStopSignal(sig: "SIGINT" | "SIGQUIT", stop: () => void): void {
  let first = 0;
  const handler = (): void => {
    if (first === 0) {
      first = performance.now();
      stop();
    } else if (performance.now() - first > DUPLICATE_SIGNAL_MS) {
      process.removeListener(sig, handler);
      process.kill(process.pid, sig);
    }
  };
  process.on(sig, handler);
}
const DUPLICATE_SIGNAL_MS = 250;

/**
 * Runs quickgo again with Node flags that only work from Node's own command
 * line, in the same terminal, and exits as that child does: V8's JSPI flag
 * when the jspi backend is asked for on Node 20 and 22, and the bigger stack
 * that lets V8 compile asyncify with TurboFan (runtime/engine/asyncify-tier.ts,
 * ~60 ms more to start). This process passes on every signal that ends
 * or dumps the program, so `kill -QUIT <pid>` works on either process; the
 * child takes the terminal's copy and ours of one Ctrl-C as one (onStopSignal).
 */
function relaunch(flags: string[], argv: string[]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, ...flags, process.argv[1]!, ...argv], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGQUIT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => void child.kill(sig));
  return new Promise((resolve) => {
    child.on("error", (e) => fail(`cannot start node with ${flags.join(" ")}: ${e.message}`));
    child.on("exit", (code, signal) => {
      if (signal) {
        process.removeAllListeners(signal);
        process.kill(process.pid, signal); // end as the child ended
      }
      process.exitCode = code ?? 1;
      resolve();
    });
  });
}
