// Instructions per echoed message (issue 4), counted by valgrind's callgrind:
// the echo servers of bench/echo.ts, each under callgrind with its
// instrumentation off until the load generator (bench/echo-load.ts) starts its
// measured part, and off again when it ends. On a shared machine the CPU time
// per message swings by 2× with the neighbours' load; the instruction count
// repeats within a few per cent (runs of one build on 2026-11-30: 22.2k–23.2k
// per message, jspi, 100 connections), so it is what a change to the echo path
// is judged by; a change smaller than that needs runs alternated with the build before.
// Instructions are not time: cache misses (--cache: a simulated 48 KiB L1d
// and 2 MiB last level) are what many connections add.
//
//   node dist/bench/echo-instructions.js [--servers jspi,asyncify,node] [--conns 100[,1000]] [--warmup 15] [--seconds 10] [--cache] [--churn] [--keep DIR] [--save]
//
// --churn counts per connection under the churn load of bench/churn-load.ts
// instead (--conns: its concurrent clients): connect, one echo, close, so
// each count is a goroutine's whole life in a quickgo server.
// --save writes the table to bench/results/echo-instructions[-churn]-node<major>.md
// for the report (docs/BENCHMARKS.md).
// --keep DIR leaves the profiles there (callgrind.<server>.out.1) for
// callgrind_annotate: where the instructions and the misses are.
//
// Needs valgrind (callgrind, callgrind_control) on PATH. Under callgrind a
// server runs ~50× slower, so the warm-up is long enough for V8 to have
// optimized the hot path before counting starts.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ECHO_GUEST, NODE_ECHO_SERVER } from "./echo-guest.js";
import { args, flag } from "./args.js";
import { type Backend, nodeFlagsFor } from "../src/backend.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const servers = flag("--servers", "jspi,asyncify,node").split(",");
const connCounts = flag("--conns", "100").split(",").map(Number);
const save = args.includes("--save");
const warmup = Number(flag("--warmup", "15"));
const seconds = Number(flag("--seconds", "10"));
const cache = args.includes("--cache");
const keep = flag("--keep", "");
const churn = args.includes("--churn");
/** What one count is: an echoed message, or a connection's whole life (--churn). */
const unit = churn ? "connection" : "message";

/** Events counted per message, by callgrind's names. */
const EVENTS = cache ? ["Ir", "D1mr", "D1mw", "DLmr", "DLmw"] : ["Ir"];

interface Count {
  server: string;
  conns: number;
  /** messages echoed, or connections served (--churn) */
  messages: number;
  /** per message (per connection with --churn), in EVENTS order */
  perMessage: number[];
}

function lines(child: ChildProcess, stream: "stdout" | "stderr", onLine: (l: string) => void): void {
  let buf = "";
  child[stream]!.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let i; (i = buf.indexOf("\n")) >= 0; buf = buf.slice(i + 1)) onLine(buf.slice(0, i));
  });
}

function control(pid: number, ...a: string[]): void {
  const r = spawnSync("callgrind_control", [...a, String(pid)], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`callgrind_control ${a.join(" ")} failed: ${r.stderr}`);
}

async function count(server: string, conns: number, dir: string): Promise<Count> {
  const guest = path.join(dir, "echo-server.js");
  fs.writeFileSync(guest, ECHO_GUEST);
  const out = path.join(dir, `callgrind.${server}.out`);
  const cacheArgs = cache ? ["--cache-sim=yes", "--D1=49152,12,64", "--LL=2097152,16,64"] : [];
  // Node flags on the server's own command line, not through the CLI's relaunch (see echo.ts).
  const target = server === "node" ? ["-e", NODE_ECHO_SERVER] : [...nodeFlagsFor(server as Backend), path.join(root, "bin", "quickgo.js"), "run", "--backend", server, guest];
  const child = spawn("valgrind", ["--tool=callgrind", "--instr-atstart=no", ...cacheArgs, `--callgrind-out-file=${out}`, process.execPath, ...target]);
  const pid = child.pid!;
  try {
    const addr = await new Promise<string>((resolve, reject) => {
      lines(child, "stdout", (l) => {
        const m = /^addr (\S+)$/.exec(l);
        if (m) resolve(m[1]!);
      });
      child.once("exit", (code) => reject(new Error(`${server}: server exited (${code}) before listening`)));
    });
    const loadScript = path.join(root, "dist", "bench", churn ? "churn-load.js" : "echo-load.js");
    const load = spawn(process.execPath, [loadScript, addr, String(conns), String(seconds), "64", String(warmup)]);
    let result = "";
    lines(load, "stdout", (l) => {
      if (l === "measuring") control(pid, "-i", "on");
      else if (l === "measured") control(pid, "-i", "off");
      else if (l.startsWith("{")) result = l;
    });
    const code = await new Promise<number | null>((r) => load.once("exit", r));
    if (code !== 0 || !result) throw new Error(`${server}: load generator failed (${code})`);
    const done = JSON.parse(result) as { messages?: number; connections?: number };
    const messages = (churn ? done.connections : done.messages) ?? NaN;
    control(pid, "-d");
    const dump = `${out}.1`;
    for (let t = 0; t < 100 && !fs.existsSync(dump); t++) await new Promise((r) => setTimeout(r, 100));
    const text = fs.readFileSync(dump, "utf8");
    const events = /^events: (.*)$/m.exec(text)?.[1]?.split(" ") ?? [];
    const totals = /^totals: (.*)$/m.exec(text)?.[1]?.split(" ").map(Number) ?? [];
    const perMessage = EVENTS.map((e) => (totals[events.indexOf(e)] ?? NaN) / messages);
    return { server, conns, messages, perMessage };
  } finally {
    child.kill("SIGKILL");
  }
}

async function main(): Promise<void> {
  if (spawnSync("valgrind", ["--version"]).status !== 0) throw new Error("valgrind is not on PATH");
  const dir = keep ? path.resolve(keep) : fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-callgrind-"));
  fs.mkdirSync(dir, { recursive: true });
  const rows: Count[] = [];
  try {
    for (const conns of connCounts) {
      for (const s of servers) {
        process.stderr.write(`echo-instructions: ${s}, ${conns} ${churn ? "churning clients" : "connections"} (${warmup} s warm-up, ${seconds} s counted)… `);
        const c = await count(s, conns, dir);
        process.stderr.write(`${Math.round(c.perMessage[0]!)} instructions per ${unit}\n`);
        rows.push(c);
      }
    }
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
  const head = ["server", churn ? "clients" : "connections", `${unit}s counted`, ...EVENTS.map((e) => `${e} per ${unit}`), "Ir ratio to Node"];
  const when = new Date().toISOString().slice(0, 16).replace("T", " ");
  const out = [
    churn
      ? `## Echo server under connection churn, instructions per connection (callgrind), Node ${process.version}, ${when} UTC`
      : `## Echo server, instructions per message (callgrind), Node ${process.version}, ${when} UTC`,
    "",
    `\`node dist/bench/echo-instructions.js --conns ${connCounts.join(",")}${churn ? " --churn" : ""}${cache ? " --cache" : ""} --warmup ${warmup} --seconds ${seconds}\`: the seconds are`,
    "the load generator's, under valgrind, where a server runs ~50× slower (~100× with --cache).",
    "",
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
  ];
  for (const r of rows) {
    const node = rows.find((n) => n.server === "node" && n.conns === r.conns);
    const name = r.server === "node" ? "Node net (native)" : `quickgo ${r.server}`;
    const ratio = node ? (r.perMessage[0]! / node.perMessage[0]!).toFixed(2) : "—";
    out.push(`| ${name} | ${r.conns} | ${r.messages} | ${r.perMessage.map((v) => Math.round(v).toLocaleString("en-US")).join(" | ")} | ${ratio} |`);
  }
  process.stdout.write(`${out.join("\n")}\n`);
  if (save) {
    const file = path.join(root, "bench", "results", `echo-instructions${churn ? "-churn" : ""}-node${process.versions.node.split(".")[0]}.md`);
    fs.writeFileSync(file, `${out.join("\n")}\n`);
    process.stderr.write(`echo-instructions: wrote ${path.relative(root, file)}\n`);
  }
}

main().catch((e: Error) => {
  process.stderr.write(`echo-instructions: ${e.message}\n`);
  process.exit(1);
});
