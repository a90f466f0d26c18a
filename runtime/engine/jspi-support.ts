// Whether this Node can run the jspi backend, and with which of V8's two JSPI
// APIs. Kept apart from jspi.ts so that the quickgo command can decide
// whether to start itself again without loading the engine.
/** JSPI as V8 has it from Node 24 on. */
export interface JspiWebAssembly {
  Suspending: new (fn: (...args: number[]) => unknown) => WebAssembly.ImportValue;
  promising: (fn: WebAssembly.ExportValue) => (...args: number[]) => Promise<number>;
}

/** V8 11–12's JSPI (Node 20 and 22 with --experimental-wasm-stack-switching): the suspender is an explicit first externref. */
export interface LegacyJspiWebAssembly {
  Suspender: unknown;
  Function: new (
    type: { parameters: string[]; results: string[] },
    fn: unknown,
    usage: { suspending: "first" } | { promising: "first" },
  ) => WebAssembly.ImportValue & ((...args: number[]) => Promise<number>);
}

/** JSPI as Node 24+ has it, without flags. */
function hasStandardJspi(): boolean {
  const W = WebAssembly as unknown as Partial<JspiWebAssembly>;
  return typeof W.Suspending === "function" && typeof W.promising === "function";
}

/** V8's earlier JSPI API, present on Node 20 and 22 started with --experimental-wasm-stack-switching. */
export function hasLegacyJspi(): boolean {
  const W = WebAssembly as unknown as Partial<LegacyJspiWebAssembly>;
  return !hasStandardJspi() && typeof W.Suspender === "function" && typeof W.Function === "function";
}

/** True when this Node can run the jspi backend (either API). */
export function hasJspi(): boolean {
  return hasStandardJspi() || hasLegacyJspi();
}

/** V8's flag that turns on its earlier JSPI API: it must be given when Node starts (set later, V8 crashes). */
export const LEGACY_JSPI_FLAG = "--experimental-wasm-stack-switching";
