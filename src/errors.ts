// The errors a host sees from a Runtime. Each one carries what Go would print
// (the goroutine dump), so a host can log it or show it as it is.
import { GuestSyntaxError } from "./loader.js";

export { GuestSyntaxError };

/** A goroutine threw and nothing recovered: in Go terms, an unrecovered panic, which ends its program or session. */
export class GoroutinePanic extends Error {
  override readonly name = "GoroutinePanic";
  /** id of the goroutine that panicked */
  readonly goroutine: number;
  /** what follows `panic: ` (for an Error: its message, prefixed with its name unless plain Error) */
  readonly panicMessage: string;
  /** Go-style trace of the panicking goroutine: `fn(...)` then a tab and `file:line:col`, per frame */
  readonly trace: string;
  /** `goroutine N [state]:` and the stack of every other goroutine alive at the panic */
  readonly dump: string;

  /** @internal */
  constructor(goroutine: number, panicMessage: string, trace: string, dump: string) {
    super(`panic: ${panicMessage} [goroutine ${goroutine}]`);
    this.goroutine = goroutine;
    this.panicMessage = panicMessage;
    this.trace = trace;
    this.dump = dump;
  }

  /** The report Go prints: the panic, the panicking goroutine's stack, then the other goroutines. */
  get report(): string {
    const t = this.trace ? `${this.trace}\n` : "";
    return `panic: ${this.panicMessage}\n\ngoroutine ${this.goroutine} [running]:\n${t}${this.dump ? `\n${this.dump}` : ""}`;
  }
}

/** Every goroutine is blocked and nothing can wake one (`fatal error: all goroutines are asleep - deadlock!`). */
export class DeadlockError extends Error {
  override readonly name = "DeadlockError";
  /** `goroutine N [state]:` and the stack of every goroutine, each showing what it waits on */
  readonly dump: string;

  /** @internal */
  constructor(dump: string, detail = "") {
    super(`all goroutines are asleep - deadlock!${detail}`);
    this.dump = dump;
  }

  /** The report Go prints. */
  get report(): string {
    return `fatal error: all goroutines are asleep - deadlock!\n\n${this.dump}`;
  }
}

/** The goroutine was stopped by `kill` before it returned. */
export class GoroutineKilled extends Error {
  override readonly name = "GoroutineKilled";
  /** id of the killed goroutine */
  readonly goroutine: number;

  /** @internal */
  constructor(goroutine: number) {
    super(`goroutine ${goroutine} was killed`);
    this.goroutine = goroutine;
  }
}

/** The Runtime was shut down: its pending channel operations and unfinished goroutines end with this. */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";

  /** @internal */
  constructor(message = "quickgo: the runtime was shut down") {
    super(message);
  }
}
