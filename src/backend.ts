// Picks the stack-switching backend: QUICKGO_BACKEND or the caller's choice,
// else JSPI when this Node has it (Node 24+, or Node 20/22 started with
// --experimental-wasm-stack-switching), else asyncify (Node 20/22).
import type { Engine, GuestHost } from "../runtime/engine/engine.js";
import { AsyncifyEngine } from "../runtime/engine/asyncify.js";
import { JspiEngine, hasJspi } from "../runtime/engine/jspi.js";
import { jspiNeedsFlag, LEGACY_JSPI_FLAG, type Backend } from "./node-flags.js";

export { LEGACY_JSPI_FLAG, jspiNeedsFlag, missingNodeFlags, nodeFlagsFor, type Backend } from "./node-flags.js";

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
