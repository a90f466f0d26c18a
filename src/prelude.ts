// The guest prelude (guest.js, with the host's opcode tables injected) and
// the modules it loads on demand (codec.js, select.js, …). Read once per process.
//
// Every goroutine parses the prelude, and parsing is most of what a spawn
// costs, so `npm run build` minifies the sources (src/prelude-build.ts) into
// dist/src/prelude.json. That file names the hash of the sources it was built
// from; when they have changed since (an edit without a rebuild), the sources
// are used as they are, compacted: slower, never stale.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { packageRoot } from "../runtime/engine/wasm-build.js";
import { lazyGlobals } from "../runtime/engine/intrinsics.js";
import { AtomicOp, CtxErr, CtxKind, Op, SelectKind, TimerKind } from "../runtime/ops.js";

/** The prelude's main script and its modules, by name, ready to evaluate. */
export interface PreludeSources {
  /** Runs in every goroutine. */
  main: string;
  /** Evaluated in a goroutine by Op.LoadPrelude on first use. */
  modules: Record<string, string>;
}

/** The minified prelude as `npm run build` writes it. */
export interface BuiltPrelude extends PreludeSources {
  /** sourcesHash() of the sources it was built from */
  hash: string;
}

const dir = path.join(packageRoot, "src", "prelude");
export const MODULES = ["codec", "plain", "inspect", "select", "waitgroup", "mutex", "sync", "time", "context", "errgroup", "atomic", "runtime", "net"] as const;
/** Where the build writes the minified prelude: next to this file in dist/src/. */
export const BUILT_PRELUDE = path.join(path.dirname(fileURLToPath(import.meta.url)), "prelude.json");

let cached: PreludeSources | undefined;

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

/** Each prelude source with the host's constants injected, not yet compacted or minified. */
export function expandedSources(): PreludeSources {
  const read = (f: string): string => inlineOps(fs.readFileSync(path.join(dir, f), "utf8"), f);
  return {
    main: read("guest.js").replaceAll("__QG_LAZY_INTRINSICS__", JSON.stringify(lazyGlobals())),
    modules: Object.fromEntries(
      MODULES.map((m) => [
        m,
        read(`${m}.js`)
          .replaceAll("__QG_TOOLKIT__", JSON.stringify({ CtxKind, CtxErr, AtomicOp, TimerKind }))
          .replaceAll("__QG_SELECT_KINDS__", JSON.stringify(SelectKind)),
      ]),
    ),
  };
}

/** Identifies a set of expanded sources (and so the opcodes they inline). */
export function sourcesHash(s: PreludeSources): string {
  const h = crypto.createHash("sha256").update(s.main);
  for (const m of MODULES) h.update("\0").update(s.modules[m]!);
  return h.digest("hex");
}

/** The prelude to run: the minified build when it matches the sources, else the sources compacted. */
export function preludeSources(): PreludeSources {
  if (cached) return cached;
  const expanded = expandedSources();
  let built: BuiltPrelude | undefined;
  try {
    built = JSON.parse(fs.readFileSync(BUILT_PRELUDE, "utf8")) as BuiltPrelude;
  } catch {
    built = undefined; // not built (yet): use the sources
  }
  cached = selectPrelude(expanded, built);
  return cached;
}

/** The build if it was made from these sources, else the sources compacted. */
export function selectPrelude(expanded: PreludeSources, built: BuiltPrelude | undefined): PreludeSources {
  if (built && built.hash === sourcesHash(expanded)) return { main: built.main, modules: built.modules };
  return { main: compact(expanded.main), modules: Object.fromEntries(MODULES.map((m) => [m, compact(expanded.modules[m]!)])) };
}

/**
 * The unbuilt form: drops comment-only lines and indentation (line breaks
 * stay, so prelude line numbers are kept). Safe because the prelude files
 * have no multi-line string or template literals.
 */
function compact(src: string): string {
  return src
    .split("\n")
    .map((l) => l.trim())
    .map((l) => (l.startsWith("//") ? "" : l))
    .join("\n");
}
