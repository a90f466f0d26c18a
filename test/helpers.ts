// Runs guest programs in-process and captures what they print.
import { LEGACY_JSPI_FLAG, availableBackends, type Backend } from "../src/backend.js";
import { Runtime, type ExitStatus } from "../src/runtime.js";

/** Backends this Node can run; QUICKGO_TEST_BACKENDS=asyncify,jspi narrows the list. */
export const backends: Backend[] = availableBackends().filter(
  (b) => !process.env.QUICKGO_TEST_BACKENDS || process.env.QUICKGO_TEST_BACKENDS.split(",").includes(b),
);

/** Node flags a child Node needs to run the backends this one runs (the legacy JSPI flag, when this Node has it). */
export const childNodeFlags: string[] = process.execArgv.filter((a) => a === LEGACY_JSPI_FLAG);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  status: ExitStatus;
}

export async function run(
  source: string,
  opts: { backend: Backend; args?: string[]; filename?: string; timeslice?: number; shardBytes?: number },
): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const rt = await Runtime.create({
    backend: opts.backend,
    timeslice: opts.timeslice,
    shardBytes: opts.shardBytes,
    stdout: (s) => void (stdout += s),
    stderr: (s) => void (stderr += s),
  });
  const status = await rt.run(source, { args: opts.args, filename: opts.filename ?? "prog.js" });
  return { code: status.code, stdout, stderr, status };
}

/** Registers `name` once per available backend. */
export function eachBackend(
  t: (name: string, fn: () => Promise<void>) => void,
  name: string,
  fn: (backend: Backend) => Promise<void>,
): void {
  for (const b of backends) t(`${name} [${b}]`, () => fn(b));
}

/** Awaits p and returns what it rejected with; fails if it resolves or the error does not match. */
export async function rejects(
  p: Promise<unknown> | (() => Promise<unknown>),
  expected: RegExp | (abstract new (...args: never[]) => Error) | ((e: unknown) => boolean),
): Promise<unknown> {
  let error: unknown;
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error("expected a rejection, the promise resolved");
  const ok =
    expected instanceof RegExp
      ? expected.test(error instanceof Error ? error.message : String(error))
      : expected.prototype instanceof Error || expected === Error
        ? error instanceof (expected as abstract new (...args: never[]) => Error)
        : (expected as (e: unknown) => boolean)(error);
  if (!ok) throw new Error(`unexpected rejection: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  return error;
}
