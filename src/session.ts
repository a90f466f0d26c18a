// A Runtime's session: one long-lived scheduler for the goroutines the host
// starts with Runtime.go and the channels it makes with Runtime.chan. Unlike
// a program run, a session has no main: the host plays main's part. So the
// scheduler never declares deadlock by itself (the session holds one of its
// hostWaiters for good: the host can always still act); instead, when Node's
// event loop runs dry (beforeExit) while the host awaits a channel operation
// or a goroutine's `done`, and no goroutine can run, nothing can ever settle
// those promises: that is the session's deadlock.
//
// State: `error` is null while the session runs; the first of panic,
// deadlock or shutdown sets it, ends the scheduler, and rejects every pending
// host operation and every observed `done` with it. Programs are loaded once
// per (file, source) and shared by every goroutine started from them.
import { type Chan } from "../runtime/chan.js";
import type { G } from "../runtime/goroutine.js";
import { GoPanic, type PanicInfo } from "../runtime/panic.js";
import { type ExitStatus, type ProgramImage, Scheduler, type SchedulerOptions } from "../runtime/scheduler.js";
import { DeadlockError, GoroutineKilled, GoroutinePanic, GuestSyntaxError } from "./errors.js";
import { Channel, type ChanSession } from "./hostchan.js";
import { GuestHandle, HostCodec } from "./hostcodec.js";
import { loadProgram } from "./loader.js";

/** What the session reports to its Runtime. */
export interface SessionEvents {
  /** A goroutine panicked (the session is over); returns whether anyone listened. */
  panic(err: GoroutinePanic): boolean;
  /** The host waits on something no goroutine can do (the session is over); returns whether anyone listened. */
  deadlock(err: DeadlockError): boolean;
  /** Where unobserved session errors are reported, as Go would print them. */
  stderr(s: string): void;
}

/**
 * A goroutine started by `Runtime.go`. `done` settles when it ends: it
 * resolves when the function returns, and rejects with `GoroutinePanic` (it
 * or another goroutine of the session panicked), `GoroutineKilled`,
 * `DeadlockError` or `ShutdownError`.
 */
export class Goroutine {
  /** The goroutine id (as `goid()` returns inside it). */
  readonly id: number;
  private readonly session: Session;
  private outcome: { error: Error | null } | null = null;
  private waiter: { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } | null = null;

  /** @internal Use `Runtime.go()`. */
  constructor(session: Session, id: number) {
    this.session = session;
    this.id = id;
  }

  /**
   * Settles when the goroutine ends (see the class). Created on first use,
   * so an unobserved goroutine's failure is not an unhandled rejection; while
   * observed and pending it counts as a host waiter for deadlock detection.
   */
  get done(): Promise<void> {
    if (this.outcome) return this.outcome.error ? Promise.reject(this.outcome.error) : Promise.resolve();
    if (!this.waiter) {
      let resolve!: () => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.waiter = { promise, resolve, reject };
      this.session.observe(1);
    }
    return this.waiter.promise;
  }

  /** Stops the goroutine (see `Runtime.kill`); `done` rejects with GoroutineKilled. False if it already ended. */
  kill(): boolean {
    return this.outcome === null && this.session.sched.kill(this.id);
  }

  /** @internal */
  settle(error: Error | null): void {
    if (this.outcome) return;
    this.outcome = { error };
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    this.session.observe(-1);
    if (error) w.reject(error);
    else w.resolve();
  }

}

interface LoadedImage {
  image: ProgramImage;
  /** the program's top-level names: what Runtime.go may start */
  fns: Set<string>;
}

/** Sessions whose host awaits something: checked for deadlock when Node's event loop runs dry. */
const watched = new Set<Session>();
const onBeforeExit = (): void => {
  for (const s of watched) s.checkDeadlock();
};

/** The session of one Runtime (see the header); internal, the public surface is Runtime, Channel and Goroutine. */
export class Session implements ChanSession {
  readonly sched: Scheduler;
  readonly codec: HostCodec;
  error: Error | null = null;
  private readonly events: SessionEvents;
  private readonly programs = new Map<string, LoadedImage>();
  /** one Channel per channel handle, so identity survives the round trip */
  private readonly channels = new Map<number, Channel>();
  /** blocked host operations: the host waiter and how to fail its promise */
  private readonly pending = new Map<G, (e: Error) => void>();
  /** goroutines started by the host, by G */
  private readonly goroutines = new Map<G, Goroutine>();
  /** `done` promises awaited and unsettled */
  private observedDone = 0;
  private deadlockCheck = false;

  constructor(opts: Omit<SchedulerOptions, "program" | "onGoexit">, events: SessionEvents) {
    this.events = events;
    this.sched = new Scheduler({ ...opts, onGoexit: (g, p) => this.goexit(g, p) });
    this.sched.hostWaiters++; // the host itself, for the session's whole life (see the header)
    this.codec = new HostCodec({
      handleOf: (v) => this.handleOf(v),
      handleFrom: (key) => this.handleFrom(key),
    });
  }

  /** Creates the first wasm instance and runs (goroutines spawned before wait for it). */
  start(): void {
    void this.sched.start().then((status) => this.schedulerEnded(status));
  }

  /** Starts `fn` of program `source` as a new goroutine. */
  go(source: string, file: string, fn: string, args: unknown[]): Goroutine {
    if (this.error) throw this.error;
    const program = this.load(source, file);
    if (!program.fns.has(fn)) throw new GuestSyntaxError(file, 1, 1, `function ${fn} is undeclared in ${file}`);
    const wire = args.length > 0 ? (this.codec.encode(args, "go argument") as string) : undefined;
    let g: G;
    try {
      g = this.sched.spawn({ fn, caps: undefined, args: wire }, program.image);
    } catch (e) {
      if (e instanceof GoPanic) throw new RangeError(e.message);
      throw e;
    }
    const gr = new Goroutine(this, g.id);
    this.goroutines.set(g, gr);
    return gr;
  }

  /** makechan from the host. */
  chan<T>(cap: number): Channel<T> {
    if (this.error) throw this.error;
    if (!Number.isInteger(cap)) throw new TypeError("makechan: size must be an integer");
    if (cap < 0) throw new RangeError("makechan: size out of range");
    return this.channelFor(this.sched.calls.newChan(cap)) as Channel<T>;
  }

  /** Loads a program once per (file, source); throws GuestSyntaxError. */
  private load(source: string, file: string): LoadedImage {
    const key = `${file}\0${source}`;
    let p = this.programs.get(key);
    if (!p) {
      const loaded = loadProgram(source, file);
      p = { image: { file, code: loaded.code, closures: loaded.closures, args: [] }, fns: new Set(loaded.topLevel) };
      this.programs.set(key, p);
    }
    return p;
  }

  private channelFor(c: Chan): Channel {
    let ch = this.channels.get(c.id);
    if (!ch) {
      ch = new Channel(this, c);
      this.channels.set(c.id, ch);
    }
    return ch;
  }

  private handleOf(v: unknown): string | null {
    if (v instanceof Channel) {
      if (v.session !== this) throw new TypeError("chan send: the channel belongs to another Runtime (or an ended session)");
      return `c${v.id}`;
    }
    if (v instanceof GuestHandle) return v.key;
    return null;
  }

  private handleFrom(key: string): unknown {
    if (key[0] === "c") {
      const c = this.sched.calls.chanById(Number(key.slice(1)));
      if (!c) throw new Error("malformed value");
      return this.channelFor(c);
    }
    return new GuestHandle(key);
  }

  // ---- host waiters ----

  /** Parks host waiter g (see ChanSession.park): its callback settles the promise and keeps deadlock tracking current. */
  park(g: G): Promise<G> {
    return new Promise<G>((resolve, reject) => {
      g.host = (w) => {
        this.sched.flush(); // what goroutines printed before this comes first
        this.pending.delete(w);
        this.watch();
        if (w.panicOnResume !== undefined) reject(new Error(w.panicOnResume));
        else resolve(w);
      };
      this.pending.set(g, reject);
      this.watch();
    });
  }

  /** @internal a `done` became observed (+1) or settled (-1) */
  observe(delta: number): void {
    this.observedDone += delta;
    this.watch();
  }

  /** Keeps this session in the beforeExit check exactly while the host awaits something of it. */
  private watch(): void {
    const want = this.error === null && (this.pending.size > 0 || this.observedDone > 0);
    if (want === watched.has(this)) return;
    if (want) {
      if (watched.size === 0) process.on("beforeExit", onBeforeExit);
      watched.add(this);
    } else {
      watched.delete(this);
      if (watched.size === 0) process.off("beforeExit", onBeforeExit);
    }
  }

  /** Node's event loop is empty: if no goroutine can run either, the host's awaits are a deadlock. */
  checkDeadlock(): void {
    if (this.error || this.deadlockCheck || !this.sched.asleep(1)) return;
    this.deadlockCheck = true;
    void this.sched.dumpGoroutines().then((dump) => {
      this.deadlockCheck = false;
      if (this.error || !this.sched.asleep(1)) return;
      const host = [...this.pending.keys()].map((g) => `host [${g.waitReason}]`);
      const waiting = host.length ? `\n${host.join("\n")}\n` : "";
      const err = new DeadlockError(dump + waiting, ` (the host awaits ${this.pending.size + this.observedDone} operation(s) nothing can complete)`);
      if (!this.events.deadlock(err) && !this.observedBySomeone()) this.events.stderr(`${err.report}\n`);
      this.end(err);
    });
  }

  private observedBySomeone(): boolean {
    return this.pending.size > 0 || this.observedDone > 0;
  }

  // ---- the end ----

  private goexit(g: G, panic: PanicInfo | undefined): void {
    const gr = this.goroutines.get(g);
    // A panic ends the whole session: end() settles the goroutine's done with the session's error.
    if (!gr || panic) return;
    this.goroutines.delete(g);
    this.sched.flush();
    gr.settle(g.killed ? new GoroutineKilled(g.id) : null);
  }

  /** The scheduler finished: by a panic (the only way it ends by itself) or by end(). */
  private schedulerEnded(status: ExitStatus): void {
    const p = status.panic;
    if (!p || this.error) return;
    // Dump once the panicking G's run is over (jspi finishes it in a promise).
    setImmediate(() => {
      void dumpQuietly(this.sched).then((dump) => {
        if (this.error) return;
        const err = new GoroutinePanic(p.goroutine, p.message, p.trace, dump);
        const listened = this.events.panic(err);
        if (!listened && !this.observedBySomeone()) this.events.stderr(err.report);
        this.end(err);
      });
    });
  }

  /** Ends the session with err: the scheduler stops and everything the host awaits fails with err. */
  end(err: Error): void {
    if (this.error) return;
    this.error = err;
    this.sched.finish({ code: 2 }); // flushes output
    const pending = [...this.pending];
    this.pending.clear();
    for (const [g, reject] of pending) {
      g.unpark?.(g);
      reject(err);
    }
    for (const gr of this.goroutines.values()) gr.settle(err);
    this.goroutines.clear();
    this.watch();
    // Every dump this session reports was taken before end() (schedulerEnded, checkDeadlock).
    this.sched.releaseParked();
  }
}

/**
 * The dump of the goroutines still alive after a program ended (a panicking
 * G is gone by then: it has its own trace). Never throws.
 */
export async function dumpQuietly(sched: Scheduler): Promise<string> {
  try {
    return await sched.dumpGoroutines();
  } catch (e) {
    return `(goroutine dump unavailable: ${(e as Error).message})`;
  }
}
