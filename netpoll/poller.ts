// The netpoller (Go's netpoll.go + the net package's fd table): every socket
// and listener a program opened, the Gs parked on them, and how parked Gs are
// made runnable again.
//
// Node's event loop is our epoll: socket events arrive as callbacks, which
// ready the waiting Gs at the tail of the run queue (Go's injectglist). The
// scheduler returns to the event loop whenever its run queue is empty
// (netpoll(block)) and at least every YIELD_EVERY_MS while Gs stay runnable
// (netpoll(0)), so busy goroutines never starve I/O.
//
// Invariants: `waiting` counts Gs parked here (in a pollDesc, a dial or a
// listen); it is part of the scheduler's hostWaiters, so a program whose
// goroutines all wait for the network is idle, not deadlocked. Every object in
// `objects` is open; close() and shutdown() remove them.
import fs from "node:fs";
import net from "node:net";
import type { G } from "../runtime/goroutine.js";
import type { Scheduler } from "../runtime/scheduler.js";
import type { TimerHeap } from "../runtime/timer.js";
import { formatAddress, type Endpoint, type Network } from "./addr.js";
import { Conn } from "./conn.js";
import { fromNodeError, timeoutError, type NetErrorInfo } from "./errors.js";
import { Listener } from "./listener.js";
import { performance } from "node:perf_hooks";

/** Wire forms of results that complete a parked dial/listen (see netops.ts). */
export type NetResult = string;

export class Poller {
  private readonly objects = new Map<number, Conn | Listener>();
  private nextId = 1;
  private closed = false;
  /**
   * A listener got a connection since the scheduler last took this flag.
   * Node accepts one connection per event-loop turn, so while connects keep
   * arriving the scheduler turns the loop more often (Scheduler.schedule):
   * Go's accept drains the kernel's queue at once.
   */
  connectionArrived = false;

  constructor(private readonly sched: Scheduler) {}

  get timers(): TimerHeap {
    return this.sched.timers;
  }

  /** Open sockets and listeners (for leak checks and stats). */
  get open(): number {
    return this.objects.size;
  }

  get(id: number): Conn | Listener | undefined {
    return this.objects.get(id);
  }

  /**
   * Parks g for I/O. `cancel` undoes the registration if g is killed while
   * parked; otherwise exactly one ready(g) ends the wait.
   */
  park(g: G, cancel: () => void): number {
    const r = this.parkIO(g);
    g.unpark = () => {
      this.sched.hostWaiters--;
      cancel();
    };
    return r;
  }

  /**
   * Parks g on the pollDesc in g.ioWait (PollDesc.wait): the switch path of
   * every blocking read, write and accept, so it allocates nothing (a killed
   * G is taken off by the shared unparkIO).
   */
  parkIO(g: G): number {
    g.waitReason = "IO wait";
    g.param = undefined;
    this.sched.hostWaiters++;
    g.unpark = this.unparkIO;
    return this.sched.park(g);
  }

  /** g, parked by parkIO, is killed: it leaves its pollDesc and drops its retry. */
  private readonly unparkIO = (g: G): void => {
    this.sched.hostWaiters--;
    g.retry = null;
    const pd = g.ioWait;
    g.ioWait = null;
    g.ioData = undefined;
    pd?.cancel(g, g.ioMode);
  };

  ready(g: G): void {
    g.ioWait = null;
    this.sched.hostWaiters--;
    this.sched.readyLater(g);
  }

  /** Completes a parked dial or listen with its result. */
  private complete(g: G, result: NetResult): void {
    g.param = result;
    this.ready(g);
  }

  /** Starts listening; g is parked until Node reports listening or an error. */
  listen(g: G, network: Network, ep: Endpoint): number {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    let done = false;
    const finish = (r: NetResult): void => {
      if (done) return;
      done = true;
      server.off("error", onError);
      this.complete(g, r);
    };
    const onError = (e: Error): void => {
      server.close();
      finish(errorResult(fromNodeError("listen", network, ep.kind === "unix" ? ep.path : "", e)));
    };
    server.once("error", onError);
    server.once("listening", () => {
      const addr = ep.kind === "unix" ? ep.path : formatAddress(server.address());
      const l = new Listener(this.nextId++, network, server, addr, this);
      this.objects.set(l.id, l);
      finish(`L${JSON.stringify({ id: l.id, addr })}`);
    });
    const backlog = listenBacklog();
    if (ep.kind === "unix") server.listen({ path: ep.path, backlog });
    else server.listen({ host: ep.host || undefined, port: ep.port, ipv6Only: ep.family === 6, backlog });
    return this.park(g, () => {
      done = true;
      server.close();
    });
  }

  /** Connects; g is parked until connected, refused, or `timeoutMs` (> 0) passes. */
  dial(g: G, network: Network, ep: Endpoint, target: string, timeoutMs: number): number {
    const sock =
      ep.kind === "unix"
        ? net.connect({ path: ep.path, allowHalfOpen: true })
        : net.connect({ host: ep.host, port: ep.port, family: ep.family || undefined, allowHalfOpen: true });
    let done = false;
    const timer = timeoutMs > 0 ? this.timers.add(performance.now() + timeoutMs, () => fail(null)) : null;
    const finish = (r: NetResult): void => {
      if (done) return;
      done = true;
      if (timer) this.timers.stop(timer);
      sock.off("error", fail);
      this.complete(g, r);
    };
    const fail = (e: Error | null): void => {
      if (done) return;
      sock.on("error", () => {}); // a late error from the abandoned socket must not reach the host
      sock.destroy();
      finish(errorResult(e ? fromNodeError("dial", network, target, e) : timeoutError("dial", network, target)));
    };
    sock.once("error", fail);
    sock.once("connect", () => {
      if (done) return;
      const c = this.adopt(sock, network, ep.kind === "unix" ? ep.path : "", false);
      finish(connResult(c));
    });
    return this.park(g, () => {
      done = true;
      if (timer) this.timers.stop(timer);
      sock.on("error", () => {});
      sock.destroy();
    });
  }

  /** Wraps an accepted or dialed socket in a Conn with an id. */
  adopt(sock: net.Socket, network: Network, unixPath: string, accepted: boolean): Conn {
    const c = new Conn(this.nextId++, network, sock, this, unixPath, accepted);
    this.objects.set(c.id, c);
    return c;
  }

  close(obj: Conn | Listener): NetErrorInfo | null {
    const r = obj.close();
    this.objects.delete(obj.id);
    return r;
  }

  /** The program ended: close everything it left open (Go's process exit closes its fds). */
  shutdown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const obj of this.objects.values()) {
      if (obj instanceof Conn) obj.sock.destroy();
      obj.close();
    }
    this.objects.clear();
  }
}

export function errorResult(e: NetErrorInfo): NetResult {
  return `E${JSON.stringify(e)}`;
}

export function connResult(c: Conn): NetResult {
  return `C${JSON.stringify({ id: c.id, local: c.local, remote: c.remote })}`;
}

let backlogCache = 0;

/**
 * The kernel's accept queue length for listeners, as Go's maxListenerBacklog
 * picks it: the system's limit (net.core.somaxconn), not Node's 511. Node
 * accepts only when its event loop turns, which a busy scheduler delays by up
 * to a time slice; a burst of connects beyond the queue is dropped by the
 * kernel and the peers wait for its SYN-ACK retransmits (1 s, 3 s, …).
 */
function listenBacklog(): number {
  if (backlogCache === 0) {
    let n = 511;
    try {
      const v = Number(fs.readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());
      if (Number.isInteger(v) && v > 0) n = Math.min(v, 65535); // Go: the kernel keeps it in a uint16 before 4.1
    } catch {
      // not Linux: Node's default
    }
    backlogCache = n;
  }
  return backlogCache;
}
