// A goroutine (G). States, after Go's runtime2.go:
//
//   idle ──run──▶ running ──park──▶ waiting ──ready──▶ runnable ──run──▶ running
//                   │  └──gosched/preempt──▶ runnable                       │
//                   └──────────── return / panic / kill ──▶ dead ◀──────────┘
//
// Invariants: exactly one G is running at a time (the scheduler's `current`);
// a runnable G is in the run queue or in runnext, nowhere else; a waiting G is
// referenced only by what it waits on (a channel's wait queue, a timer, a
// WaitGroup…), which must ready it exactly once. Engine fields are touched only
// by the engine that runs the G; scheduler fields only by the scheduler.
// A host waiter (`host` set) is a G that never runs: it stands for a host
// promise blocked on a channel, is in no run queue and not in allgs.
import type { Engine } from "./engine/engine.js";
import type { JSContextPtr, JSRuntimePtr, JSValuePtr, Ptr } from "./engine/quickjs.js";
import type { ProgramImage } from "./scheduler.js";

/** Goroutine ids are positive integers, 1 is main; branded so they do not mix with channel ids. */
export type GoroutineId = number & { readonly __goroutineId: unique symbol };

export const enum GStatus {
  Idle,
  Runnable,
  Running,
  Waiting,
  Dead,
}

export const statusName = ["idle", "runnable", "running", "waiting", "dead"] as const;

/** Why a G waits, in Go's words (shown in goroutine dumps). */
export type WaitReason =
  | "chan receive"
  | "chan send"
  | "chan receive (nil chan)"
  | "chan send (nil chan)"
  | "select"
  | "select (no cases)"
  | "sleep"
  | "sync.WaitGroup.Wait"
  | "sync.Mutex.Lock"
  | "sync.RWMutex.RLock"
  | "sync.RWMutex.Lock"
  | "sync.Cond.Wait"
  | "semacquire"
  | "IO wait"
  | "";

/** How a G's first run starts: a top-level function by name or a closure by id, and wire-encoded arguments. */
export interface StartSpec {
  fn: string | number;
  /** wire form of the captured values (closures only) */
  caps: string | undefined;
  /** wire form of the argument array, or undefined for no arguments */
  args: string | undefined;
  /**
   * handle key of what runs the function and hears of its end (WaitGroup.go:
   * a WaitGroup, errgroup's go: its Group), or undefined to just call it
   */
  wrap?: string | undefined;
}

/** A value as it travels between goroutines: numbers as-is, everything else encoded by the guest codec. */
export type Wire = number | string;

/** Where a G parked for I/O is registered (netpoll's PollDesc): cancel takes it off. */
export interface IoWaitSet {
  cancel(g: G, mode: number): void;
}

export class G {
  // --- scheduler (hot) ---
  status: GStatus = GStatus.Idle;
  /** Result for the parked call when it resumes (a wire value, or undefined). */
  param: Wire | undefined = undefined;
  /** Second result of the parked call: recv ok flag / selected case index. */
  param2 = 0;
  /** select: value and ok of the receive case that fired */
  selectRecv: Wire | undefined = undefined;
  selectOk = false;
  /** Set when the resumed call must throw instead of returning `param`. */
  panicOnResume: string | undefined = undefined;
  waitReason: WaitReason = "";
  /**
   * A parked I/O operation to run again when g resumes (netpoll/netops.ts):
   * returns the call's result, or parks g again. Set only while g waits on a
   * pollDesc; cleared when it runs or g is killed. One function per kind of
   * operation, shared by every G: its operands are in io*.
   */
  retry: ((g: G) => number) | null = null;
  /** The parked I/O operation's operands (netpoll/netops.ts): object id, a size, the bytes to write. */
  ioId = 0;
  ioN = 0;
  ioData: Uint8Array | undefined = undefined;
  /**
   * A parked Conn read or write's operands (netpoll/netops.ts): JSValue
   * pointers to the guest Conn (the call's `this`, or its bound argument) and
   * its `slow` helper, on g's shadow stack or in g.netSlow, which stay intact
   * (in its region or its spill) until the call returns. Set when such a call parks; read only by
   * its retry.
   */
  ioConn = 0;
  ioSlow = 0;
  /**
   * net.js's `slow` helper in g's context (a JSValue pointer g owns), handed
   * over when the net module makes its first Conn method (Op.NetMethod): a
   * Conn's read and write, host functions of their own, get it from here.
   * Freed with g's context.
   */
  netSlow = 0;
  /** The pollDesc g waits on (with its mode) while parked for I/O; cleared when woken. */
  ioWait: IoWaitSet | null = null;
  ioMode = 0;

  // --- engine (hot on switches) ---
  /** the wasm instance this G lives in, chosen at its first run */
  engine: Engine | null = null;
  /** The runtime g's context lives in, shared with other goroutines (runtime-groups.ts). */
  rt: JSRuntimePtr = 0;
  ctx: JSContextPtr = 0;
  /** g's heap account in wasm memory (heap-accounting.ts), set with rt. */
  account: Ptr = 0;
  /** While parked: the head of g's QuickJS frame chain (JSRuntime.current_stack_frame), restored when it runs. */
  frame: Ptr = 0;
  /** The entry call: function, this, argc and argv pointers, re-issued to rewind (asyncify). */
  entryFn: JSValuePtr = 0;
  entryArgv: Ptr = 0;
  entryArgc = 0;
  /** Shadow-stack pointer while parked (0 = never ran). */
  savedSP = 0;
  /**
   * Once evicted from its region while parked (stack-regions.ts): its live
   * shadow stack [savedSP, top), then its asyncify data, in a wasm-memory
   * buffer of spillCap bytes (kept for later evictions, freed when g ends),
   * or in savedStack if wasm memory had no room for one.
   */
  spill: Ptr = 0;
  spillCap = 0;
  savedStack: Uint8Array | undefined = undefined;
  /** Bytes of the evicted stack (savedUnwindLen: of the asyncify data after it). */
  savedStackLen = 0;
  /** The shadow-stack region g runs in (-1 until its first run; see stack-regions.ts). */
  stackRegion = -1;
  /** While parked, true if g's stack bytes are still in its region (not copied out). */
  stackResident = false;
  /** Bytes of asyncify data while parked (asyncify only): in its region's scratch, or after the stack once evicted. */
  savedUnwindLen = 0;
  /** jspi only: resumes the suspended wasm stack (resolves the promise it waits on). */
  wake: ((v: number) => void) | undefined = undefined;
  /** jspi only: unwinds the suspended wasm stack without running it (rejects that promise; see Engine.release). */
  abandon: ((e: Error) => void) | undefined = undefined;
  /** While waiting: undoes the wait (dequeues the sudog, stops the timer…), for kill. Cleared by ready. */
  unpark: ((g: G) => void) | null = null;
  /** Set by kill: the G dies at its next resume or interrupt poll, and every runtime call throws until then. */
  killed = false;
  /** True while parked by preemption: the resumed call is the interrupt poll, which returns 0. */
  preempted = false;
  /** True while the program's top-level code runs in this G: blocking is not allowed there. */
  inSetup = false;
  /** Set for a host waiter: readying it calls this instead of scheduling it. */
  host: ((g: G) => void) | null = null;

  // --- cold ---
  readonly id: GoroutineId;
  readonly start: StartSpec;
  /** The program whose code this G's context evaluates (its children inherit it). */
  readonly program: ProgramImage;
  /** JS stack captured for dumps (while parked, on demand). */
  stackTrace = "";

  constructor(id: number, start: StartSpec, program: ProgramImage) {
    this.id = id as GoroutineId;
    this.start = start;
    this.program = program;
  }
}
