// quickgo guest module: the `net` and `bufio` namespaces (Go's names) on the
// host's netpoller. Loaded into a goroutine's context on first use; defines
// only globalThis.__qg_module.
//
// Every net call returns a string "E{json}" for an error, or the result; a
// call that has to wait parks the goroutine in the host and returns when it
// is done (see netpoll/netops.ts).
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, bindHost, Handle } = rt;

  // Sentinels, like Go's net.ErrClosed and os.ErrDeadlineExceeded: compare e.err with them.
  const ErrClosed = new Error("use of closed network connection");
  const ErrDeadlineExceeded = new Error("i/o timeout");

  // Go's *net.OpError: "read tcp 127.0.0.1:80->127.0.0.1:5000: i/o timeout".
  class NetError extends Error {
    constructor(info) {
      const where = info.addr ? " " + info.addr : "";
      super(info.op + " " + info.net + where + ": " + info.err);
      this.op = info.op;
      this.net = info.net;
      this.addr = info.addr;
      this.code = info.code;
      this.err = info.code === "ErrClosed" ? ErrClosed : info.code === "ErrDeadlineExceeded" ? ErrDeadlineExceeded : new Error(info.err);
      this.isTimeout = info.timeout;
    }
    /** Go's net.Error.Timeout() */
    timeout() {
      return this.isTimeout;
    }
  }
  function fail(r, self) {
    const info = JSON.parse(r.slice(1));
    if (self && !info.net) {
      info.net = self.network;
      info.addr = self.addrs;
    }
    return new NetError(info);
  }
  const isErr = (r) => typeof r === "string" && r[0] === "E";

  // Captured once: a global lookup per call costs a hash probe in QuickJS.
  const U8 = Uint8Array;
  const AB = ArrayBuffer;

  // Bytes to send: a string (sent as UTF-8), a Uint8Array or an ArrayBuffer.
  // A view as long as its buffer starts at 0, so byteOffset need not be read.
  function payload(data) {
    if (typeof data === "string") return data;
    if (data instanceof U8) {
      const b = data.buffer;
      return data.byteLength === b.byteLength ? b : data.slice().buffer;
    }
    if (data instanceof AB) return data;
    if (ArrayBuffer.isView(data)) {
      const u8 = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      return u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer : u8.slice().buffer;
    }
    throw new TypeError("write: data must be a string, a Uint8Array or an ArrayBuffer");
  }

  // A socket handle; its network and addresses come with it from accept/dial,
  // or are asked for once when it arrived from another goroutine.
  class Socket extends Handle {
    constructor(prefix, id, info) {
      super(prefix, id);
      Object.defineProperty(this, "_info", { value: info || null, writable: true });
    }
    info() {
      if (!this._info) {
        const r = host(OP.NetInfo, this.id);
        this._info = isErr(r) ? { net: "tcp", local: "", remote: "", addr: "" } : JSON.parse(r);
      }
      return this._info;
    }
    get network() {
      return this.info().net;
    }
    close() {
      this.info(); // kept for error messages after the host forgets the socket
      const r = host(OP.NetClose, this.id);
      if (isErr(r)) throw fail(r, this);
    }
    _deadline(which, ms) {
      const r = host(OP.NetSetDeadline, this.id, which, +ms || 0);
      if (isErr(r)) throw fail(r, this);
    }
  }

  // What the host does not do itself on a Conn's read and write (see Conn):
  // kind 0: the NetError of failed call r ("E{json}"); 1: a Uint8Array over
  // ArrayBuffer a (when the host cannot make one); 2: write's data, any view
  // but a Uint8Array, as an ArrayBuffer (throws TypeError for anything else).
  // Runs inside the host call: it must not block, and does not.
  function slow(kind, a, conn) {
    if (kind === 0) return fail(a, conn);
    if (kind === 1) return new U8(a);
    return payload(a);
  }

  class Conn extends Socket {
    constructor(id, info) {
      super("n", id, info);
      // read(max = 65536): up to max bytes as a Uint8Array (blocks until at least
      // one arrives); null at EOF. write(data): writes all of a string (as UTF-8),
      // Uint8Array, ArrayBuffer or other view; returns the byte count once the
      // kernel has it. Both are host functions made for this connection
      // (Op.NetMethod): a call reaches the host with no JS frame of ours in
      // between (two bytecode calls per echoed message were ~4k of its ~26k
      // instructions, callgrind), nor a bound function's (which a parked
      // goroutine's stack would keep). Past the host's range of ids, the
      // hidden host function bound to this connection. Errors are thrown as
      // NetError (slow, kind 0).
      const read = host(OP.NetMethod, id, 0, slow) || bindHost(OP.NetRead, id, this, slow);
      const write = host(OP.NetMethod, id, 1, slow) || bindHost(OP.NetWrite, id, this, slow);
      Object.defineProperty(this, "read", { value: read, writable: true, configurable: true });
      Object.defineProperty(this, "write", { value: write, writable: true, configurable: true });
    }
    get localAddr() {
      return this.info().local;
    }
    get remoteAddr() {
      return this.info().remote;
    }
    get addrs() {
      const i = this.info();
      return i.local && i.remote ? i.local + "->" + i.remote : i.local || i.remote;
    }
    /** Exactly n bytes (Go's io.ReadFull); null at EOF before the first byte; throws "unexpected EOF" after it. */
    readFull(n) {
      const out = new Uint8Array(n);
      let got = 0;
      while (got < n) {
        const chunk = this.read(n - got);
        if (chunk === null) {
          if (got === 0) return null;
          const e = new Error("unexpected EOF");
          e.code = "ErrUnexpectedEOF";
          throw e;
        }
        out.set(chunk, got);
        got += chunk.length;
      }
      return out;
    }
    /** Half-close: the peer reads EOF; this side can still read. */
    closeWrite() {
      const r = host(OP.NetCloseWrite, this.id);
      if (isErr(r)) throw fail(r, this);
    }
    /** Deadlines in ms from now; 0 clears. An expired deadline fails reads/writes with i/o timeout. */
    setDeadline(ms) {
      this._deadline(2, ms);
    }
    setReadDeadline(ms) {
      this._deadline(0, ms);
    }
    setWriteDeadline(ms) {
      this._deadline(1, ms);
    }
  }

  class Listener extends Socket {
    constructor(id, info) {
      super("l", id, info);
    }
    /** Go's Addr().String() */
    get addr() {
      return this.info().addr;
    }
    get addrs() {
      return this.info().addr;
    }
    /** Waits for the next connection. */
    accept() {
      const r = host(OP.NetAccept, this.id);
      if (isErr(r)) throw fail(r, this);
      return newConn(r, this.network);
    }
    /** accept fails with i/o timeout after ms (0 clears) */
    setDeadline(ms) {
      this._deadline(0, ms);
    }
  }

  function newConn(r, network) {
    const i = JSON.parse(r.slice(1));
    return new Conn(i.id, { net: network, local: i.local, remote: i.remote });
  }

  const net = {
    /** net.Listen: "tcp" | "tcp4" | "tcp6" | "unix", "host:port" or a socket path. */
    listen(network, address) {
      const r = host(OP.NetListen, String(network), String(address));
      if (isErr(r)) throw fail(r);
      const i = JSON.parse(r.slice(1));
      return new Listener(i.id, { net: String(network), addr: i.addr });
    },
    /** net.Dial; opts.timeout in ms (Go's DialTimeout). */
    dial(network, address, opts) {
      const timeout = opts && opts.timeout > 0 ? +opts.timeout : 0;
      const r = host(OP.NetDial, String(network), String(address), timeout);
      if (isErr(r)) throw fail(r);
      return newConn(r, String(network));
    },
    dialTimeout(network, address, ms) {
      return net.dial(network, address, { timeout: ms });
    },
    ErrClosed,
    ErrDeadlineExceeded,
    NetError,
    Conn,
    Listener,
  };

  // bufio: buffered reading of lines and delimited strings from anything with read(max).
  const decode = (u8) => host(OP.TextDecode, u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength ? u8.buffer : u8.slice().buffer, 0);
  class Reader {
    constructor(rd, size = 4096) {
      this.rd = rd;
      this.size = size;
      this.buf = new Uint8Array(0);
      this.eof = false;
    }
    _fill() {
      if (this.eof) return false;
      const chunk = this.rd.read(this.size);
      if (chunk === null) {
        this.eof = true;
        return false;
      }
      const b = new Uint8Array(this.buf.length + chunk.length);
      b.set(this.buf, 0);
      b.set(chunk, this.buf.length);
      this.buf = b;
      return true;
    }
    /** Bytes up to and including delim (a byte or a one-character string); at EOF what is left, or null. */
    readBytes(delim) {
      const d = typeof delim === "string" ? delim.charCodeAt(0) : delim;
      let from = 0;
      for (;;) {
        const i = this.buf.indexOf(d, from);
        if (i >= 0) return this._take(i + 1);
        from = this.buf.length;
        if (!this._fill()) return this.buf.length ? this._take(this.buf.length) : null;
      }
    }
    readString(delim) {
      const b = this.readBytes(delim);
      return b === null ? null : decode(b);
    }
    /** The next line without its "\n" or "\r\n"; null at EOF. */
    readLine() {
      const s = this.readString("\n");
      if (s === null) return null;
      return s.endsWith("\r\n") ? s.slice(0, -2) : s.endsWith("\n") ? s.slice(0, -1) : s;
    }
    /** Up to max bytes: buffered ones first, else one read of the underlying reader. */
    read(max = this.size) {
      if (this.buf.length === 0 && !this._fill()) return null;
      return this._take(Math.min(max, this.buf.length));
    }
    _take(n) {
      const out = this.buf.slice(0, n);
      this.buf = this.buf.subarray(n);
      return out;
    }
  }
  // Go's bufio.Scanner with ScanLines: for (const sc = bufio.newScanner(conn); sc.scan();) sc.text()
  class Scanner {
    constructor(rd) {
      this.r = rd instanceof Reader ? rd : new Reader(rd);
      this.line = null;
    }
    scan() {
      this.line = this.r.readLine();
      return this.line !== null;
    }
    text() {
      return this.line;
    }
  }
  const bufio = {
    newReader: (rd, size) => new Reader(rd, size),
    newScanner: (rd) => new Scanner(rd),
    Reader,
    Scanner,
  };

  class TextEncoder {
    get encoding() {
      return "utf-8";
    }
    encode(s = "") {
      return new Uint8Array(host(OP.TextEncode, String(s)));
    }
  }
  class TextDecoder {
    constructor(label = "utf-8", opts) {
      if (!/^utf-?8$/i.test(String(label))) throw new RangeError("TextDecoder: only utf-8 is supported");
      this.fatal = !!(opts && opts.fatal);
    }
    get encoding() {
      return "utf-8";
    }
    decode(input) {
      if (input === undefined) return "";
      const ab = input instanceof ArrayBuffer ? input : ArrayBuffer.isView(input) ? payload(input) : null;
      if (ab === null) throw new TypeError("TextDecoder.decode: input must be an ArrayBuffer or a view of one");
      return host(OP.TextDecode, ab, this.fatal ? 1 : 0);
    }
  }

  return { net, bufio, Conn, Listener, TextEncoder, TextDecoder };
};
