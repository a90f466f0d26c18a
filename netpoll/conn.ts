// A connected socket (Go's netFD + net.Conn) on a Node net.Socket. Chunks
// Node reads are queued (rqHead, rqRest) until a goroutine reads them; once
// 64 KiB sit unread the socket is paused, so back-pressure reaches the peer
// and nothing is buffered without bound. (Flowing mode with pause/resume
// costs ~8% less CPU per message than Node's paused mode with 'readable' and
// read(n).)
//
// States: open ─closeWrite()─▶ write-shut (reads go on) ─close()─▶ closed
//         open ─close()─▶ closed; peer EOF sets `eof`; a socket error sets `err`.
// After close() every operation fails with ErrClosed (pollDesc.closing).
// Invariant: pendingWrites holds an entry only for a G parked in write().
// A write goes to Node without a callback: most are taken by the kernel at
// once, and a callback would cost Node a tick and an object per write. One
// that Node still holds is followed by an empty *barrier* write with the
// callback; Node completes writes in order, so the barrier's callback means
// every byte before it has gone. Barriers are numbered 1, 2, … in issue
// order, `writesDone` counts the completed ones, and barrier k is done once
// writesDone >= k (failed if an error came at or before it). Only a
// destroyed stream calls back out of order, always with an error, and then
// every barrier from the first failed one on has failed.
import type { Socket } from "node:net";
import type { G } from "../runtime/goroutine.js";
import type { Network } from "./addr.js";
import { joinHostPort } from "./addr.js";
import { closedError, fromNodeError, timeoutError, type NetErrorInfo } from "./errors.js";
import { Mode, PollDesc } from "./pollDesc.js";
import type { Poller } from "./poller.js";

/**
 * Unread bytes a Conn holds before it pauses its socket. Node then stops
 * reading, the kernel buffer fills and the peer's TCP window closes: data
 * nobody asked for is never buffered without bound.
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** The operation cannot complete now: park on the pollDesc and retry when woken. */
export const WOULD_BLOCK = Symbol("would block");

/** The barrier written after a write Node could not finish at once (see the header). */
const BARRIER = Buffer.alloc(0);

/** A write a G waits for: its barrier's number (see the header) and its size. */
interface WriteReq {
  seq: number;
  n: number;
}

export class Conn {
  readonly pd: PollDesc;
  readonly local: string;
  readonly remote: string;
  /** the peer sent FIN and every byte before it has been read */
  private eof = false;
  /** the first socket error (reset, broken pipe…); reads and writes fail with it */
  private err: Error | null = null;
  private writeShut = false;
  private readonly pendingWrites = new Map<G, WriteReq>();
  /** barriers issued to Node / completed (callback called), see the header */
  private writesIssued = 0;
  private writesDone = 0;
  /** the first barrier that failed and its error (0: none): its write and every later one fail with it */
  private writeErrSeq = 0;
  private writeErr: Error | null = null;
  /** the callback of every barrier: no closure and request object per write */
  private readonly onWritten = (err?: Error | null): void => {
    const seq = ++this.writesDone;
    // A write still in flight when a socket error (e.g. a peer reset) destroyed
    // the socket did not complete; Node calls it back with no error (Node 20) or
    // ECANCELED (Node 26): report the socket's error, as Go would.
    const e = this.sock.errored ?? err ?? null;
    if (e && this.writeErrSeq === 0) {
      this.writeErrSeq = seq;
      this.writeErr = e;
    }
    this.pd.wake(Mode.Write);
  };
  /**
   * Chunks Node delivered that no goroutine has read yet, oldest first:
   * `rqHead`, then `rqRest` (empty while rqHead is null), and their total
   * size. Usually one chunk waits, and a field costs no array push and
   * shift per message (shift on an emptied array is a C++ builtin in V8,
   * and the next push grows the array again).
   */
  private rqHead: Buffer | null = null;
  private readonly rqRest: Buffer[] = [];
  private rqBytes = 0;
  /** the socket is paused because the read queue is full (back-pressure) */
  private paused = false;

  constructor(
    readonly id: number,
    readonly net: Network,
    readonly sock: Socket,
    poller: Poller,
    unixPath = "",
    accepted = false,
  ) {
    this.pd = new PollDesc(poller);
    this.pd.onCancel = (g) => void this.pendingWrites.delete(g); // a G killed in write() leaves no request behind
    if (net === "unix") {
      this.local = accepted ? unixPath : "";
      this.remote = accepted ? "" : unixPath;
    } else {
      this.local = joinHostPort(sock.localAddress, sock.localPort);
      this.remote = joinHostPort(sock.remoteAddress, sock.remotePort);
      // Go's defaults for TCP conns: no Nagle delay, keep-alive probes after 15 s idle.
      sock.setNoDelay(true);
      sock.setKeepAlive(true, 15_000);
    }
    sock.on("data", (chunk: Buffer) => {
      if (this.rqHead === null) this.rqHead = chunk;
      else this.rqRest.push(chunk);
      this.rqBytes += chunk.length;
      if (this.rqBytes >= READ_BUFFER_BYTES && !this.paused) {
        this.paused = true;
        sock.pause(); // back-pressure: Node stops reading, the kernel buffer fills, the peer's window closes
      }
      this.pd.wake(Mode.Read);
    });
    sock.resume(); // an accepted socket starts paused (pauseOnConnect), and adding a 'data' listener does not undo an explicit pause
    sock.on("end", () => {
      this.eof = true;
      this.pd.wake(Mode.Read);
    });
    sock.on("error", (e) => {
      this.err ??= e;
      this.pd.wakeAll();
    });
    sock.on("close", () => this.pd.wakeAll());
  }

  /** local->remote, as Go's OpError prints it */
  get addrs(): string {
    return this.local && this.remote ? `${this.local}->${this.remote}` : this.local || this.remote;
  }

  private blocked(op: "read" | "write", mode: Mode): NetErrorInfo | null {
    const b = this.pd.prepare(mode);
    if (b === "closed") return closedError(op, this.net, this.addrs);
    if (b === "timeout") return timeoutError(op, this.net, this.addrs);
    return null;
  }

  /** Up to `max` bytes that have arrived, null at EOF, an error, or WOULD_BLOCK. */
  read(max: number): Buffer | null | NetErrorInfo | typeof WOULD_BLOCK {
    const b = this.blocked("read", Mode.Read);
    if (b) return b;
    if (this.rqBytes > 0) {
      // Like Go's Read: what has arrived, up to max (one chunk at most, no copy).
      const head = this.rqHead!;
      let chunk = head;
      if (head.length <= max) this.rqHead = this.rqRest.length > 0 ? this.rqRest.shift()! : null;
      else {
        chunk = head.subarray(0, max);
        this.rqHead = head.subarray(max);
      }
      this.rqBytes -= chunk.length;
      if (this.paused && this.rqBytes < READ_BUFFER_BYTES) {
        this.paused = false;
        this.sock.resume();
      }
      return chunk;
    }
    if (this.err) return fromNodeError("read", this.net, this.addrs, this.err);
    if (this.eof || this.sock.destroyed) return null;
    return WOULD_BLOCK;
  }

  /**
   * Writes all of `data`: bytes written once the kernel took them, an error,
   * or WOULD_BLOCK while Node still holds them (g is then parked and retries:
   * the retry finds its request in pendingWrites and does not write again).
   */
  write(g: G, data: Uint8Array): number | NetErrorInfo | typeof WOULD_BLOCK {
    const req = this.pendingWrites.size > 0 ? this.pendingWrites.get(g) : undefined;
    if (req) {
      if (this.writeErrSeq !== 0 && req.seq >= this.writeErrSeq) {
        this.pendingWrites.delete(g);
        return fromNodeError("write", this.net, this.addrs, this.writeErr!);
      }
      if (this.writesDone >= req.seq) {
        this.pendingWrites.delete(g);
        return req.n;
      }
      const b = this.blocked("write", Mode.Write);
      if (b) {
        this.pendingWrites.delete(g); // Go: a timed-out write may still have sent some bytes
        return b;
      }
      return WOULD_BLOCK;
    }
    const b = this.blocked("write", Mode.Write);
    if (b) return b;
    if (this.err) return fromNodeError("write", this.net, this.addrs, this.err);
    if (this.writeShut || this.sock.destroyed) {
      return fromNodeError("write", this.net, this.addrs, Object.assign(new Error("broken pipe"), { code: "EPIPE" }));
    }
    if (data.length === 0) return 0;
    this.sock.write(data);
    if (this.sock.writableLength === 0 && !this.sock.errored) return data.length; // the kernel took it all at once
    const seq = ++this.writesIssued;
    this.sock.write(BARRIER, this.onWritten);
    this.pendingWrites.set(g, { seq, n: data.length });
    return WOULD_BLOCK;
  }

  /** Go's CloseWrite: send FIN after what was written; reads go on. */
  closeWrite(): NetErrorInfo | null {
    if (this.pd.closing) return closedError("close", this.net, this.addrs);
    if (!this.writeShut) {
      this.writeShut = true;
      this.sock.end();
    }
    return null;
  }

  /** Go's Close: wakes every waiter with ErrClosed; what the kernel already took is still delivered. */
  close(): NetErrorInfo | null {
    if (this.pd.closing) return closedError("close", this.net, this.addrs);
    this.pd.evict();
    this.pendingWrites.clear();
    if (this.sock.writableLength > 0 && !this.writeShut) this.sock.destroySoon();
    else this.sock.destroy();
    return null;
  }
}
