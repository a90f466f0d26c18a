// Network names and addresses in Go's forms: "tcp", "tcp4", "tcp6", "unix";
// "host:port", "[::1]:port", ":port"; a path for unix sockets.
import type { AddressInfo } from "node:net";

export type Network = "tcp" | "tcp4" | "tcp6" | "unix";

export const NETWORKS: readonly Network[] = ["tcp", "tcp4", "tcp6", "unix"];

/** Thrown (as a guest error) for a malformed network or address, with Go's wording. */
export class AddrError extends Error {}

export function parseNetwork(s: string): Network {
  if ((NETWORKS as readonly string[]).includes(s)) return s as Network;
  throw new AddrError(`unknown network ${s}`);
}

/** Go's net.SplitHostPort. */
export function splitHostPort(addr: string): [host: string, port: string] {
  const missing = (): never => {
    throw new AddrError(`address ${addr}: missing port in address`);
  };
  if (addr.startsWith("[")) {
    const end = addr.indexOf("]");
    if (end < 0) throw new AddrError(`address ${addr}: missing ']' in address`);
    if (addr[end + 1] !== ":") missing();
    return [addr.slice(1, end), addr.slice(end + 2)];
  }
  const i = addr.lastIndexOf(":");
  if (i < 0) missing();
  const host = addr.slice(0, i);
  if (host.includes(":")) throw new AddrError(`address ${addr}: too many colons in address`);
  return [host, addr.slice(i + 1)];
}

/** Where to listen or connect: a TCP host/port or a unix socket path. */
export type Endpoint = { kind: "tcp"; host: string; port: number; family: 0 | 4 | 6 } | { kind: "unix"; path: string };

/**
 * Resolves `addr` for `network`. `forListen`: an empty host means every
 * interface; otherwise (dial) it means this machine, as in Go.
 */
export function parseEndpoint(network: Network, addr: string, forListen: boolean): Endpoint {
  if (network === "unix") {
    if (addr === "") throw new AddrError("missing address");
    return { kind: "unix", path: addr };
  }
  const [host, portText] = splitHostPort(addr);
  const port = portText === "" ? 0 : Number(portText);
  if (!/^\d*$/.test(portText) || !Number.isInteger(port) || port > 65535) {
    throw new AddrError(`address ${addr}: invalid port`);
  }
  const family = network === "tcp4" ? 4 : network === "tcp6" ? 6 : 0;
  let h = host;
  if (h === "") h = forListen ? (family === 4 ? "0.0.0.0" : family === 6 ? "::" : "") : family === 6 ? "::1" : "127.0.0.1";
  return { kind: "tcp", host: h, port, family };
}

/** Go's String() of an address Node reports. */
export function formatAddress(a: AddressInfo | string | null | undefined, fallback = ""): string {
  if (a === null || a === undefined) return fallback;
  if (typeof a === "string") return a;
  return joinHostPort(a.address, a.port);
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string | undefined, port: number | undefined): string {
  if (host === undefined || port === undefined) return "";
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
