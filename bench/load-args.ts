// What the load generators of bench/echo.ts (echo-load.ts, churn-load.ts)
// share: their command line, `<host:port> <n> <seconds> [size=64] [warmup=0.5]`,
// and the latency quantiles they report.

export interface LoadArgs {
  host: string;
  port: number;
  /** connections (echo-load) or concurrent clients (churn-load) */
  n: number;
  /** length of the measured part */
  seconds: number;
  /** bytes per message */
  size: number;
  /** seconds of load before the measured part */
  warmup: number;
  /** the message every client sends */
  msg: Buffer;
}

export function loadArgs(defaultN: number): LoadArgs {
  const [addr = "", n = String(defaultN), seconds = "3", size = "64", warmup = "0.5"] = process.argv.slice(2);
  const i = addr.lastIndexOf(":");
  return {
    host: addr.slice(0, i),
    port: Number(addr.slice(i + 1)),
    n: Number(n),
    seconds: Number(seconds),
    size: Number(size),
    warmup: Number(warmup),
    msg: Buffer.alloc(Number(size), "x"),
  };
}

/** The p-quantile (0..1) of ascending `sorted`, NaN if it is empty. */
export function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}
