// RWMutex, after Go's sync/rwmutex.go: many readers or one writer, with
// writer preference so neither side starves.
//
// State: `readers` holding a read lock, `writer` holding the write lock.
// Invariants: writer implies readers === 0; a reader waits only while a
// writer holds the lock or is queued (a queued writer blocks new readers,
// Go's negative readerCount); a writer waits only while the lock is held or
// readers queued before it have not been admitted. Unlock admits every
// queued reader first, then the next writer waits for them: readers and
// writers alternate, as in Go.
import type { G } from "./goroutine.js";
import { GoFatal } from "./panic.js";
import { enqueue, type Locker, type Ready } from "./sync.js";

export class RWMutex implements Locker {
  /** goroutines holding a read lock */
  readers = 0;
  /** the write lock is held */
  writer = false;
  /** Gs parked in rLock, FIFO */
  readonly readerq: G[] = [];
  /** Gs parked in lock, FIFO; the first gets the lock when the readers are gone */
  readonly writerq: G[] = [];
  constructor(readonly id: number, private readonly ready: Ready) {}

  /** true: the caller must park; it holds a read lock when it resumes */
  rLock(g: G): boolean {
    if (this.tryRLock()) return false;
    enqueue(this.readerq, g);
    g.waitReason = "sync.RWMutex.RLock";
    return true;
  }

  tryRLock(): boolean {
    if (this.writer || this.writerq.length > 0) return false;
    this.readers++;
    return true;
  }

  rUnlock(): void {
    if (this.readers === 0) throw new GoFatal("sync: RUnlock of unlocked RWMutex");
    if (--this.readers === 0) this.admitWriter();
  }

  /** true: the caller must park; it holds the write lock when it resumes */
  lock(g: G): boolean {
    if (this.tryLock()) return false;
    enqueue(this.writerq, g);
    g.waitReason = "sync.RWMutex.Lock";
    return true;
  }

  tryLock(): boolean {
    if (this.writer || this.readers > 0 || this.writerq.length > 0) return false;
    this.writer = true;
    return true;
  }

  unlock(): void {
    if (!this.writer) throw new GoFatal("sync: Unlock of unlocked RWMutex");
    this.writer = false;
    if (this.readerq.length > 0) {
      const admitted = this.readerq.splice(0);
      this.readers += admitted.length;
      for (const g of admitted) this.ready(g);
    } else this.admitWriter();
  }

  /** The lock is free of readers: hand it to the first queued writer, if any. */
  private admitWriter(): void {
    const w = this.writerq.shift();
    if (!w) return;
    this.writer = true;
    this.ready(w);
  }
}
