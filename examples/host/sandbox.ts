// A TypeScript host that runs untrusted guest programs with a time slice, a
// memory limit, a goroutine limit and a kill deadline. Each program gets its
// own scheduler and wasm instance: nothing it does reaches the host's heap.
//
//   npm run build && node dist/examples/host/sandbox.js [program.js] [deadline ms]
//
// Without a file it runs three built-in programs: one that behaves, one that
// spins forever, and a goroutine bomb.
import fs from "node:fs";
import { GoroutinePanic, GuestSyntaxError, Runtime, type ExitStatus } from "../../src/index.js";

const BUILTIN: Record<string, string> = {
  "polite.js": `function main() { let s = 0; for (let i = 1; i <= 1000; i++) s += i; println("sum", s) }`,
  "spinner.js": `function main() { println("spinning"); for (;;) {} }`,
  "bomb.js": `function bomb() { for (;;) go(bomb) }\nfunction main() { bomb() }`,
};

export interface Outcome {
  name: string;
  code: number;
  /** what ended it: "ok", "deadline", "panic: …" or "deadlock" */
  verdict: string;
  stdout: string;
}

/** Runs one untrusted program under limits; never throws for anything the program does. */
export async function sandbox(name: string, source: string, deadlineMs: number): Promise<Outcome> {
  let stdout = "";
  const rt = await Runtime.create({
    timeslice: 5, // a spinning goroutine gives up the CPU every 5 ms…
    memoryLimit: 16 << 20, // …allocates at most this much per goroutine (see RuntimeOptions.memoryLimit)…
    maxGoroutines: 100, // …and cannot start more than this many goroutines
    stdout: (s) => void (stdout += s),
    stderr: () => {}, // the typed error in the status carries the report
  });
  try {
    const status: ExitStatus = await rt.run(source, { filename: name, signal: AbortSignal.timeout(deadlineMs) });
    const verdict = status.aborted
      ? "deadline"
      : status.error instanceof GoroutinePanic
        ? `panic: ${status.error.panicMessage}`
        : status.error
          ? "deadlock"
          : "ok";
    return { name, code: status.code, verdict, stdout };
  } catch (e) {
    if (e instanceof GuestSyntaxError) return { name, code: 1, verdict: `does not load: ${e.message}`, stdout };
    throw e;
  } finally {
    await rt.shutdown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  const deadline = Number(process.argv[3] ?? 300);
  const programs = file ? { [file]: fs.readFileSync(file, "utf8") } : BUILTIN;
  for (const [name, source] of Object.entries(programs)) {
    const o = await sandbox(name, source, deadline);
    console.log(`${o.name}: exit ${o.code}, ${o.verdict}${o.stdout ? `, printed ${JSON.stringify(o.stdout)}` : ""}`);
  }
}
