// WaitGroup, Mutex and Once, after Go's sync package (RWMutex, Cond and the
// semaphore have files of their own). They are runtime objects
// (goroutines share no memory): guests hold handles to them. Waiters park with
// Go's wait reasons and are readied in FIFO order.
import type { G } from "./goroutine.js";
import { GoFatal, GoPanic } from "./panic.js";

export type Ready = (g: G) => void;

/** What sync.Cond waits with: a Mutex, or an RWMutex's write side. */
export interface Locker {
  /** true: the caller must park; it owns the lock when it resumes */
  lock(g: G): boolean;
  unlock(): void;
}

/** Queues g on a waiter list, remembering how to take it off again (kill). */
export function enqueue(waiters: G[], g: G): void {
  waiters.push(g);
  g.unpark = () => {
    const i = waiters.indexOf(g);
    if (i >= 0) waiters.splice(i, 1);
  };
}

export class WaitGroup {
  /** counter */
  n = 0;
  /** Gs parked in wait() */
  readonly waiters: G[] = [];
  constructor(readonly id: number, private readonly ready: Ready) {}

  add(delta: number): void {
    this.n += delta;
    if (this.n < 0) throw new GoPanic("sync: negative WaitGroup counter");
    if (this.n === 0) for (const g of this.waiters.splice(0)) this.ready(g);
  }

  /** true: the caller must park until the counter reaches zero */
  wait(g: G): boolean {
    if (this.n === 0) return false;
    enqueue(this.waiters, g);
    g.waitReason = "sync.WaitGroup.Wait";
    return true;
  }
}

export class Mutex implements Locker {
  locked = false;
  /** Gs parked in lock(); unlock hands the mutex to the first directly (no barging) */
  readonly waiters: G[] = [];
  constructor(readonly id: number, private readonly ready: Ready) {}

  /** true: the caller must park; it owns the mutex when it resumes */
  lock(g: G): boolean {
    if (!this.locked) {
      this.locked = true;
      return false;
    }
    enqueue(this.waiters, g);
    g.waitReason = "sync.Mutex.Lock";
    return true;
  }

  tryLock(): boolean {
    if (this.locked) return false;
    this.locked = true;
    return true;
  }

  unlock(): void {
    if (!this.locked) throw new GoFatal("sync: unlock of unlocked mutex");
    const next = this.waiters.shift();
    if (next) this.ready(next); // ownership passes to next; stays locked
    else this.locked = false;
  }
}

/** Once: the first caller of do() runs f in its own goroutine; others wait until f returns. */
export class Once {
  done = false;
  running = false;
  readonly waiters: G[] = [];
  constructor(readonly id: number, private readonly ready: Ready) {}

  /** "run": the caller runs f then calls end(); "done": nothing to do; "park": wait for the runner */
  begin(g: G): "run" | "done" | "park" {
    if (this.done) return "done";
    if (!this.running) {
      this.running = true;
      return "run";
    }
    enqueue(this.waiters, g);
    g.waitReason = "sync.Mutex.Lock";
    return "park";
  }

  /** f returned or panicked: Go counts both as done. */
  end(): void {
    this.done = true;
    this.running = false;
    for (const g of this.waiters.splice(0)) this.ready(g);
  }
}
