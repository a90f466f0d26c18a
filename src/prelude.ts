// The guest prelude (guest.js, with the host's opcode tables injected) and
// the modules it loads on demand (codec.js, inspect.js). Read once per process.
import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "../runtime/engine/wasm-build.js";
import { AtomicOp, CtxErr, CtxKind, Op, SelectKind, TimerKind } from "../runtime/ops.js";

const dir = path.join(packageRoot, "src", "prelude");
let cached: { main: string; modules: Record<string, string> } | undefined;

/**
 * Replaces every `OP.Name` in a prelude source with the opcode's number, so
 * no goroutine builds an opcode table object (measured: the 40-entry table
 * cost 2.4 KiB of QuickJS heap and ~8% of the prelude's eval time in every
 * context). An unknown name fails here, at load, not in a running guest.
 */
function inlineOps(src: string, file: string): string {
  return src.replace(/\bOP\.([A-Za-z]\w*)\b/g, (_, name: string) => {
    const op = (Op as Record<string, number>)[name];
    if (op === undefined) throw new Error(`quickgo: ${file} uses unknown opcode OP.${name}`);
    return String(op);
  });
}

/** `main` runs in every goroutine; `modules` are evaluated by Op.LoadPrelude. */
export function preludeSources(): { main: string; modules: Record<string, string> } {
  if (!cached) {
    const read = (f: string): string => inlineOps(compact(fs.readFileSync(path.join(dir, f), "utf8")), f);
    cached = {
      main: read("guest.js").replace("__QG_SELECT_KINDS__", JSON.stringify(SelectKind)),
      modules: Object.fromEntries(
        ["codec", "inspect", "select", "sync", "time", "context", "errgroup", "atomic", "runtime", "net"].map((m) => [
          m,
          read(`${m}.js`).replace("__QG_TOOLKIT__", JSON.stringify({ CtxKind, CtxErr, AtomicOp, TimerKind })),
        ]),
      ),
    };
  }
  return cached;
}

/**
 * Drops comment-only lines and indentation: every goroutine parses the
 * prelude, and parsing is most of what a spawn costs (~0.28 µs per byte with
 * asyncify on Node 20). Line breaks stay, so prelude line numbers are kept.
 * Safe because the prelude files have no multi-line string or template literals.
 */
function compact(src: string): string {
  return src
    .split("\n")
    .map((l) => l.trim())
    .map((l) => (l.startsWith("//") ? "" : l))
    .join("\n");
}
