// Picks the stack-switching backend: QUICKGO_BACKEND or the caller's choice,
// else JSPI when this Node has it (Node 24+), else asyncify (Node 20/22).
import type { Engine, GuestHost } from "../runtime/engine/engine.js";
import { AsyncifyEngine } from "../runtime/engine/asyncify.js";
import { JspiEngine, hasJspi } from "../runtime/engine/jspi.js";

/** The two ways quickgo can suspend a goroutine's wasm stack. */
export type Backend = "asyncify" | "jspi";

export function availableBackends(): Backend[] {
  return hasJspi() ? ["jspi", "asyncify"] : ["asyncify"];
}

export function chooseBackend(requested?: Backend | "auto"): Backend {
  const want = requested && requested !== "auto" ? requested : (process.env.QUICKGO_BACKEND as Backend | "auto" | undefined);
  if (want && want !== "auto") {
    if (want !== "asyncify" && want !== "jspi") throw new Error(`quickgo: unknown backend "${want}" (use asyncify or jspi)`);
    if (want === "jspi" && !hasJspi()) {
      throw new Error(`quickgo: the jspi backend needs WebAssembly.Suspending (Node 24 or later); this is Node ${process.version}`);
    }
    return want;
  }
  return hasJspi() ? "jspi" : "asyncify";
}

export function createEngine(backend: Backend, host: GuestHost, log: (line: string) => void): Promise<Engine> {
  return backend === "jspi" ? JspiEngine.create(host, log) : AsyncifyEngine.create(host, log);
}
