// Go-style runtime errors raised by host operations on behalf of a goroutine.
// A GoPanic thrown while serving a guest call becomes a guest exception (so
// try/catch in the guest is `recover`); uncaught, it ends the program with
// `panic: <message>` and exit status 2.

/** A runtime panic raised inside a host operation (e.g. "send on closed channel"). */
export class GoPanic extends Error {
  /** JS error class the guest sees (Error unless a TypeError/RangeError fits better). */
  readonly guestName: string;
  constructor(message: string, guestName = "Error") {
    super(message);
    this.name = "GoPanic";
    this.guestName = guestName;
  }
}

/**
 * A fatal error (Go's runtime `fatal`/`throw`, e.g. "sync: unlock of unlocked
 * mutex"): unlike a panic it cannot be recovered; the program ends with
 * `fatal error: <message>` and the goroutine's stack.
 */
export class GoFatal extends GoPanic {}

/** An uncaught guest exception, as Go would print it. */
export interface PanicInfo {
  goroutine: number;
  /** `panic: ` is followed by this */
  message: string;
  /** Go-style trace lines of the guest stack (function, then tab + file:line:col) */
  trace: string;
}

/** Like Go's traceback, long stacks are cut after this many frames. */
const MAX_TRACE_FRAMES = 100;

/**
 * Turns a QuickJS stack ("    at f (file:3:5)") into Go's traceback shape,
 * dropping quickgo's own prelude frames (compiled without debug info, they
 * print with no location: "    at chan") and native ones ("(native)"):
 *   f(...)
 *   \tfile:3:5
 */
export function goTraceback(stack: string, preludeFile: string): string {
  const out: string[] = [];
  for (const raw of stack.split("\n")) {
    const line = raw.trim();
    if (!line.startsWith("at ")) continue;
    const m = /^at (?:(.*?) \((.*)\)|(.*))$/.exec(line);
    if (!m) continue;
    if (m[3] !== undefined) continue; // no location: a prelude function
    const fn = m[1]!;
    const where = m[2]!;
    if (where.startsWith(preludeFile) || where === "native") continue;
    if (out.length === MAX_TRACE_FRAMES) {
      out.push("...additional frames elided...");
      break;
    }
    out.push(`${fn || "<anonymous>"}(...)\n\t${where}`);
  }
  return out.join("\n");
}
