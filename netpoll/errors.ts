// Network errors as Go reports them: a *net.OpError's text
// ("read tcp 127.0.0.1:80->127.0.0.1:5000: read: connection reset by peer")
// plus a `code` a program can test without parsing the text. The error
// crosses to the guest as JSON (see netpoll/netops.ts); the guest prelude
// (src/prelude/net.js) turns it into a thrown NetError.

/** What the guest gets to build its NetError. */
export interface NetErrorInfo {
  /** Go's OpError.Op: "dial", "listen", "accept", "read", "write", "close" */
  op: string;
  /** "tcp", "tcp4", "tcp6", "unix" */
  net: string;
  /** local->remote, or the one address that applies ("" if none) */
  addr: string;
  /** errno name (ECONNREFUSED, ECONNRESET, EPIPE, EADDRINUSE, …) or ErrClosed / ErrDeadlineExceeded */
  code: string;
  /** the inner error's text: "connection refused", "i/o timeout", … */
  err: string;
  /** true for deadline and dial timeouts (Go's net.Error.Timeout()) */
  timeout: boolean;
}

/** Go's net.ErrClosed text. */
export const ERR_CLOSED = "use of closed network connection";
/** Go's os.ErrDeadlineExceeded text. */
export const ERR_TIMEOUT = "i/o timeout";

/** The syscall text Go prints for an errno (syscall.Errno.Error()), and the syscall it names. */
const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: "connect: connection refused",
  ECONNRESET: "connection reset by peer",
  EPIPE: "broken pipe",
  EADDRINUSE: "bind: address already in use",
  EADDRNOTAVAIL: "bind: cannot assign requested address",
  EACCES: "bind: permission denied",
  ENOENT: "connect: no such file or directory",
  ENOTFOUND: "no such host",
  EAI_AGAIN: "temporary failure in name resolution",
  ETIMEDOUT: "connect: connection timed out",
  EHOSTUNREACH: "connect: no route to host",
  ENETUNREACH: "connect: network is unreachable",
};

export function closedError(op: string, net: string, addr: string): NetErrorInfo {
  return { op, net, addr, code: "ErrClosed", err: ERR_CLOSED, timeout: false };
}

export function timeoutError(op: string, net: string, addr: string): NetErrorInfo {
  return { op, net, addr, code: "ErrDeadlineExceeded", err: ERR_TIMEOUT, timeout: true };
}

/** A Node socket/server error (err.code is an errno name) as Go's OpError. */
export function fromNodeError(op: string, net: string, addr: string, e: Error): NetErrorInfo {
  const code = (e as NodeJS.ErrnoException).code ?? "EIO";
  let text = ERRNO_TEXT[code] ?? e.message.replace(/^\w+ /, "").toLowerCase();
  // Go names the syscall for read/write errors: "read: connection reset by peer", "write: broken pipe".
  if ((code === "ECONNRESET" || code === "EPIPE") && (op === "read" || op === "write")) text = `${op}: ${text}`;
  return { op, net, addr, code, err: text, timeout: code === "ETIMEDOUT" };
}

/** Go's OpError.Error(). */
export function formatNetError(e: NetErrorInfo): string {
  return `${e.op} ${e.net}${e.addr ? ` ${e.addr}` : ""}: ${e.err}`;
}
