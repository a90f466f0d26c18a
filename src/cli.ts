// quickgo command line: `quickgo run <file> [args…]`, `--help`, `--version`.
// Exit codes follow Go: 0 when main returns, 2 for a panic or deadlock,
// 1 for usage errors, missing files and programs that do not load.
import fs from "node:fs";
import path from "node:path";
import { DEFAULT_MEMORY_LIMIT, GuestSyntaxError, Runtime } from "./runtime.js";
import { spawn } from "node:child_process";
import { type Backend, LEGACY_JSPI_FLAG, jspiNeedsFlag } from "./backend.js";
import { packageRoot } from "../runtime/engine/wasm-build.js";

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

function version(): string {
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
    process.stdout.write(`quickgo ${version()} (node ${process.version})\n`);
    return;
  }
  if (cmd !== "run") fail(`unknown command "${cmd}"\n\n${USAGE}`);
  let backend: Backend | "auto" = "auto";
  let timeslice = 10;
  let memoryLimit = DEFAULT_MEMORY_LIMIT;
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
  if (wanted === "jspi" && jspiNeedsFlag()) return relaunchWithJspiFlag(argv);
  let runtime: Runtime;
  try {
    runtime = await Runtime.create({ backend, timeslice, memoryLimit });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  // Like Go: SIGQUIT dumps every goroutine and exits 2; Ctrl-C does the same with the shell's 130.
  process.once("SIGQUIT", () => void runtime.terminate("SIGQUIT: quit", 2));
  process.once("SIGINT", () => void runtime.terminate("SIGINT: interrupt", 130));
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
 * Node 20 and 22 have JSPI only behind a V8 flag that must be on Node's own
 * command line: asked for the jspi backend there, quickgo runs itself again
 * with the flag, in the same terminal, and exits as that child does. Ctrl-C
 * and Ctrl-\ reach the child from the terminal (it handles them as Go
 * would), so this process ignores them; SIGTERM and SIGHUP it passes on.
 */
function relaunchWithJspiFlag(argv: string[]): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, LEGACY_JSPI_FLAG, process.argv[1]!, ...argv], { stdio: "inherit" });
  for (const sig of ["SIGINT", "SIGQUIT"] as const) process.on(sig, () => {});
  for (const sig of ["SIGTERM", "SIGHUP"] as const) process.on(sig, () => void child.kill(sig));
  return new Promise((resolve) => {
    child.on("error", (e) => fail(`cannot start node with ${LEGACY_JSPI_FLAG}: ${e.message}`));
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
