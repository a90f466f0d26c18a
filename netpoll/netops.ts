// The guest's net calls (Op.Net*, see runtime/ops.ts) on the poller.
//
// Result protocol, shared with src/prelude/net.js: every call returns
//   "E{json}"   → a NetErrorInfo, thrown by the guest as a NetError;
//   anything else is the operation's result (a byte count, "C{json}" for a
//   new Conn, "L{json}" for a new Listener…).
// Except a Conn's read and write, host functions of their own (Op.NetMethod;
// HostCalls presents their calls here as NetRead / NetWrite with operands
// (conn id, the guest Conn, its `slow` helper)) called by the program
// directly: they return the Uint8Array read (null at EOF) or the byte count
// written, and throw the NetError themselves, which `slow` makes (see net.js).
// An operation that would block parks its G with a retry (G.retry): when the
// G is woken, HostCalls.resumed runs the retry, which either produces the
// result or parks again, so the guest makes one call per operation however
// often it waits (Go's pollDesc loop, on the host side).
import { Socket } from "node:net";
import type { JSContextPtr, JSValuePtr, QuickJSWasm } from "../runtime/engine/quickjs.js";
import { isException } from "../runtime/engine/bytecode.js";
import type { G } from "../runtime/goroutine.js";
import type { CallArgs, NetDispatch } from "../runtime/hostcall.js";
import { Op } from "../runtime/ops.js";
import { GoPanic } from "../runtime/panic.js";
import { AddrError, parseEndpoint, parseNetwork, type Network } from "./addr.js";
import { Conn, WOULD_BLOCK } from "./conn.js";
import type { NetErrorInfo } from "./errors.js";
import { Listener } from "./listener.js";
import { Mode, type PollDesc } from "./pollDesc.js";
import { connResult, errorResult, type Poller } from "./poller.js";


/** What net.js's `slow` helper is asked for (its first argument). */
const enum Slow {
  /** the NetError of an "E{json}" result, to throw */
  Error = 0,
  /** a Uint8Array over an ArrayBuffer */
  Uint8Array = 1,
  /** write's data (neither a string nor a Uint8Array nor an ArrayBuffer) as an ArrayBuffer */
  Payload = 2,
}

/** What a read asks for when the program gives no size (Go programs' usual buffer is 32–64 KiB). */
const DEFAULT_READ = 65536;

/** Largest read a guest may ask for at once (Go's io.Copy uses 32 KiB buffers). */
const MAX_READ = 1 << 20;

export class NetOps implements NetDispatch {
  /**
   * callback: runs guest code on the host's own account (Scheduler.callback):
   * the `slow` helper runs inside the host call, or while a parked G's
   * result is computed.
   */
  constructor(
    readonly poller: Poller,
    private readonly callback: <T>(run: () => T) => T,
  ) {}

  /** The retries of parked operations (G.retry), one per kind, made once: their operands are in g.io*. */
  private readonly retryAccept = (g: G): JSValuePtr => this.accept(g, g.engine!.wasm, g.ctx, g.ioId);
  private readonly retryRead = (g: G): JSValuePtr => this.read(g, g.engine!.wasm, g.ctx, g.ioId, g.ioN, g.ioConn, g.ioSlow);
  private readonly retryWrite = (g: G): JSValuePtr => this.write(g, g.engine!.wasm, g.ctx, g.ioId, g.ioData!, g.ioConn, g.ioSlow);

  dispatch(g: G, w: QuickJSWasm, ctx: JSContextPtr, op: number, a: CallArgs): JSValuePtr {
    const p = this.poller;
    switch (op) {
      case Op.NetListen:
      case Op.NetDial: {
        const verb = op === Op.NetListen ? "listen" : "dial";
        const networkName = a.str(1);
        const addr = a.str(2);
        let network: Network;
        try {
          network = parseNetwork(networkName);
          const ep = parseEndpoint(network, addr, op === Op.NetListen);
          return op === Op.NetListen ? p.listen(g, network, ep) : p.dial(g, network, ep, addr, a.num(3));
        } catch (e) {
          if (!(e instanceof AddrError)) throw e;
          return errValue(w, ctx, { op: verb, net: networkName, addr: "", code: "EINVAL", err: e.message, timeout: false });
        }
      }
      case Op.NetAccept:
        return this.accept(g, w, ctx, a.num(1));
      case Op.NetRead: {
        // (id, conn, slow, max?)
        const m = a.num(4);
        const max = Number.isNaN(m) ? DEFAULT_READ : Math.min(MAX_READ, Math.max(1, Math.floor(m)));
        return this.read(g, w, ctx, a.num(1), max, a.val(2), a.val(3));
      }
      case Op.NetWrite: {
        // (id, conn, slow, data). Binary data goes into a pooled Buffer: Node's stream takes it as is
        // (a fresh small Uint8Array would make V8 allocate a backing store when Node asks for .buffer).
        const conn = a.val(2);
        const slow = a.val(3);
        const v = a.val(4);
        let data = w.copyUint8Array(v, Buffer.allocUnsafe); // in place: no getter runs in the guest
        if (!data) {
          if (w.isString(ctx, v)) data = Buffer.from(w.getString(ctx, v), "utf8");
          else if (w.isArrayBuffer(v)) data = w.copyArrayBuffer(ctx, v, Buffer.allocUnsafe);
          else {
            // Another view, an empty or detached one, or not bytes at all: net.js's payload() makes an ArrayBuffer of it, or throws.
            const ab = this.slow(w, ctx, slow, Slow.Payload, v, conn);
            if (isException(w.heap32(), ab)) return ab;
            try {
              data = w.copyArrayBuffer(ctx, ab, Buffer.allocUnsafe);
            } finally {
              w.x.QTS_FreeValuePointer(ctx, ab);
            }
          }
          if (!data) return w.pendingException(); // QuickJS's TypeError (a detached buffer)
        }
        return this.write(g, w, ctx, a.num(1), data, conn, slow);
      }
      case Op.NetCloseWrite: {
        const c = this.conn(a.num(1));
        const r = c ? c.closeWrite() : closedInfo("close");
        return r ? errValue(w, ctx, r) : 0;
      }
      case Op.NetClose: {
        const obj = p.get(a.num(1));
        const r = obj ? p.close(obj) : closedInfo("close");
        return r ? errValue(w, ctx, r) : 0;
      }
      case Op.NetSetDeadline: {
        const obj = p.get(a.num(1));
        if (!obj) return errValue(w, ctx, closedInfo("set deadline"));
        const which = a.num(2);
        const ms = a.num(3);
        if (which !== 1) obj.pd.setDeadline(Mode.Read, ms);
        if (which !== 0) obj.pd.setDeadline(Mode.Write, ms);
        return 0;
      }
      case Op.NetInfo: {
        const o = p.get(a.num(1));
        if (!o) return errValue(w, ctx, closedInfo("info"));
        return w.newString(ctx, JSON.stringify(o instanceof Conn ? { net: o.net, local: o.local, remote: o.remote } : { net: o.net, addr: o.addr }));
      }
      default:
        throw new GoPanic(`quickgo: unknown operation ${op}`);
    }
  }

  private accept(g: G, w: QuickJSWasm, ctx: JSContextPtr, id: number): JSValuePtr {
    const l = this.listener(id);
    if (!l) return errValue(w, ctx, closedInfo("accept"));
    const r = l.accept();
    if (r === WOULD_BLOCK) {
      g.ioId = id;
      return parkRetry(g, l.pd, Mode.Read, this.retryAccept);
    }
    if (!(r instanceof Socket)) return errValue(w, ctx, r);
    return w.newString(ctx, connResult(this.poller.adopt(r, l.net, l.addr, true)));
  }

  private read(g: G, w: QuickJSWasm, ctx: JSContextPtr, id: number, max: number, conn: JSValuePtr, slow: JSValuePtr): JSValuePtr {
    const c = this.conn(id);
    if (!c) return this.fail(w, ctx, closedInfo("read"), conn, slow);
    const r = c.read(max);
    if (r === WOULD_BLOCK) {
      g.ioId = id;
      g.ioN = max;
      g.ioConn = conn;
      g.ioSlow = slow;
      return parkRetry(g, c.pd, Mode.Read, this.retryRead);
    }
    if (r === null) return w.x.QTS_DupValuePointer(ctx, w.nullPtr);
    if ("op" in r) return this.fail(w, ctx, r, conn, slow);
    const u8 = w.newUint8Array(ctx, r);
    if (u8 !== null) return u8;
    // No direct constructor in this instance: the guest wraps the buffer.
    const ab = w.newArrayBuffer(ctx, r);
    if (isException(w.heap32(), ab)) return ab;
    const v = this.slow(w, ctx, slow, Slow.Uint8Array, ab, conn);
    w.x.QTS_FreeValuePointer(ctx, ab);
    return v;
  }

  /** Writes all of `data`: the byte count once the kernel has it. On a retry `data` is ignored: the Conn already holds g's pending write. */
  private write(g: G, w: QuickJSWasm, ctx: JSContextPtr, id: number, data: Uint8Array, conn: JSValuePtr, slow: JSValuePtr): JSValuePtr {
    const c = this.conn(id);
    if (!c) return this.fail(w, ctx, closedInfo("write"), conn, slow);
    const r = c.write(g, data);
    if (r === WOULD_BLOCK) {
      g.ioId = id;
      g.ioData = data;
      g.ioConn = conn;
      g.ioSlow = slow;
      return parkRetry(g, c.pd, Mode.Write, this.retryWrite);
    }
    g.ioData = undefined;
    if (typeof r === "number") return w.x.QTS_NewFloat64(ctx, r);
    return this.fail(w, ctx, r, conn, slow);
  }

  /** Throws e in the guest as the NetError net.js's `slow` makes of it (or whatever `slow` threw). */
  private fail(w: QuickJSWasm, ctx: JSContextPtr, e: NetErrorInfo, conn: JSValuePtr, slow: JSValuePtr): JSValuePtr {
    const info = errValue(w, ctx, e);
    const err = this.slow(w, ctx, slow, Slow.Error, info, conn);
    w.x.QTS_FreeValuePointer(ctx, info);
    if (isException(w.heap32(), err)) return err;
    const thrown = w.x.QTS_Throw(ctx, err);
    w.x.QTS_FreeValuePointer(ctx, err);
    return thrown;
  }

  /** slow(kind, value, conn) in the guest: its result, or its exception (pending, as a JS_EXCEPTION cell). */
  private slow(w: QuickJSWasm, ctx: JSContextPtr, slow: JSValuePtr, kind: Slow, value: JSValuePtr, conn: JSValuePtr): JSValuePtr {
    const k = w.x.QTS_NewFloat64(ctx, kind);
    try {
      return this.callback(() => w.call(ctx, slow, [k, value, conn]));
    } finally {
      w.x.QTS_FreeValuePointer(ctx, k);
    }
  }

  private conn(id: number): Conn | null {
    const o = this.poller.get(id);
    if (o === undefined) return null; // closed (ids are never reused)
    if (!(o instanceof Conn)) throw new GoPanic("not a net.Conn");
    return o;
  }

  private listener(id: number): Listener | null {
    const o = this.poller.get(id);
    if (o === undefined) return null;
    if (!(o instanceof Listener)) throw new GoPanic("not a net.Listener");
    return o;
  }
}

/** Parks g on pd; when woken, HostCalls.resumed runs `retry` (which may park again). */
function parkRetry(g: G, pd: PollDesc, mode: Mode, retry: (g: G) => JSValuePtr): number {
  g.retry = retry;
  return pd.wait(g, mode);
}

function errValue(w: QuickJSWasm, ctx: JSContextPtr, e: NetErrorInfo): JSValuePtr {
  return w.newString(ctx, errorResult(e));
}

/** ErrClosed for an object already closed and forgotten; the guest fills in its network and address. */
function closedInfo(op: string): NetErrorInfo {
  return { op, net: "", addr: "", code: "ErrClosed", err: "use of closed network connection", timeout: false };
}
