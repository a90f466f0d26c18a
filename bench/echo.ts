// Echo benchmark (issue 4): a goroutine-per-connection quickgo echo server vs
// Node's native `net` echo server vs Go's (GOMAXPROCS=1, when `go` is on
// PATH), each in its own process, driven by the same load generator
// (bench/echo-load.ts, another process) in the same run: messages per second
// and round-trip p50/p99 with 100 and 1 000 connections, throughput also as a
// ratio to Node's native server.
//
// Connection churn too (bench/churn-load.ts): clients that connect, echo one
// message and close, over and over, so every connection is a new goroutine
// in a quickgo server: new connections per second, as a ratio to Node's.
// quickgo's server is measured there also reusing its goroutines
// (examples/echopool.js): what a short connection costs besides a
// goroutine's start and end.
//
// The servers are measured in rounds: every round measures each server once,
// in a rotated order, and a server's ratio in a round is to Node's
// throughput in that same round. The table gives medians over the rounds
// (ratios with their lowest and highest), so the neighbours' load drifting
// between one server's measurement and the next moves a round, not the result.
//
//   node dist/bench/echo.js [--conns 100,1000] [--churn 50] [--seconds 3] [--rounds 3] [--size 64] [--save] [--quick]
// --churn N: N concurrent churning clients (0: no churn table).
// --save writes the table to bench/results/echo-node<major>.md for the report.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type Backend, availableBackends, jspiNeedsFlag, nodeFlagsFor } from "../src/backend.js";
import { ECHO_GUEST, ECHO_GUEST_POOL, NODE_ECHO_SERVER } from "./echo-guest.js";
import { args, flag, median } from "./args.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const quick = args.includes("--quick");
const connCounts = flag("--conns", quick ? "10" : "100,1000").split(",").map(Number);
const seconds = Number(flag("--seconds", quick ? "0.3" : "3"));
const size = Number(flag("--size", "64"));
const rounds = Math.max(1, Number(flag("--rounds", quick ? "1" : "3")));
const churnClients = Number(flag("--churn", quick ? "5" : "50"));
/** the baseline every ratio is to */
const NODE = "Node net (native)";

interface Server {
  name: string;
  start(): ChildProcess;
  /** measured under connection churn only (a worker pool's server is the goroutine-per-connection one under established connections) */
  churnOnly?: boolean;
}

function servers(): Server[] {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "quickgo-echo-"));
  const guest = path.join(tmp, "echo-server.js");
  fs.writeFileSync(guest, ECHO_GUEST);
  const poolGuest = path.join(tmp, "echo-pool-server.js");
  fs.writeFileSync(poolGuest, ECHO_GUEST_POOL);
  // The flags go on the server's own command line, not through the CLI's relaunch
  // (Node 20/22 jspi), whose process would be the one whose CPU time is read.
  const quickgo = (b: Backend, pool = false): Server => ({
    name: `quickgo ${b}${pool ? ", worker pool" : ""}`,
    start: () => spawn(process.execPath, [...nodeFlagsFor(b), path.join(root, "bin", "quickgo.js"), "run", "--backend", b, pool ? poolGuest : guest]),
    churnOnly: pool,
  });
  const backends: Backend[] = [...(jspiNeedsFlag() ? ["jspi" as const] : []), ...availableBackends()];
  const list: Server[] = backends.map((b) => quickgo(b));
  if (churnClients > 0) list.push(...backends.map((b) => quickgo(b, true)));
  list.push({ name: NODE, start: () => spawn(process.execPath, ["-e", NODE_ECHO_SERVER]) });
  if (spawnSync("go", ["version"]).status === 0) {
    const bin = path.join(tmp, "echo-go");
    const r = spawnSync("go", ["build", "-o", bin, "./echo"], { cwd: path.join(root, "bench", "go"), encoding: "utf8" });
    if (r.status !== 0) throw new Error(`go build failed: ${r.stderr}`);
    list.push({ name: "Go (GOMAXPROCS=1)", start: () => spawn(bin, [], { env: { ...process.env, GOMAXPROCS: "1" } }) });
  } else {
    process.stderr.write("echo: go is not on PATH, no Go column\n");
  }
  return list;
}

function addrOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^addr (\S+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening: ${out}`)));
  });
}

/** What a load generator measures: established connections echoing (echo-load.ts), or connections made and closed (churn-load.ts). */
type Workload = "echo" | "churn";

interface Row {
  workload: Workload;
  server: string;
  /** connections (echo) or concurrent clients (churn) */
  conns: number;
  /** the round (0, 1, …) this measurement belongs to */
  round: number;
  /** messages per second (echo) or new connections per second (churn) */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  /** server process CPU time (user + system) per message or per connection, µs: robust to other load on the machine */
  cpuUs: number;
  /**
   * echo: ms from the last connect until every connection had its first echo
   * (the server accepting them all and, in quickgo, starting their goroutines,
   * while the first ones already echo); NaN for churn
   */
  setupMs: number;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** The JSON line a load generator ends with (echo-load.ts or churn-load.ts). */
interface LoadResult {
  msgsPerSec?: number;
  messages?: number;
  connsPerSec?: number;
  connections?: number;
  setupMs?: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * Runs a load generator against `addr`; the server's CPU time is sampled
 * when the generator starts and ends its measured part, so (for echo)
 * connection setup, a goroutine spawn each for quickgo, and warm-up are not
 * counted.
 */
function load(workload: Workload, addr: string, conns: number, serverPid: number | undefined): Promise<Omit<Row, "workload" | "server" | "round">> {
  return new Promise((resolve, reject) => {
    const script = path.join(root, "dist", "bench", workload === "echo" ? "echo-load.js" : "churn-load.js");
    const child = spawn(process.execPath, [script, addr, String(conns), String(seconds), String(size), quick ? "0.1" : "0.5"]);
    let out = "";
    let err = "";
    let cpu0 = NaN;
    let cpu1 = NaN;
    child.stderr.on("data", (d: Buffer) => void (err += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (Number.isNaN(cpu0) && out.includes("measuring\n")) cpu0 = cpuSeconds(serverPid);
      if (Number.isNaN(cpu1) && out.includes("measured\n")) cpu1 = cpuSeconds(serverPid);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), (seconds + 120) * 1000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (code !== 0 || !line) return reject(new Error(`load generator failed (${code}): ${err}`));
      const r = JSON.parse(line) as LoadResult;
      const rate = (workload === "echo" ? r.msgsPerSec : r.connsPerSec) ?? 0;
      const count = (workload === "echo" ? r.messages : r.connections) ?? 0;
      if (!(count > 0)) return reject(new Error(workload === "echo" ? "no message came back" : "no connection completed"));
      resolve({ conns, rate, p50Ms: r.p50Ms, p99Ms: r.p99Ms, cpuUs: ((cpu1 - cpu0) * 1e6) / count, setupMs: r.setupMs ?? NaN });
    });
  });
}

interface Running {
  server: Server;
  child: ChildProcess;
  addr: string;
}

async function main(): Promise<void> {
  // Every server runs for the whole benchmark (idle between its measurements),
  // so a round costs no start-up: a quickgo server's connections, and their
  // goroutines, end with each measurement's load generator.
  const running: Running[] = [];
  const rows: Row[] = [];
  try {
    for (const server of servers()) {
      const child = server.start();
      child.stderr!.on("data", (d: Buffer) => process.stderr.write(`[${server.name}] ${d.toString()}`));
      const r: Running = { server, child, addr: "" };
      running.push(r); // killed in the finally below even if it never listens
      r.addr = await addrOf(child);
    }
    const jobs: [Workload, number][] = connCounts.map((c): [Workload, number] => ["echo", c]);
    if (churnClients > 0) jobs.push(["churn", churnClients]);
    for (const [workload, conns] of jobs) {
      for (let round = 0; round < rounds; round++) {
        const measured = running.filter((r) => workload === "churn" || !r.server.churnOnly);
        for (let k = 0; k < measured.length; k++) {
          const { server, child, addr } = measured[(k + round) % measured.length]!; // rotated: no server always runs first
          const what = workload === "echo" ? `${conns} connections` : `churn, ${conns} clients`;
          process.stderr.write(`echo: ${server.name}, ${what}, round ${round + 1}/${rounds}, ${seconds} s… `);
          let r: Omit<Row, "workload" | "server" | "round">;
          try {
            r = await load(workload, addr, conns, child.pid);
          } catch (e) {
            throw new Error(`${server.name}: ${(e as Error).message}`);
          }
          process.stderr.write(`${Math.round(r.rate)} ${workload === "echo" ? "msg" : "connections"}/s\n`);
          rows.push({ ...r, workload, server: server.name, round });
        }
      }
    }
  } finally {
    for (const r of running) r.child.kill("SIGKILL");
  }
  const table = render(rows, running.map((r) => r.server.name));
  process.stdout.write(table);
  if (args.includes("--save") && !quick) {
    const file = path.join(root, "bench", "results", `echo-node${process.versions.node.split(".")[0]}.md`);
    fs.writeFileSync(file, table);
    process.stderr.write(`echo: wrote ${path.relative(root, file)}\n`);
  }
}

function render(rows: Row[], names: string[]): string {
  const lines = [
    `## Echo server, Node ${process.version} (${os.cpus()[0]?.model ?? "cpu"}, ${os.cpus().length} cores)`,
    "",
    `${size}-byte messages, each connection a closed loop (send, await the echo, repeat), ${seconds} s measured after every`,
    "connection has had an echo and a warm-up (so goroutine spawns are not measured);",
    "servers and load generator in separate processes.",
    `${rounds} round${rounds > 1 ? "s" : ""}, each measuring every server once in a rotated order; a round's ratio is a server's throughput`,
    "over Node native's in that round. Medians over the rounds; ratios also with their lowest and highest.",
    "",
    "The last column is how long, from the last connect, until every connection had its first echo: the server",
    "accepting them all (and quickgo starting a goroutine for each) while the first ones already echo.",
    "",
    ...table(rows, names, "echo", ["connections", "messages/s", "server CPU per message"]),
  ];
  if (rows.some((r) => r.workload === "churn")) {
    lines.push(
      "",
      "Connection churn: each client connects, echoes one message and closes, over and over (a new goroutine per",
      "connection in quickgo's server); new connections per second, p50/p99 of connect + echo + close. \"worker pool\":",
      "the quickgo server handing each connection to a goroutine that waits for one (examples/echopool.js),",
      "starting a goroutine only when none waits.",
      "",
      ...table(rows, names, "churn", ["clients", "connections/s", "server CPU per connection"]),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** One workload's rows: a line per server and connection count, medians over the rounds. */
function table(rows: Row[], names: string[], workload: Workload, [connsHead, rateHead, cpuHead]: [string, string, string]): string[] {
  const setup = workload === "echo";
  const lines = [
    `| server | ${connsHead} | ${rateHead} | ratio to Node | p50 | p99 | ${cpuHead} |${setup ? " all served once |" : ""}`,
    `|---|---:|---:|---:|---:|---:|---:|${setup ? "---:|" : ""}`,
  ];
  const of = rows.filter((r) => r.workload === workload);
  const conns = [...new Set(of.map((r) => r.conns))];
  for (const name of names) {
    for (const c of conns) {
      const mine = of.filter((r) => r.server === name && r.conns === c);
      if (mine.length === 0) continue;
      const ratios = mine.flatMap((r) => {
        const node = of.find((x) => x.server === NODE && x.conns === c && x.round === r.round);
        return node ? [r.rate / node.rate] : [];
      });
      const ratio =
        name === NODE ? "1.00" : ratios.length === 0 ? "—" : ratios.length === 1 ? ratios[0]!.toFixed(2) : `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`;
      const cell = (f: (r: Row) => number): number => median(mine.map(f));
      lines.push(
        `| ${name} | ${c} | ${Math.round(cell((r) => r.rate)).toLocaleString("en-US")} | ${ratio} | ${cell((r) => r.p50Ms).toFixed(2)} ms | ${cell((r) => r.p99Ms).toFixed(2)} ms | ${cell((r) => r.cpuUs).toFixed(1)} µs |${setup ? ` ${Math.round(cell((r) => r.setupMs))} ms |` : ""}`,
      );
    }
  }
  return lines;
}

main().catch((e: Error) => {
  process.stderr.write(`echo: ${e.message}\n`);
  process.exit(1);
});
