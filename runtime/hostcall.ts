// Serves the guest's host calls (see ops.ts): reads the arguments straight
// from wasm memory, runs the operation on the runtime's objects, and either
// returns a JSValue* or parks the calling G. A GoPanic becomes a guest
// exception (catchable, like recover); nothing a guest passes can throw in
// the host.
//
// Handle ids are shared by every kind of runtime object (channels, WaitGroups,
// mutexes, onces, contexts, timers…); 0 is the nil channel. Handles live as
// long as the runtime.
import { AtomicCell } from "./atomic.js";
import { Chan, ChanResult } from "./chan.js";
import { Cond } from "./cond.js";
import { Context } from "./context.js";
import { PARK } from "./engine/engine.js";
import { type JSContextPtr, type JSValuePtr, type QuickJSWasm, WasmOutOfMemory } from "./engine/quickjs.js";
import { ErrGroup } from "./errgroup.js";
import type { G, StartSpec, Wire } from "./goroutine.js";
import { CtxErr, CtxKind, HOST_FN_REF, NET_METHOD_MAX_ID, NET_METHOD_REF, Op, SelectKind, TimerKind } from "./ops.js";
import { GoFatal, GoPanic, goTraceback } from "./panic.js";
import { RWMutex } from "./rwmutex.js";
import { PRELUDE_FILE, type Scheduler } from "./scheduler.js";
import { type SelectCase, selectgo } from "./select.js";
import { Semaphore } from "./semaphore.js";
import { Mutex, Once, WaitGroup } from "./sync.js";
import { GoTimer } from "./time.js";
import type { Timer } from "./timer.js";
import { performance } from "node:perf_hooks";

/** The toolkit's opcode range in ops.ts (served by toolkitOp). */
const TOOLKIT_FIRST_OP = 40;
const TOOLKIT_LAST_OP = 69;

// Made once: constructing a TextDecoder costs ~20 µs in Node (an ICU converter), decoding 64 bytes ~0.2 µs.
const fatalUtf8 = new TextDecoder("utf-8", { fatal: true });
const lenientUtf8 = new TextDecoder("utf-8");

/** How the netpoller reads the arguments of the current host call. */
export interface CallArgs {
  num(i: number): number;
  str(i: number): string;
  /** the i-th argument's JSValue pointer */
  val(i: number): JSValuePtr;
}

/**
 * The netpoller's side of the host calls (netpoll/netops.ts). An interface
 * here, so that the package's .d.ts files do not reach netpoll's Node types
 * (a TypeScript host need not have @types/node).
 */
export interface NetDispatch {
  dispatch(g: G, w: QuickJSWasm, ctx: JSContextPtr, op: number, a: CallArgs): JSValuePtr;
}

/**
 * The operations that never block, the only ones guest code may call while
 * the host runs it on its own account (Scheduler.inCallback: a setter of the
 * program's that a module's load triggers, a toString that describe calls…).
 * That code runs inside a host call or a switch and cannot be suspended; an
 * operation that may block panics there instead.
 */
const NEVER_BLOCKS = new Set<number>([
  Op.ChanMake, Op.RecvOk, Op.Close, Op.ChanLen, Op.ChanCap, Op.SelectRecv, Op.After, Op.Tick, Op.Now,
  Op.WgNew, Op.WgAdd, Op.MutexNew, Op.Unlock, Op.TryLock, Op.OnceNew, Op.NumGoroutine, Op.Goid, Op.Print,
  Op.Args, Op.LoadPrelude, Op.AddIntrinsic, Op.GoNamed, Op.GoClosure,
  Op.CtxNew, Op.CtxCancel, Op.CtxDone, Op.CtxErr, Op.CtxValue, Op.CtxDeadline, Op.RWMutexNew, Op.RUnlock,
  Op.TryRLock, Op.CondNew, Op.CondSignal, Op.SemNew, Op.SemRelease, Op.GroupNew, Op.GroupDone, Op.GroupSetLimit,
  Op.AtomicNew, Op.Atomic, Op.TimerNew, Op.TimerStop, Op.TimerReset, Op.Related, Op.Stack,
  Op.NetCloseWrite, Op.NetClose, Op.NetSetDeadline, Op.NetInfo, Op.NetMethod, Op.TextEncode, Op.TextDecode,
]);

type Handle = Chan | WaitGroup | Mutex | Once | RWMutex | Cond | Semaphore | Context | ErrGroup | AtomicCell | GoTimer;

export class HostCalls {
  private readonly handles = new Map<number, Handle>();
  private nextHandle = 1;
  /** sizeof(JSValue): argv[i] is at argv + i * valueSize */
  private valueSize = 0;
  /** A parked G resumed only to capture its stack for a dump; it parks again at once. */
  dumpRequested: G | null = null;
  private readonly readyFn: (g: G) => void;
  /** the netpoller's calls (Op.Net*) */
  private readonly net: NetDispatch;
  /** the call being served (set by dispatch): what `args` reads */
  private argc = 0;
  private argv = 0;
  private ctx = 0;
  /** argument readers of the call being served, handed to NetOps; made once, not per call */
  private readonly args: CallArgs = {
    num: (i) => (i < this.argc ? this.wasm.getNumber(this.ctx, this.argp(i)) : NaN),
    str: (i) => (i < this.argc ? this.wasm.getString(this.ctx, this.argp(i)) : ""),
    val: (i) => (i < this.argc ? this.argp(i) : this.wasm.undefinedPtr),
  };
  /**
   * A Conn method's call (see NET_METHOD_REF) read as the hidden function's
   * NetRead / NetWrite call it stands for: (op, conn id, conn, slow, the
   * method's own argument). `methodConn`, `methodThis`, `methodSlow`: the
   * call being served, like argc and argv.
   */
  private methodConn = 0;
  private methodThis = 0;
  private methodSlow = 0;
  private readonly methodArgs: CallArgs = {
    num: (i) => (i === 1 ? this.methodConn : i === 4 ? this.args.num(0) : NaN),
    str: (i) => (i === 4 ? this.args.str(0) : ""),
    val: (i) => (i === 2 ? this.methodThis : i === 3 ? this.methodSlow : i === 4 ? this.args.val(0) : this.wasm.undefinedPtr),
  };
  private readonly stopTimerFn: (t: Timer) => void;
  private readonly newChanFn: () => Chan;
  /** context.background(), made on first use */
  private background: Context | null = null;

  constructor(
    private readonly sched: Scheduler,
    net: NetDispatch,
  ) {
    // A host waiter (see G.host) is woken by its callback, never scheduled.
    this.readyFn = (g) => (g.host === null ? sched.ready(g) : g.host(g));
    this.net = net;
    this.stopTimerFn = (t) => void sched.timers.stop(t);
    this.newChanFn = () => this.add((id) => new Chan(id, 0, this.readyFn));
  }

  private argp(i: number): JSValuePtr {
    return this.argv + i * this.valueSize;
  }

  /** The instance of the G being served (set by dispatch and resumed; a host call never nests across Gs). */
  private wasm!: QuickJSWasm;

  dispatch(g: G, argc: number, argv: number, thisPtr = 0, hostRef = HOST_FN_REF): number {
    const w = (this.wasm = g.engine!.wasm);
    const ctx = g.ctx;
    if (this.valueSize === 0) this.valueSize = w.x.QTS_ArgvGetJSValueConstPointer(0, 1);
    // The readers are made once (no closures per call) and read the call being
    // served; a call that runs guest code (a prelude module's script) may serve
    // a nested call, so the outer call's arguments are put back after it.
    const { num, str } = this.args;
    const outer = this.argc;
    const outerArgv = this.argv;
    const outerCtx = this.ctx;
    // A Conn method's operands likewise (only such a call changes them).
    const method = hostRef !== HOST_FN_REF;
    const outerConn = method ? this.methodConn : 0;
    const outerThis = method ? this.methodThis : 0;
    const outerSlow = method ? this.methodSlow : 0;
    this.argc = argc;
    this.argv = argv;
    this.ctx = ctx;
    try {
      let op: number;
      let args = this.args;
      if (!method) op = num(0);
      else {
        // A Conn's read or write (NET_METHOD_REF + 2 × id + kind).
        const k = hostRef - NET_METHOD_REF;
        op = k & 1 ? Op.NetWrite : Op.NetRead;
        this.methodConn = k >>> 1;
        this.methodThis = thisPtr;
        this.methodSlow = g.netSlow;
        args = this.methodArgs;
      }
      if (g.killed) throw new GoPanic("goroutine killed");
      // Setup runs the program's top-level code: it may name a lazy built-in
      // (const cache = new Map()), which the host adds (Op.AddIntrinsic). It
      // also decodes the goroutine's arguments (Op.Start), a Conn among them
      // getting its methods (Op.NetMethod).
      if (g.inSetup && op !== Op.Now && op !== Op.LoadPrelude && op !== Op.AddIntrinsic && op !== Op.Start && op !== Op.NetMethod) {
        throw new GoPanic(
          "top-level code runs in every goroutine's context, so it cannot use the quickgo runtime " +
            "(go, chan, print, …): move it into main() or a function",
        );
      }
      if (this.sched.inCallback > 0 && !NEVER_BLOCKS.has(op)) {
        throw new GoPanic(
          "quickgo: cannot block in code the runtime runs on its own account " +
            "(a getter, setter or toString of the program's that a runtime operation called)",
        );
      }
      // The netpoller's first: a server's goroutines make little else.
      if (op >= Op.NetListen && op < Op.TextEncode) return op === Op.NetMethod ? this.netMethod(g, ctx) : this.net.dispatch(g, w, ctx, op, args);
      return op >= TOOLKIT_FIRST_OP && op <= TOOLKIT_LAST_OP ? this.toolkitOp(g, ctx, op, num, str) : this.op(g, ctx, op, num, str, argc);
    } catch (e) {
      if (e instanceof GoFatal) return this.sched.fatal(g, e.message);
      if (e instanceof GoPanic) return w.throwError(ctx, e.message, e.guestName);
      if (e instanceof WasmOutOfMemory) return w.throwError(ctx, e.message, "RangeError");
      return w.throwError(ctx, `quickgo internal error: ${(e as Error).message ?? String(e)}`);
    } finally {
      this.argc = outer;
      this.argv = outerArgv;
      this.ctx = outerCtx;
      if (method) {
        this.methodConn = outerConn;
        this.methodThis = outerThis;
        this.methodSlow = outerSlow;
      }
    }
  }

  /**
   * Op.NetMethod (connId, kind, slow): a Conn's read (kind 0) or write (1) as
   * a host function of its own; the first call also keeps net.js's `slow`
   * for the Conn methods of g's context (g.netSlow). Undefined for an id past
   * the refs' range: net.js then binds the hidden function instead.
   */
  private netMethod(g: G, ctx: JSContextPtr): number {
    const w = this.wasm;
    const id = this.args.num(1);
    const kind = this.args.num(2) === 1 ? 1 : 0;
    if (!(Number.isInteger(id) && id > 0 && id < NET_METHOD_MAX_ID)) return 0;
    if (g.netSlow === 0) {
      g.netSlow = w.x.QTS_DupValuePointer(ctx, this.args.val(3));
      if (g.netSlow === 0) return 0;
    }
    const f = w.newFunction(ctx, kind === 0 ? "read" : "write", NET_METHOD_REF + 2 * id + kind);
    if (f === 0) throw new GoPanic("runtime: out of memory (cannot make a Conn method)");
    return f;
  }

  private op(g: G, ctx: JSContextPtr, op: number, num: (i: number) => number, str: (i: number) => string, argc: number): number {
    const s = this.sched;
    switch (op) {
      case Op.SendNum:
      case Op.SendWire: {
        const c = this.chan(num(1));
        const v: Wire = op === Op.SendNum ? num(2) : str(2);
        if (!c) return this.parkForever(g, "chan send (nil chan)");
        if (c.send(g, v, true) === ChanResult.Park) {
          g.waitReason = "chan send";
          return this.parkWith(g);
        }
        return 0;
      }
      case Op.Recv: {
        const c = this.chan(num(1));
        if (!c) return this.parkForever(g, "chan receive (nil chan)");
        if (c.recv(g, true) === ChanResult.Park) {
          g.waitReason = "chan receive";
          return s.park(g);
        }
        return this.toGuest(ctx, g.param);
      }
      case Op.RecvOk:
        return this.bool(ctx, g.param2 === 1);
      case Op.SelectRecv:
        g.param2 = g.selectOk ? 1 : 0;
        return this.toGuest(ctx, g.selectRecv);
      case Op.Select: {
        const hasDefault = num(1) === 1;
        const n = num(2);
        const cases: SelectCase[] = [];
        for (let i = 0; i < n; i++) {
          const base = 3 + 3 * i;
          if (base + 2 >= argc) throw new GoPanic("select: malformed cases");
          const kind = num(base);
          const c = this.chan(num(base + 1));
          const v: Wire | undefined =
            kind === SelectKind.SendNum ? num(base + 2) : kind === SelectKind.SendWire ? str(base + 2) : undefined;
          cases.push({ c, send: kind !== SelectKind.Recv, v });
        }
        const r = selectgo(g, cases, hasDefault);
        if (r === "park") return s.park(g);
        return this.num(ctx, r);
      }
      case Op.ChanMake:
        return this.num(ctx, this.newChan(num(1)).id);
      case Op.Close: {
        const c = this.chan(num(1));
        if (!c) throw new GoPanic("close of nil channel");
        c.close();
        return 0;
      }
      case Op.ChanLen:
        return this.num(ctx, this.chan(num(1))?.count ?? 0);
      case Op.ChanCap:
        return this.num(ctx, this.chan(num(1))?.cap ?? 0);
      case Op.GoNamed:
      case Op.GoClosure: {
        const fn = op === Op.GoNamed ? str(1) : num(1);
        if (typeof fn === "number" && !g.program.closures[fn]) throw new GoPanic(`go: unknown closure ${fn}`);
        const caps = str(2);
        const args = str(3);
        const wrap = str(4);
        const child = s.spawn({ fn, caps: caps || undefined, args: args || undefined, wrap: wrap || undefined }, g.program);
        return this.num(ctx, child.id);
      }
      case Op.Sleep: {
        const ms = num(1);
        if (!(ms > 0)) return 0;
        const t = s.timers.add(performance.now() + ms, () => s.ready(g));
        g.unpark = () => s.timers.stop(t);
        g.waitReason = "sleep";
        return this.parkWith(g);
      }
      case Op.After:
      case Op.Tick: {
        const ms = num(1);
        if (op === Op.Tick && !(ms > 0)) return this.num(ctx, 0); // Go: Tick(d <= 0) is nil
        const id = this.nextHandle++;
        const c = new Chan(id, 1, this.readyFn);
        this.handles.set(id, c);
        const fire = (): void => {
          c.send(g, performance.now(), false); // a full tick channel drops the tick, like Go
          if (op === Op.Tick) s.timers.add(performance.now() + ms, fire);
        };
        s.timers.add(performance.now() + Math.max(0, ms), fire);
        return this.num(ctx, id);
      }
      case Op.Now:
        return this.num(ctx, performance.now());
      case Op.WgNew:
      case Op.MutexNew:
      case Op.OnceNew: {
        const id = this.nextHandle++;
        const h = op === Op.WgNew ? new WaitGroup(id, this.readyFn) : op === Op.MutexNew ? new Mutex(id, this.readyFn) : new Once(id, this.readyFn);
        this.handles.set(id, h);
        return this.num(ctx, id);
      }
      case Op.WgAdd:
        this.get(num(1), WaitGroup).add(num(2));
        return 0;
      case Op.WgWait:
        return this.get(num(1), WaitGroup).wait(g) ? this.parkWith(g) : 0;
      case Op.Lock:
        return this.locker(num(1)).lock(g) ? this.parkWith(g) : 0;
      case Op.Unlock:
        this.locker(num(1)).unlock();
        return 0;
      case Op.TryLock:
        return this.bool(ctx, this.locker(num(1)).tryLock());
      case Op.OnceBegin: {
        const r = this.get(num(1), Once).begin(g);
        if (r === "park") {
          g.param = 0; // once it is done, the waiter has nothing to run
          return s.park(g);
        }
        return this.num(ctx, r === "run" ? 1 : 0);
      }
      case Op.OnceEnd:
        this.get(num(1), Once).end();
        return 0;
      case Op.Gosched:
        s.readyLater(g);
        g.param = undefined;
        return PARK;
      case Op.NumGoroutine:
        return this.num(ctx, s.allgs.size);
      case Op.Goid:
        return this.num(ctx, g.id);
      case Op.Print:
        s.write(num(1) === 2 ? 2 : 1, str(2));
        return 0;
      case Op.AddIntrinsic:
        return this.wasm.addIntrinsic(ctx, num(1)) ? 0 : this.wasm.pendingException();
      case Op.LoadPrelude:
        return s.loadPreludeModule(g, str(1));
      case Op.Args:
        return this.wasm.newString(ctx, JSON.stringify(g.program.args));
      case Op.Start:
        return this.start(g, ctx, argc);
      case Op.TextEncode:
        return this.wasm.newArrayBuffer(ctx, Buffer.from(str(1), "utf8"));
      case Op.TextDecode: {
        const bytes = this.wasm.getArrayBuffer(ctx, this.args.val(1));
        if (!bytes) throw new GoPanic("TextDecoder: input must be an ArrayBuffer");
        try {
          return this.wasm.newString(ctx, (num(2) === 1 ? fatalUtf8 : lenientUtf8).decode(bytes));
        } catch {
          return this.wasm.throwError(ctx, "The encoded data was not valid for encoding utf-8", "TypeError");
        }
      }
      default:
        throw new GoPanic(`quickgo: unknown operation ${op}`);
    }
  }

  /**
   * Op.Start: the prelude's entry names the call g's run starts with (its
   * function, then the arguments), once, in g's setup; kept in g.entryFn and
   * g.entryArgv until g ends (Scheduler.free).
   */
  private start(g: G, ctx: JSContextPtr, argc: number): number {
    if (!g.inSetup || g.entryFn !== 0) throw new GoPanic("quickgo internal error: a goroutine's start named outside its setup or twice");
    const w = this.wasm;
    const n = argc - 2;
    const argv = w.mallocOrThrow(4 * Math.max(1, n));
    let ok = true;
    for (let i = 0; i < n; i++) ok = (w.heap32()[(argv >> 2) + i] = w.x.QTS_DupValuePointer(ctx, this.args.val(2 + i))) !== 0 && ok;
    g.entryArgc = n;
    g.entryArgv = argv; // freed with what it holds (a 0 is skipped) by Scheduler.free
    g.entryFn = w.x.QTS_DupValuePointer(ctx, this.args.val(1));
    if (!ok || g.entryFn === 0) throw new GoPanic("runtime: out of memory (cannot start the goroutine)");
    return 0;
  }

  /** The toolkit's operations (Op 40–69): Go's context, sync, errgroup, atomic, time and runtime packages. */
  private toolkitOp(g: G, ctx: JSContextPtr, op: number, num: (i: number) => number, str: (i: number) => string): number {
    const s = this.sched;
    switch (op) {
      case Op.CtxNew: {
        const kind = num(1);
        if (kind === CtxKind.Background) {
          this.background ??= this.add((id) => new Context(id, null, false, Infinity));
          return this.num(ctx, this.background.id);
        }
        const parent = this.get(num(2), Context);
        if (kind === CtxKind.Value) return this.num(ctx, this.add((id) => new Context(id, parent, false, parent.deadline, str(3), str(4))).id);
        // withDeadline: a parent deadline that comes first makes this a plain withCancel, as in Go.
        const d = kind === CtxKind.Deadline && num(3) < parent.deadline ? num(3) : parent.deadline;
        const c = this.add((id) => new Context(id, parent, true, d));
        if (d < parent.deadline && c.err === CtxErr.None) {
          const left = d - Date.now();
          if (left <= 0) c.cancel(CtxErr.DeadlineExceeded, this.stopTimerFn);
          else c.timer = s.timers.add(performance.now() + left, () => c.cancel(CtxErr.DeadlineExceeded, this.stopTimerFn));
        }
        return this.num(ctx, c.id);
      }
      case Op.CtxCancel: {
        const c = this.get(num(1), Context);
        if (c.canceler === c) c.cancel(CtxErr.Canceled, this.stopTimerFn);
        return 0;
      }
      case Op.CtxDone:
        return this.num(ctx, this.get(num(1), Context).done(this.newChanFn)?.id ?? 0);
      case Op.CtxErr:
        return this.num(ctx, this.get(num(1), Context).error);
      case Op.CtxValue:
        return this.toGuest(ctx, this.get(num(1), Context).lookup(str(2)));
      case Op.CtxDeadline:
        return this.num(ctx, this.get(num(1), Context).deadline);
      case Op.RWMutexNew:
        return this.num(ctx, this.add((id) => new RWMutex(id, this.readyFn)).id);
      case Op.RLock:
        return this.get(num(1), RWMutex).rLock(g) ? this.parkWith(g) : 0;
      case Op.RUnlock:
        this.get(num(1), RWMutex).rUnlock();
        return 0;
      case Op.TryRLock:
        return this.bool(ctx, this.get(num(1), RWMutex).tryRLock());
      case Op.CondNew: {
        const lockerId = num(1);
        return this.num(ctx, this.add((id) => new Cond(id, lockerId, this.locker(lockerId), this.readyFn)).id);
      }
      case Op.CondWait:
        this.get(num(1), Cond).wait(g);
        return this.parkWith(g);
      case Op.CondSignal: {
        const c = this.get(num(1), Cond);
        if (num(2) === 1) c.broadcast();
        else c.signal();
        return 0;
      }
      case Op.SemNew:
        return this.num(ctx, this.add((id) => new Semaphore(id, this.count(num(1), "semaphore size"), this.readyFn)).id);
      case Op.SemAcquire: {
        const sem = this.get(num(1), Semaphore);
        const n = this.count(num(2), "semaphore weight");
        const mode = num(3);
        if (mode < 0) return this.num(ctx, sem.tryAcquire(n) ? 0 : 1);
        const c = mode > 0 ? this.get(mode, Context) : null;
        if (c && c.error !== CtxErr.None) return this.num(ctx, 1); // x/sync checks ctx first
        if (!sem.acquire(g, n, c)) return this.num(ctx, 0);
        return s.park(g); // g.param: 0 acquired, 1 canceled (set by whoever readies g)
      }
      case Op.SemRelease:
        this.get(num(1), Semaphore).release(this.count(num(2), "semaphore weight"));
        return 0;
      case Op.GroupNew: {
        const ctxId = num(1);
        const c = ctxId > 0 ? this.get(ctxId, Context) : null;
        return this.num(ctx, this.add((id) => new ErrGroup(id, c, this.readyFn, this.stopTimerFn)).id);
      }
      case Op.GroupGo: {
        const r = this.get(num(1), ErrGroup).start(g, num(2) === 1);
        if (r === "park") {
          g.param = 1;
          return s.park(g);
        }
        return this.bool(ctx, r === "ok");
      }
      case Op.GroupDone:
        this.get(num(1), ErrGroup).done(num(2) === 1, str(3));
        return 0;
      case Op.GroupWait: {
        const grp = this.get(num(1), ErrGroup);
        if (grp.wait(g)) return s.park(g);
        return this.toGuest(ctx, grp.err);
      }
      case Op.GroupSetLimit:
        this.get(num(1), ErrGroup).setLimit(num(2));
        return 0;
      case Op.AtomicNew: {
        const numeric = num(1) === 0;
        const init: Wire | undefined = numeric ? num(2) : undefined;
        return this.num(ctx, this.add((id) => new AtomicCell(id, numeric, init)).id);
      }
      case Op.Atomic: {
        const cell = this.get(num(1), AtomicCell);
        const arg = (i: number): Wire => (cell.numeric ? num(i) : str(i));
        const r = cell.apply(num(2), arg(3), arg(4));
        if (typeof r === "boolean") return this.bool(ctx, r);
        return this.toGuest(ctx, r);
      }
      case Op.TimerNew: {
        const kind = num(1);
        const ms = num(2);
        if (kind === TimerKind.Ticker && !(ms > 0)) throw new GoPanic("non-positive interval for NewTicker");
        const isFunc = kind === TimerKind.FuncNamed || kind === TimerKind.FuncClosure;
        let start: StartSpec | null = null;
        if (isFunc) {
          const fn = kind === TimerKind.FuncNamed ? str(3) : num(3);
          if (typeof fn === "number" && !g.program.closures[fn]) throw new GoPanic(`afterFunc: unknown closure ${fn}`);
          start = { fn, caps: str(4) || undefined, args: str(5) || undefined };
        }
        const c = isFunc ? null : this.add((id) => new Chan(id, 1, this.readyFn));
        const program = g.program; // the timer's goroutine runs the program of the G that made it
        const spawn = (st: StartSpec): void => void s.spawn({ ...st }, program);
        const t = this.add((id) => new GoTimer(id, s.timers, c, start, spawn, kind === TimerKind.Ticker ? ms : 0));
        t.start(ms);
        return this.num(ctx, t.id);
      }
      case Op.TimerStop:
        return this.bool(ctx, this.get(num(1), GoTimer).stop());
      case Op.TimerReset: {
        const t = this.get(num(1), GoTimer);
        const ms = num(2);
        if (t.period > 0 && !(ms > 0)) throw new GoPanic("non-positive interval for Ticker.Reset");
        return this.bool(ctx, t.reset(ms, t.period > 0 ? ms : 0));
      }
      case Op.Related: {
        const h = this.handles.get(num(1));
        const key = h instanceof Cond ? (this.handles.get(h.lockerId) instanceof RWMutex ? "r" : "m") + h.lockerId : h instanceof GoTimer && h.c ? `c${h.c.id}` : "";
        return this.wasm.newString(ctx, key);
      }
      case Op.Stack:
        return this.wasm.newString(ctx, `goroutine ${g.id} [running]:\n${goTraceback(str(1), PRELUDE_FILE)}\n`);
      default:
        throw new GoPanic(`quickgo: unknown operation ${op}`);
    }
  }

  /** Registers a new runtime object under the next handle id. */
  private add<T extends Handle>(make: (id: number) => T): T {
    const h = make(this.nextHandle++);
    this.handles.set(h.id, h);
    return h;
  }

  /** A Mutex, or an RWMutex's write side. */
  private locker(id: number): Mutex | RWMutex {
    const h = this.handles.get(id);
    if (h instanceof Mutex || h instanceof RWMutex) return h;
    throw new GoPanic("invalid Mutex handle");
  }

  /** A weight or size: a non-negative integer. */
  private count(n: number, what: string): number {
    if (!Number.isInteger(n) || n < 0) throw new GoPanic(`${what} must be a non-negative integer`, "RangeError");
    return n;
  }

  /** Result of a parked call, delivered when its G runs again. */
  resumed(g: G): number {
    const w = (this.wasm = g.engine!.wasm);
    if (this.dumpRequested === g) {
      g.stackTrace = this.sched.captureStack(g);
      return PARK;
    }
    if (g.preempted) {
      g.preempted = false;
      return g.killed ? 1 : 0; // the interrupt poll: 1 = uncatchable "interrupted"
    }
    if (g.killed) {
      g.retry = null;
      return w.throwError(g.ctx, "goroutine killed");
    }
    if (g.retry) {
      const retry = g.retry;
      g.retry = null;
      return retry(g);
    }
    if (g.panicOnResume !== undefined) {
      const m = g.panicOnResume;
      g.panicOnResume = undefined;
      return w.throwError(g.ctx, m);
    }
    try {
      return this.toGuest(g.ctx, g.param);
    } catch (e) {
      // The value cannot be copied into this goroutine's instance: its receive fails, the program goes on.
      if (e instanceof WasmOutOfMemory) return w.throwError(g.ctx, e.message, "RangeError");
      throw e;
    }
  }

  /** Parks g for an operation whose resumed call returns undefined. */
  private parkWith(g: G): number {
    g.param = undefined;
    return this.sched.park(g);
  }

  /** nil channel operations block forever (a deadlock if nothing else can run). */
  private parkForever(g: G, reason: "chan send (nil chan)" | "chan receive (nil chan)"): number {
    g.waitReason = reason;
    g.unpark = () => {};
    return this.parkWith(g);
  }

  /** makechan, for the guest (Op.ChanMake) and the host (Runtime.chan). */
  newChan(cap: number): Chan {
    const id = this.nextHandle++;
    const c = new Chan(id, cap, this.readyFn);
    this.handles.set(id, c);
    return c;
  }

  /** The channel with handle id, or undefined (host side: ids come from decoded values). */
  chanById(id: number): Chan | undefined {
    const h = this.handles.get(id);
    return h instanceof Chan ? h : undefined;
  }

  private chan(id: number): Chan | null {
    if (id === 0) return null;
    const h = this.handles.get(id);
    if (!(h instanceof Chan)) throw new GoPanic("not a channel");
    return h;
  }

  private get<T extends Handle>(id: number, kind: new (...a: never[]) => T): T {
    const h = this.handles.get(id);
    if (!(h instanceof kind)) throw new GoPanic(`invalid ${kind.name} handle`);
    return h;
  }

  private toGuest(ctx: JSContextPtr, v: Wire | undefined): number {
    const w = this.wasm;
    if (v === undefined) return 0;
    return typeof v === "number" ? w.x.QTS_NewFloat64(ctx, v) : w.newString(ctx, v);
  }

  private num(ctx: JSContextPtr, n: number): number {
    return this.wasm.x.QTS_NewFloat64(ctx, n);
  }

  private bool(ctx: JSContextPtr, b: boolean): number {
    const w = this.wasm;
    return w.x.QTS_DupValuePointer(ctx, b ? w.truePtr : w.falsePtr);
  }
}
