// The guest's net calls (Op.Net*, see runtime/ops.ts) on the poller.
//
// Result protocol, shared with src/prelude/net.js: every call returns
//   "E{json}"   → a NetErrorInfo, thrown by the guest as a NetError;
//   anything else is the operation's result (ArrayBuffer, null at EOF, a
//   byte count, "C{json}" for a new Conn, "L{json}" for a new Listener).
// An operation that would block parks its G with a retry (G.retry): when the
// G is woken, HostCalls.resumed runs the retry, which either produces the
// result or parks again, so the guest makes one call per operation however
// often it waits (Go's pollDesc loop, on the host side).
import { Socket } from "node:net";
import type { JSContextPtr, JSValuePtr, QuickJSWasm } from "../runtime/engine/quickjs.js";
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


/** What Op.NetWrite's data argument is (its argument 3), as src/prelude/net.js passes it. */
const enum WriteArg {
  ArrayBuffer = 0,
  String = 1,
  /** a Uint8Array or an ArrayBuffer, or false is answered (the guest then passes one of the others) */
  Binary = 2,
}

/** Largest read a guest may ask for at once (Go's io.Copy uses 32 KiB buffers). */
const MAX_READ = 1 << 20;

export class NetOps implements NetDispatch {
  constructor(readonly poller: Poller) {}

  /** The retries of parked operations (G.retry), one per kind, made once: their operands are in g.io*. */
  private readonly retryAccept = (g: G): JSValuePtr => this.accept(g, g.engine!.wasm, g.ctx, g.ioId);
  private readonly retryRead = (g: G): JSValuePtr => this.read(g, g.engine!.wasm, g.ctx, g.ioId, g.ioN);
  private readonly retryWrite = (g: G): JSValuePtr => this.write(g, g.engine!.wasm, g.ctx, g.ioId, g.ioData!, g.ioN === 1);

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
      case Op.NetRead:
        return this.read(g, w, ctx, a.num(1), Math.min(MAX_READ, Math.max(1, Math.floor(a.num(2)) || 0)));
      case Op.NetWrite: {
        // arg 3 says what arg 2 is (a WriteArg): cheaper than asking QuickJS.
        // Binary data goes into a pooled Buffer: Node's stream takes it as is (a fresh
        // small Uint8Array would make V8 allocate a backing store when Node asks for .buffer).
        const kind = a.num(3);
        let data: Buffer | null;
        if (kind === WriteArg.Binary) {
          // A Uint8Array's bytes are read in place (no getter runs in the guest), an ArrayBuffer's
          // as below; anything else, or an empty or detached view, is answered `false`, and the
          // guest sends it through the general path.
          const v = a.val(2);
          data = w.copyUint8Array(v, Buffer.allocUnsafe);
          if (!data) {
            if (!w.isArrayBuffer(v)) return w.x.QTS_DupValuePointer(ctx, w.falsePtr);
            data = w.copyArrayBuffer(ctx, v, Buffer.allocUnsafe);
          }
        } else if (kind === WriteArg.String) data = Buffer.from(a.str(2), "utf8");
        else data = w.copyArrayBuffer(ctx, a.val(2), Buffer.allocUnsafe);
        if (!data) return w.pendingException(); // QuickJS's TypeError (not an ArrayBuffer, or detached)
        return this.write(g, w, ctx, a.num(1), data, kind !== WriteArg.ArrayBuffer);
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

  private read(g: G, w: QuickJSWasm, ctx: JSContextPtr, id: number, max: number): JSValuePtr {
    const c = this.conn(id);
    if (!c) return errValue(w, ctx, closedInfo("read"));
    const r = c.read(max);
    if (r === WOULD_BLOCK) {
      g.ioId = id;
      g.ioN = max;
      return parkRetry(g, c.pd, Mode.Read, this.retryRead);
    }
    if (r === null) return w.x.QTS_DupValuePointer(ctx, w.nullPtr);
    if ("op" in r) return errValue(w, ctx, r);
    return w.newArrayBuffer(ctx, r);
  }

  /**
   * On a retry `data` is ignored: the Conn already holds g's pending write.
   * Success returns the byte count when `returnCount` (a string's UTF-8
   * length, a Uint8Array's length), else undefined: for an ArrayBuffer the
   * guest knows the length, and no result is allocated.
   */
  private write(g: G, w: QuickJSWasm, ctx: JSContextPtr, id: number, data: Uint8Array, returnCount: boolean): JSValuePtr {
    const c = this.conn(id);
    if (!c) return errValue(w, ctx, closedInfo("write"));
    const r = c.write(g, data);
    if (r === WOULD_BLOCK) {
      g.ioId = id;
      g.ioN = returnCount ? 1 : 0;
      g.ioData = data;
      return parkRetry(g, c.pd, Mode.Write, this.retryWrite);
    }
    g.ioData = undefined;
    if (typeof r === "number") return returnCount ? w.x.QTS_NewFloat64(ctx, r) : 0;
    return errValue(w, ctx, r);
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
