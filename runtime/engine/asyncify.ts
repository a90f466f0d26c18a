// Asyncify backend: a parked G's wasm call stack lives in memory, not on the
// native stack. Parking unwinds every wasm frame into its stack region's
// scratch buffer (binaryen's asyncify data); resuming re-issues the G's entry
// call, which rewinds from that data to the import that parked. The G's shadow
// stack and asyncify data stay in its region (stack-regions.ts) until another
// G of the region runs; the shadow stack is always at the same addresses, so
// pointers into it stay valid. Runs synchronously: no promise per switch.
// A G's setup (new runtime, prelude, program) and teardown (panic report,
// freeing its runtime) never park, so they run on the uninstrumented setup
// twin (quickjs.ts), about 2x faster than on the asyncified code.
//
// Invariant: `current` is the G whose frames are on the wasm stack (or being
// unwound/rewound), null between runs. Only run() changes it.
import { type Engine, type GuestHost, PARK } from "./engine.js";
import { StackRegions } from "./stack-regions.js";
import { QuickJSWasm } from "./quickjs.js";
import type { G } from "../goroutine.js";

const enum State { Normal = 0, Unwinding = 1, Rewinding = 2 }
/** Asyncify data buffer of each stack region: bounds a parked G's depth, not memory per G (untouched pages cost nothing). */
const UNWIND_BUFFER_BYTES = 1 << 20;

export class AsyncifyEngine implements Engine {
  readonly backend = "asyncify" as const;
  readonly wasm: QuickJSWasm;
  private readonly host: GuestHost;
  private current: G | null = null;
  /**
   * Mirrors of asyncify's state, kept here so the switch path does not call
   * asyncify_get_state (a call into wasm) three times per park/resume:
   * `rewinding` from start_rewind until the parked import is reached again,
   * `unwinding` from start_unwind until run() stops it.
   */
  private rewinding = false;
  private unwinding = false;
  private readonly regions: StackRegions;

  private constructor(wasm: QuickJSWasm, host: GuestHost) {
    this.wasm = wasm;
    this.host = host;
    this.regions = new StackRegions(wasm, UNWIND_BUFFER_BYTES);
  }

  static async create(host: GuestHost, log: (line: string) => void): Promise<AsyncifyEngine> {
    let engine: AsyncifyEngine | undefined;
    const wasm = await QuickJSWasm.load("asyncify", {
      hostCall: (_ctx, thisPtr, argc, argv, ref) => engine!.onImport(argc, argv, thisPtr, ref, false),
      interrupt: () => engine!.onImport(0, 0, 0, 0, true),
    }, log, {
      hostCall: (_ctx, thisPtr, argc, argv, ref) => engine!.onSetupImport(argc, argv, thisPtr, ref, false),
      interrupt: () => engine!.onSetupImport(0, 0, 0, 0, true),
    });
    engine = new AsyncifyEngine(wasm, host);
    return engine;
  }

  /** A parked G is bytes in the G object and in its stack region: nothing to release but the region. */
  release(g: G): void {
    this.regions.left(g);
  }

  private onImport(argc: number, argv: number, thisPtr: number, ref: number, interrupt: boolean): number {
    const g = this.current;
    if (!g) return 0; // a call outside any G (setup of the instance): nothing to switch
    const a = this.wasm.asyncify!;
    let r: number;
    if (this.rewinding) {
      this.rewinding = false;
      a.asyncify_stop_rewind();
      r = this.host.resumed(g);
    } else {
      r = interrupt ? this.host.interrupt(g) : this.host.hostCall(g, argc, argv, thisPtr, ref);
    }
    if (r !== PARK) return r;
    const buf = this.regions.scratch(g);
    const h32 = this.wasm.heap32();
    h32[buf >> 2] = buf + 8;
    h32[(buf + 4) >> 2] = buf + UNWIND_BUFFER_BYTES;
    a.asyncify_start_unwind(buf);
    this.unwinding = true;
    return 0;
  }

  /**
   * An import called on the setup twin (quickjs.ts), which runs a G's setup
   * and teardown uninstrumented and so cannot unwind. Invariant: nothing parks
   * there (the scheduler never preempts a G in setup or in a host callback
   * such as the panic report, and HostCalls allows only non-blocking
   * operations in setup). Should a host call park anyway, the guest gets an
   * error instead.
   */
  private onSetupImport(argc: number, argv: number, thisPtr: number, ref: number, interrupt: boolean): number {
    const g = this.current;
    if (!g) return 0;
    const r = interrupt ? this.host.interrupt(g) : this.host.hostCall(g, argc, argv, thisPtr, ref);
    if (r !== PARK) return r;
    if (interrupt) throw new Error("quickgo internal error: a goroutine was preempted during its setup or teardown");
    return this.wasm.throwError(g.ctx, "quickgo: a goroutine cannot block during its setup or teardown");
  }

  run(g: G): boolean {
    const w = this.wasm;
    const a = w.asyncify!;
    const callerSP = w.stackPointer;
    this.current = g;
    let ret: number;
    try {
      this.regions.enter(g);
      if (g.savedSP === 0) {
        w.onSetupTwin(() => this.host.setup(g, w));
      } else {
        // Its asyncify data is in its region's scratch (regions.enter put it back if it was evicted).
        const buf = this.regions.scratch(g);
        const h32 = w.heap32();
        h32[buf >> 2] = buf + 8 + g.savedUnwindLen;
        h32[(buf + 4) >> 2] = buf + UNWIND_BUFFER_BYTES;
        a.asyncify_start_rewind(buf);
        this.rewinding = true;
      }
      ret = w.x.QTS_Call(g.ctx, g.entryFn, w.undefinedPtr, g.entryArgc, g.entryArgv);
      if (this.unwinding) {
        this.unwinding = false;
        a.asyncify_stop_unwind();
        const buf = this.regions.scratch(g);
        g.savedUnwindLen = w.heap32()[buf >> 2]! - (buf + 8); // the data stays in the region until evicted
        this.regions.parked(g);
      } else {
        g.savedSP = 0;
        this.regions.left(g);
        // g's frames are gone and nothing parks while its runtime is freed: the twin frees it faster.
        w.onSetupTwin(() => this.host.exited(g, ret));
      }
    } catch (e) {
      // A trap or a V8 stack overflow inside wasm: g's frames are gone half-way.
      this.unwinding = this.rewinding = false;
      if (a.asyncify_get_state() === State.Unwinding) a.asyncify_stop_unwind();
      else if (a.asyncify_get_state() === State.Rewinding) a.asyncify_stop_rewind();
      g.savedSP = 0;
      this.regions.left(g);
      w.onSetupTwin(() => this.host.crashed(g, e instanceof Error ? e : new Error(String(e))));
    } finally {
      w.stackPointer = callerSP;
      this.current = null;
    }
    return true;
  }
}
