// quickgo's library entry point: `import { Runtime } from "quickgo"`.
export { Runtime, DEFAULT_MEMORY_LIMIT } from "./runtime.js";
export type { RuntimeOptions, RunOptions, ExitStatus, RuntimeStats, RuntimeEvents, GuestSource, Backend } from "./runtime.js";
export { Channel } from "./hostchan.js";
export { GuestHandle } from "./hostcodec.js";
export { Goroutine } from "./session.js";
export { GoroutinePanic, DeadlockError, GoroutineKilled, ShutdownError, GuestSyntaxError } from "./errors.js";
export type { SchedStats } from "../runtime/scheduler.js";
export type { PanicInfo } from "../runtime/panic.js";
export { availableBackends } from "./backend.js";
