// The host side of the guest value wire (see src/prelude/codec.js for the
// format). The host evaluates the very same codec.js the guests run, in
// Node, so both sides of a channel agree by construction: what a goroutine
// can send, the host can receive, and the host can send anything
// structuredClone could (Map, Set, Date, typed arrays, cycles…). Handles map
// to host objects through the hooks: a channel is a host Channel; other
// runtime objects (WaitGroup, Mutex, Once) arrive as opaque GuestHandles that
// can only be passed back.
import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "../runtime/engine/wasm-build.js";
import type { Wire } from "../runtime/goroutine.js";

/** A guest runtime object other than a channel (WaitGroup, Mutex, Once): the host can only pass it back to goroutines. */
export class GuestHandle {
  /** wire key: kind letter and handle id */
  readonly key: string;
  /** @internal */
  constructor(key: string) {
    this.key = key;
    Object.freeze(this);
  }
}

/** How the codec turns host objects into handles and back (see the hooks of codec.js). */
export interface HandleHooks {
  /** the handle key of v ("c12"), or null when v is not a handle */
  handleOf(v: unknown): string | null;
  /** the host object for a handle key; throws for an unknown key */
  handleFrom(key: string): unknown;
}

interface Codec {
  encode(v: unknown, what: string): string;
  decode(w: string): unknown;
}

type MakeCodec = (hooks: HandleHooks) => Codec;
let makeCodec: MakeCodec | undefined;

/** codec.js defines globalThis.__qg_makeCodec; give it a global of its own that inherits the real built-ins. */
function loadMakeCodec(): MakeCodec {
  if (!makeCodec) {
    const src = fs.readFileSync(path.join(packageRoot, "src", "prelude", "codec.js"), "utf8");
    const scope = Object.create(globalThis) as { __qg_makeCodec?: MakeCodec };
    new Function("globalThis", src)(scope);
    if (typeof scope.__qg_makeCodec !== "function") throw new Error("quickgo: codec.js did not define its codec");
    makeCodec = scope.__qg_makeCodec;
  }
  return makeCodec;
}

/** As guest.js's isPlainElement: what JSON carries exactly (no -0, NaN or Infinity). */
function isPlainElement(x: unknown): boolean {
  const t = typeof x;
  return t === "string" || t === "boolean" || x === null || (t === "number" && Number.isFinite(x) && !Object.is(x, -0));
}

/** Encodes and decodes values crossing between the host and the goroutines of one session. */
export class HostCodec {
  private readonly codec: Codec;
  private readonly hooks: HandleHooks;

  constructor(hooks: HandleHooks) {
    this.hooks = hooks;
    this.codec = loadMakeCodec()(hooks);
  }

  /**
   * The wire form of v, copied now (later changes to v do not travel).
   * Throws a TypeError naming `what` for values that cannot cross (functions, symbols, Promises…).
   */
  encode(v: unknown, what: string): Wire {
    if (typeof v === "number") return v; // numbers travel raw, as the guest's SendNum does
    return this.fast(v) ?? this.codec.encode(v, what);
  }

  /**
   * The forms guest.js decodes without its full codec (codec.js), for the
   * usual go() arguments and channel values: a string, a primitive, or a
   * short array of primitives and handles ("H"). Otherwise undefined.
   * Why: a goroutine that needs codec.js parses ~11 KB more and keeps ~36 KiB
   * more heap (measured: host-started goroutines parked with a channel
   * argument held 147 KiB each, program-started ones 111 KiB).
   */
  private fast(v: unknown): string | undefined {
    switch (typeof v) {
      case "string":
        return v.indexOf("\0") < 0 ? "s" + v : undefined;
      case "undefined":
        return "u";
      case "boolean":
        return v ? "t" : "f";
      case "object": {
        if (v === null) return "n";
        if (!Array.isArray(v) || v.length >= 64 || Object.getPrototypeOf(v) !== Array.prototype) return undefined;
        const items: unknown[] = [];
        for (let i = 0; i < v.length; i++) {
          if (!(i in v)) return undefined; // a hole: the codec keeps it
          const x: unknown = v[i];
          const key = x !== null && typeof x === "object" ? this.hooks.handleOf(x) : null;
          if (key !== null) items.push({ h: key });
          else if (isPlainElement(x)) items.push(x);
          else return undefined;
        }
        return "H" + JSON.stringify(items);
      }
      default:
        return undefined;
    }
  }

  /** The host value of a wire written by a goroutine (or by encode). */
  decode(w: Wire): unknown {
    if (typeof w === "number") return w;
    // "H" is guest.js's own fast form: a JSON array of primitives where {"h": key} is a handle.
    if (w.charCodeAt(0) === 72) {
      return (JSON.parse(w.slice(1)) as unknown[]).map((x) =>
        x !== null && typeof x === "object" ? this.hooks.handleFrom((x as { h: string }).h) : x,
      );
    }
    return this.codec.decode(w);
  }
}
