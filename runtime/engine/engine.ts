// The interface between the scheduler and a stack-switching backend.
// Nothing outside runtime/engine/ knows which backend runs: the scheduler only
// calls `run(g)` and answers the `GuestHost` callbacks.
import type { G } from "../goroutine.js";
import type { BackendName, JSValuePtr, QuickJSWasm } from "./quickjs.js";

/** Returned by a GuestHost callback to suspend the running G (never a valid pointer). */
export const PARK = -2;

/** What a backend asks of the runtime. Every callback runs with the G's stack active. */
export interface GuestHost {
  /** First run of g: create its runtime and context and set g.entry*. Throws on failure. */
  setup(g: G, wasm: QuickJSWasm): void;
  /**
   * The guest called a host function (hostRef: which one, thisPtr: its `this`):
   * a JSValue* (0 = undefined), an exception from throwError, or PARK.
   */
  hostCall(g: G, argc: number, argv: number, thisPtr: number, hostRef: number): number;
  /** g's parked call is being resumed: its result, or PARK to park again. */
  resumed(g: G): number;
  /** QuickJS polled the interrupt handler: 0 = go on, 1 = kill (uncatchable), PARK = preempt. */
  interrupt(g: G): number;
  /** g's entry call returned `ret` (a value or an exception). Free g's runtime here. */
  exited(g: G, ret: JSValuePtr): void;
  /** g died inside the engine (wasm trap, V8 stack overflow): its runtime is not usable any more. */
  crashed(g: G, error: Error): void;
}

export interface Engine {
  readonly backend: BackendName;
  readonly wasm: QuickJSWasm;
  /**
   * Runs g (first run or resume) until it parks or exits. Only one G runs at a
   * time per process. Returns true when g has stopped by the time run
   * returns (asyncify: always); otherwise (jspi) g runs once the current
   * microtask is over and the engine calls `stopped` when it has stopped,
   * possibly from inside another call to run (never before run returns).
   */
  run(g: G, stopped: () => void): boolean;
  /**
   * The program is over and g, parked, will never run again: release what
   * the engine holds for it outside wasm memory. A no-op for asyncify (a
   * parked G is plain bytes); jspi unwinds its suspended native stack,
   * which V8 otherwise keeps, with everything it references, as long as the
   * process lives.
   */
  release(g: G): void;
}

/** QuickJS's own stack limit inside a G's shadow-stack region (stack-regions.ts): deep recursion fails as a catchable guest error first. */
export const GUEST_STACK_LIMIT = 256 * 1024;
