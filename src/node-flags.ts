// The flags a Node process needs on its own command line for a backend:
// V8's JSPI flag (jspi on Node 20/22), the stack for asyncify's TurboFan tier.
// Light on purpose: the quickgo command decides from here whether to start
// itself again, before it loads the engine.
import { spawnSync } from "node:child_process";
import { hasJspi, LEGACY_JSPI_FLAG } from "../runtime/engine/jspi-support.js";
import { asyncifyNodeFlags, stackSizeFlagKb } from "../runtime/engine/asyncify-tier.js";

export { LEGACY_JSPI_FLAG };

/** The two ways quickgo can suspend a goroutine's wasm stack. */
export type Backend = "asyncify" | "jspi";

let flagProbe: boolean | undefined;

/**
 * True when this Node lacks JSPI as started but its V8 has the earlier JSPI
 * API behind LEGACY_JSPI_FLAG (Node 20 and 22): a Node started with the flag
 * can run the jspi backend. The flag only works from the command line (set
 * at run time, V8 crashes), so this asks a child Node once (~40 ms).
 */
export function jspiNeedsFlag(): boolean {
  if (hasJspi()) return false;
  flagProbe ??=
    spawnSync(process.execPath, [LEGACY_JSPI_FLAG, "-e", "process.exit(typeof WebAssembly.Suspender === 'function' && typeof WebAssembly.Function === 'function' ? 0 : 3)"], {
      stdio: "ignore",
      timeout: 10_000,
    }).status === 0;
  return flagProbe;
}

/**
 * Flags for the command line of a Node process started to run `backend`:
 * V8's JSPI flag for jspi on Node 20/22; for asyncify, the stack that lets V8
 * compile it with TurboFan (asyncify-tier.ts), where the OS allows.
 */
export function nodeFlagsFor(backend: Backend): string[] {
  if (backend === "asyncify") return asyncifyNodeFlags();
  return jspiNeedsFlag() ? [LEGACY_JSPI_FLAG] : [];
}

/**
 * Flags this Node lacks on its command line to run `requested` (the backend
 * chooseBackend would pick when undefined or "auto") as well as it can: the
 * quickgo command starts itself again with them. A `--stack-size` already
 * given is the user's choice and is kept.
 */
export function missingNodeFlags(requested: string | undefined): string[] {
  const backend = requested === undefined || requested === "auto" ? (hasJspi() ? "jspi" : "asyncify") : requested;
  if (backend === "jspi") return jspiNeedsFlag() ? [LEGACY_JSPI_FLAG] : [];
  if (backend === "asyncify" && stackSizeFlagKb() === undefined) return asyncifyNodeFlags();
  return [];
}
