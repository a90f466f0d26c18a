// JSPI backend: each G's wasm call stack is a V8 secondary stack suspended by
// WebAssembly.Suspending and resumed by resolving the promise it waits on (on
// Node 20/22 started with LEGACY_JSPI_FLAG, V8's earlier API: the same with
// WebAssembly.Function objects and an explicit suspender, see create). The
// wasm shim (see wasm-build.ts) calls the plain import first and the
// Suspending twin only when it returned -1; the twin's result is the import's.
// run() computes that result (HostCalls.resumed: the retried operation, the
// received value…) before it resumes the stack, on the caller's stack with
// g's shadow stack and runtime entered, and resolves the promise with it; if
// g must wait again, its stack is not resumed at all. Each G runs in one of
// several shadow-stack regions, where its stack stays while it is parked
// unless another G of that region needs the room (stack-regions.ts).
//
// Invariants: one G runs at a time; a G's stack is resumed only from a
// microtask, never from inside a suspending call (run() may be called there,
// from park(), but it only resolves the promise the stack waits on, and a new
// G's first call is queued); `current` is set before the wasm stack continues.
import v8 from "node:v8";
import { type Engine, type GuestHost, PARK } from "./engine.js";
import { StackRegions } from "./stack-regions.js";
import { JSPI_SUSPEND, QG_CALL_PROMISING } from "./wasm-build.js";
import { QuickJSWasm } from "./quickjs.js";
import { hasLegacyJspi, type JspiWebAssembly, type LegacyJspiWebAssembly } from "./jspi-support.js";
import type { G } from "../goroutine.js";

export { hasJspi, hasLegacyJspi, LEGACY_JSPI_FLAG } from "./jspi-support.js";

/** The rejection that unwinds an abandoned G's stack (see release). */
const ABANDONED = new Error("quickgo: goroutine abandoned at program end");

export class JspiEngine implements Engine {
  readonly backend = "jspi" as const;
  readonly wasm: QuickJSWasm;
  private readonly host: GuestHost;
  private current: G | null = null;
  private callerSP = 0;
  private readonly regions: StackRegions;
  /** The entry call on a new wasm stack: a promise of its result (legacy JSPI: the result itself when the stack never suspended). */
  private readonly call: (ctx: number, fn: number, thisVal: number, argc: number, argv: number) => Promise<number> | number;
  /** run()'s callback for the G running now, called once when it parks or exits. */
  private stopped: (() => void) | undefined;

  private constructor(wasm: QuickJSWasm, host: GuestHost, legacy: boolean) {
    this.wasm = wasm;
    this.host = host;
    this.regions = new StackRegions(wasm);
    if (legacy) {
      // The shim's entry export takes the suspender first; the promising wrapper passes it.
      const W = WebAssembly as unknown as LegacyJspiWebAssembly;
      const entry = wasm.exports[QG_CALL_PROMISING];
      this.call = new W.Function({ parameters: ["i32", "i32", "i32", "i32", "i32"], results: ["externref"] }, entry, { promising: "first" });
    } else {
      const W = WebAssembly as unknown as JspiWebAssembly;
      this.call = W.promising(wasm.x.QTS_Call as unknown as WebAssembly.ExportValue);
    }
  }

  static async create(host: GuestHost, log: (line: string) => void): Promise<JspiEngine> {
    let engine: JspiEngine | undefined;
    const park = (): Promise<number> => engine!.park();
    const legacy = hasLegacyJspi();
    let hostCallSuspend: WebAssembly.ImportValue;
    let interruptSuspend: WebAssembly.ImportValue;
    if (legacy) {
      // V8 11's TurboFan inlines a JS call to a wasm export into a direct call,
      // and for a promising WebAssembly.Function that skips passing the
      // suspender: once run() was optimized (~1500 goroutines), each new
      // goroutine's entry got shifted arguments and trapped (memory access out
      // of bounds). Read when TurboFan compiles, so setting it now holds.
      v8.setFlagsFromString("--no-turbo-inline-js-wasm-calls");
      // The shim's Suspending twins: (suspender, ...the import's parameters) -> i32 (wasm-build.ts).
      const W = WebAssembly as unknown as LegacyJspiWebAssembly;
      const twin = (params: number): WebAssembly.ImportValue =>
        new W.Function({ parameters: ["externref", ...Array<string>(params).fill("i32")], results: ["i32"] }, park, { suspending: "first" });
      hostCallSuspend = twin(5);
      interruptSuspend = twin(1);
    } else {
      const W = WebAssembly as unknown as JspiWebAssembly;
      hostCallSuspend = interruptSuspend = new W.Suspending(park);
    }
    const wasm = await QuickJSWasm.load("jspi", {
      hostCall: (_ctx, thisPtr, argc, argv, ref) => engine!.onImport(argc, argv, thisPtr, ref, false),
      interrupt: () => engine!.onImport(0, 0, 0, 0, true),
      hostCallSuspend,
      interruptSuspend,
      legacyJspi: legacy,
    }, log);
    engine = new JspiEngine(wasm, host, legacy);
    return engine;
  }

  private onImport(argc: number, argv: number, thisPtr: number, ref: number, interrupt: boolean): number {
    const g = this.current;
    if (!g) return 0;
    const r = interrupt ? this.host.interrupt(g) : this.host.hostCall(g, argc, argv, thisPtr, ref);
    return r === PARK ? JSPI_SUSPEND : r;
  }

  /**
   * Called (as the Suspending import) on g's stack: hands the wasm stack back
   * and tells the scheduler g stopped. The scheduler picks the next G right
   * here, before g's stack is suspended (when this returns): resuming a G only
   * resolves the promise its stack waits on, so it runs after g has
   * suspended, and a new G is started from a microtask (see run). One
   * microtask hop per switch instead of two, and no promise per run.
   */
  private park(): Promise<number> {
    const g = this.current!;
    this.leave(g);
    this.parking = g;
    const resumed = new Promise<number>(this.parkExecutor);
    this.parking = null;
    this.stop();
    return resumed;
  }

  /** The G park() is making a promise for: read by parkExecutor, so no closure is made per park. */
  private parking: G | null = null;
  private readonly parkExecutor = (resolve: (r: number) => void, reject: (e: Error) => void): void => {
    const g = this.parking!;
    g.wake = resolve;
    g.abandon = reject;
  };

  /** The running G stopped: calls run's `stopped` (once). */
  private stop(): void {
    const stopped = this.stopped;
    this.stopped = undefined;
    stopped?.();
  }

  run(g: G, stopped: () => void): boolean {
    this.stopped = stopped;
    if (g.savedSP === 0) {
      // Its first call would run its stack inside this call, which may be another G's park.
      queueMicrotask(() => this.start(g));
      return false;
    }
    this.enter(g);
    let r: number;
    try {
      r = this.host.resumed(g);
    } catch (e) {
      // As if thrown at g's import: the rejection unwinds g's stack and finish() reports it.
      const abandon = g.abandon!;
      g.wake = g.abandon = undefined;
      abandon(e instanceof Error ? e : new Error(String(e)));
      return false;
    }
    if (r === PARK) {
      // g waits again (a spurious wake-up, a goroutine dump): its stack stays
      // suspended on the same promise, not resumed only to suspend again.
      this.stopped = undefined;
      this.leave(g);
      return true;
    }
    const wake = g.wake!;
    g.wake = g.abandon = undefined;
    wake(r);
    return false;
  }

  /** g's stack is suspended (or stays so): its region keeps it, and the stack pointer is the caller's again. */
  private leave(g: G): void {
    this.regions.parked(g);
    this.wasm.stackPointer = this.callerSP;
    this.current = null;
  }

  private enter(g: G): void {
    this.callerSP = this.wasm.stackPointer;
    this.current = g;
    this.regions.enter(g);
  }

  /** g's first run: its setup, then its entry call on a new wasm stack. */
  private start(g: G): void {
    const w = this.wasm;
    this.enter(g);
    try {
      this.host.setup(g, w);
    } catch (e) {
      this.finish(g, e);
      return;
    }
    let done: Promise<number> | number;
    try {
      done = this.call(g.ctx, g.entryFn, w.undefinedPtr, g.entryArgc, g.entryArgv);
    } catch (e) {
      this.finish(g, e); // legacy JSPI: an entry that fails before it ever suspended may throw here
      return;
    }
    if (typeof done === "number") {
      this.finish(g, undefined, done); // legacy JSPI: an entry that never suspended returns its value, not a promise
      return;
    }
    done.then(
      (ret) => this.finish(g, undefined, ret),
      (e: unknown) => {
        if (e !== ABANDONED) this.finish(g, e);
      },
    );
  }

  /**
   * Rejects the promise g's suspended stack waits on: the rejection is thrown
   * at the import and unwinds every wasm frame without running any of them
   * (QuickJS has no handler for host exceptions), so V8 can free the stack.
   * Measured: 150 deadlocked programs with 3 parked goroutines each kept
   * ~70 MiB of RSS and ~17 MiB of JS heap for good before this.
   */
  release(g: G): void {
    this.regions.left(g);
    const abandon = g.abandon;
    g.wake = g.abandon = undefined;
    abandon?.(ABANDONED);
  }

  /** g's entry call is over (it returned, or the engine failed under it). */
  private finish(g: G, error: unknown, ret = 0): void {
    const w = this.wasm;
    g.savedSP = 0;
    this.regions.left(g);
    try {
      if (error === undefined) {
        try {
          this.host.exited(g, ret);
        } catch (e) {
          // As in the asyncify backend: a host error while ending g ends it as a crash (never an unhandled rejection).
          this.host.crashed(g, e instanceof Error ? e : new Error(String(e)));
        }
      } else this.host.crashed(g, error instanceof Error ? error : new Error(String(error)));
    } finally {
      w.stackPointer = this.callerSP;
      this.current = null;
      this.stop();
    }
  }
}
