// Runs a guest program that talks to the network while the test talks to it:
// the program prints "addr <address>" when it listens; `addr` resolves with it.
import net from "node:net";
import { Runtime, type ExitStatus } from "../../src/runtime.js";
import type { Backend } from "../../src/backend.js";

export interface LiveGuest {
  /** the address from the first "addr <address>" line the program prints */
  addr: Promise<string>;
  /** settles when the program ends */
  done: Promise<ExitStatus>;
  stdout(): string;
  stderr(): string;
  /** ends the program (as on SIGQUIT) if it is still running */
  stop(): Promise<void>;
  /** kills goroutine `id` (Runtime.kill) */
  kill(id: number): boolean;
}

export async function startGuest(source: string, backend: Backend, args: string[] = []): Promise<LiveGuest> {
  let out = "";
  let err = "";
  let resolveAddr!: (a: string) => void;
  let rejectAddr!: (e: Error) => void;
  const addr = new Promise<string>((res, rej) => {
    resolveAddr = res;
    rejectAddr = rej;
  });
  const rt = await Runtime.create({
    backend,
    stdout: (s) => {
      out += s;
      const m = /^addr (\S+)$/m.exec(out);
      if (m) resolveAddr(m[1]!);
    },
    stderr: (s) => void (err += s),
  });
  const done = rt.run(source, { filename: "prog.js", args });
  void done.then(
    () => rejectAddr(new Error(`program ended without printing its address:\n${out}\n${err}`)),
    (e: Error) => rejectAddr(e),
  );
  return {
    addr,
    done,
    stdout: () => out,
    stderr: () => err,
    stop: async () => {
      await rt.terminate("test over", 0);
      await done;
    },
    kill: (id) => rt.kill(id),
  };
}

/** A host-side TCP client connected to "host:port". */
export function connect(addr: string): Promise<net.Socket> {
  const i = addr.lastIndexOf(":");
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)) });
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}
