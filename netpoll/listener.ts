// A listening socket (Go's net.Listener) on a Node net.Server. Node accepts
// connections as they arrive (pauseOnConnect: no data is read from them);
// they wait in `backlog` until a goroutine calls accept().
//
// States: listening ─close()─▶ closed (queued connections are destroyed,
// parked accepts fail with ErrClosed, a unix socket file is removed).
import fs from "node:fs";
import type { Server, Socket } from "node:net";
import type { Network } from "./addr.js";
import { closedError, fromNodeError, timeoutError, type NetErrorInfo } from "./errors.js";
import { WOULD_BLOCK } from "./conn.js";
import { Mode, PollDesc } from "./pollDesc.js";
import type { Poller } from "./poller.js";

export class Listener {
  readonly pd: PollDesc;
  /** accepted by Node, not yet by the program (FIFO) */
  private backlog: Socket[] = [];
  private err: Error | null = null;

  constructor(
    readonly id: number,
    readonly net: Network,
    readonly server: Server,
    /** Go's Addr().String(): "127.0.0.1:34567", "[::]:80", or the socket path */
    readonly addr: string,
    poller: Poller,
  ) {
    this.pd = new PollDesc(poller);
    server.on("connection", (s: Socket) => {
      // A queued connection reset by its peer must not be an unhandled 'error' (a host crash); Conn adds its own listener.
      s.on("error", ignore);
      if (this.pd.closing) return void s.destroy();
      poller.connectionArrived = true;
      this.backlog.push(s);
      this.pd.wake(Mode.Read);
    });
    server.on("error", (e) => {
      this.err ??= e;
      this.pd.wakeAll();
    });
  }

  /** The next connection, an error, or WOULD_BLOCK. */
  accept(): Socket | NetErrorInfo | typeof WOULD_BLOCK {
    const b = this.pd.prepare(Mode.Read);
    if (b === "closed") return closedError("accept", this.net, this.addr);
    if (b === "timeout") return timeoutError("accept", this.net, this.addr);
    while (this.backlog.length > 0) {
      const s = this.backlog.shift()!;
      if (!s.destroyed) return s;
    }
    if (this.err) return fromNodeError("accept", this.net, this.addr, this.err);
    return WOULD_BLOCK;
  }

  close(): NetErrorInfo | null {
    if (this.pd.closing) return closedError("close", this.net, this.addr);
    this.pd.evict();
    for (const s of this.backlog) s.destroy();
    this.backlog = [];
    this.server.close();
    // Go's UnixListener unlinks its socket file on Close.
    if (this.net === "unix") fs.rmSync(this.addr, { force: true });
    return null;
  }
}

function ignore(): void {}
