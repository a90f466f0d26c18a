// quickgo's library entry point: `import { Runtime } from "quickgo"`.
export { Runtime, GuestSyntaxError } from "./runtime.js";
export type { RuntimeOptions, RunOptions, ExitStatus, Backend } from "./runtime.js";
export type { SchedStats } from "../runtime/scheduler.js";
export type { PanicInfo } from "../runtime/panic.js";
export { availableBackends } from "./backend.js";
