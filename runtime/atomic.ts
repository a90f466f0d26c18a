// Atomic cells, after Go's sync/atomic types. Goroutines share no memory, so
// an atomic.Int64 / Bool / Value is a runtime object; each operation is one
// host call, and host calls never interleave, so every one is atomic.
// A number cell holds an integer (Int64, Bool as 0/1); a wire cell holds an
// encoded value (Value), compared by its wire form in compareAndSwap.
// Invariant: a cell's kind never changes; a Value cell, once stored, never
// holds undefined again.
import type { Wire } from "./goroutine.js";
import { AtomicOp } from "./ops.js";
import { GoPanic } from "./panic.js";

export class AtomicCell {
  constructor(
    readonly id: number,
    /** true: the cell holds numbers (Int64, Bool); false: wire-encoded values (Value) */
    readonly numeric: boolean,
    /** current value; undefined: a Value never stored */
    public v: Wire | undefined,
  ) {}

  /** Runs op with operands a, b (numbers for a number cell, wires for a Value); returns its result. */
  apply(op: number, a: Wire | undefined, b: Wire | undefined): Wire | boolean | undefined {
    if (!this.numeric && (op === AtomicOp.Store || op === AtomicOp.Swap || op === AtomicOp.CompareAndSwap)) {
      const nv = op === AtomicOp.CompareAndSwap ? b : a;
      if (nv === "u" || nv === undefined) throw new GoPanic(`sync/atomic: ${op === AtomicOp.Store ? "store" : op === AtomicOp.Swap ? "swap" : "compare and swap"} of nil value into Value`);
    }
    const old = this.v;
    switch (op) {
      case AtomicOp.Load:
        return old;
      case AtomicOp.Store:
        this.v = a;
        return undefined;
      case AtomicOp.Add:
        if (!this.numeric) throw new GoPanic("sync/atomic: add on a Value");
        this.v = (old as number) + (a as number);
        return this.v;
      case AtomicOp.Swap:
        this.v = a;
        return old;
      case AtomicOp.CompareAndSwap:
        if (old !== a && !(old === undefined && a === "u")) return false;
        this.v = b;
        return true;
      default:
        throw new GoPanic(`sync/atomic: unknown operation ${op}`);
    }
  }
}
