// Runs guest programs in-process and captures what they print.
import { availableBackends, type Backend } from "../src/backend.js";
import { Runtime, type ExitStatus } from "../src/runtime.js";

/** Backends this Node can run; QUICKGO_TEST_BACKENDS=asyncify,jspi narrows the list. */
export const backends: Backend[] = availableBackends().filter(
  (b) => !process.env.QUICKGO_TEST_BACKENDS || process.env.QUICKGO_TEST_BACKENDS.split(",").includes(b),
);

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
