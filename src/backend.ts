// Picks the stack-switching backend: QUICKGO_BACKEND or the caller's choice,
// else JSPI when this Node has it (Node 24+, or Node 20/22 started with
// --experimental-wasm-stack-switching), else asyncify (Node 20/22).
import { spawnSync } from "node:child_process";
import type { Engine, GuestHost } from "../runtime/engine/engine.js";
import { AsyncifyEngine } from "../runtime/engine/asyncify.js";
import { JspiEngine, LEGACY_JSPI_FLAG, hasJspi } from "../runtime/engine/jspi.js";

export { LEGACY_JSPI_FLAG };

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

/** The two ways quickgo can suspend a goroutine's wasm stack. */
export type Backend = "asyncify" | "jspi";

/** Flags a Node process started to run `backend` needs on its command line: V8's JSPI flag for jspi on Node 20/22, else none. */
export function nodeFlagsFor(backend: Backend): string[] {
  return backend === "jspi" && jspiNeedsFlag() ? [LEGACY_JSPI_FLAG] : [];
}

export function availableBackends(): Backend[] {
  return hasJspi() ? ["jspi", "asyncify"] : ["asyncify"];
}

export function chooseBackend(requested?: Backend | "auto"): Backend {
  const want = requested && requested !== "auto" ? requested : (process.env.QUICKGO_BACKEND as Backend | "auto" | undefined);
  if (want && want !== "auto") {
    if (want !== "asyncify" && want !== "jspi") throw new Error(`quickgo: unknown backend "${want}" (use asyncify or jspi)`);
    if (want === "jspi" && !hasJspi()) {
      throw new Error(
        jspiNeedsFlag()
          ? `quickgo: the jspi backend on Node ${process.version} needs V8's experimental JSPI: start node with ${LEGACY_JSPI_FLAG} (the quickgo command does so itself)`
          : `quickgo: the jspi backend needs WebAssembly.Suspending (Node 24 or later); this is Node ${process.version}`,
      );
    }
    return want;
  }
  return hasJspi() ? "jspi" : "asyncify";
}

export function createEngine(backend: Backend, host: GuestHost, log: (line: string) => void): Promise<Engine> {
  return backend === "jspi" ? JspiEngine.create(host, log) : AsyncifyEngine.create(host, log);
}
