// Which V8 compiler runs the asyncify binary, and the native stack it needs.
//
// TurboFan runs the asyncified interpreter faster than Liftoff, V8's baseline
// compiler (echo, Node 20, 100 connections: ~41.6k vs ~50.7k instructions per
// message, callgrind), but its frames are larger: with V8's default stack for
// the main thread (984 KiB), recursion through C callbacks (map, constructors)
// ran out of native stack before QuickJS's own check (GUEST_STACK_LIMIT), so a
// catchable InternalError became an uncatchable goroutine panic. Measured
// need, every shape of test/runtime/stack.test.ts with everything compiled by
// TurboFan (`--no-liftoff`): Node 20 and 22 pass at 1500 KiB, Node 26 at
// 3000. The main thread's limit is fixed when Node starts, so asyncify tiers
// up only in a Node started with `--stack-size` of at least
// TURBOFAN_STACK_KB; the CLI starts itself again with it (asyncifyNodeFlags)
// when the OS gives the main thread room for it. Anywhere else: Liftoff only.
//
// QUICKGO_WASM_TIERUP=1 forces TurboFan (for measuring: deep recursion may
// then panic instead of throwing), =0 forces Liftoff (and no relaunch).
import fs from "node:fs";
import v8 from "node:v8";

/** V8 stack, in KiB, that asyncify under TurboFan runs with: twice Node 26's measured need. */
export const TURBOFAN_STACK_KB = 6144;

/**
 * Main-thread stack the OS must give beyond TURBOFAN_STACK_KB: V8 checks its
 * limit in JS and wasm frames only, and the C++ it calls past that check
 * needs room below it.
 */
export const OS_STACK_SLACK_KB = 2048;

export type AsyncifyTier = "turbofan" | "liftoff";

/** The `--stack-size` (KiB) given on this Node's command line, if any (V8 takes `_` for `-` too). */
export function stackSizeFlagKb(execArgv: readonly string[] = process.execArgv): number | undefined {
  let kb: number | undefined;
  for (let i = 0; i < execArgv.length; i++) {
    const m = /^--stack[-_]size(?:=(.*))?$/.exec(execArgv[i]!);
    if (!m) continue;
    const v = Number(m[1] ?? execArgv[++i]);
    if (Number.isFinite(v)) kb = v; // the last one wins, as in V8
  }
  return kb;
}

/** The tier for the asyncify binary in this process, and why. */
export function asyncifyTier(env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): { tier: AsyncifyTier; why: string } {
  if (env.QUICKGO_WASM_TIERUP === "1") return { tier: "turbofan", why: "QUICKGO_WASM_TIERUP=1" };
  if (env.QUICKGO_WASM_TIERUP === "0") return { tier: "liftoff", why: "QUICKGO_WASM_TIERUP=0" };
  const kb = stackSizeFlagKb(execArgv);
  if (kb !== undefined && kb >= TURBOFAN_STACK_KB) return { tier: "turbofan", why: `--stack-size=${kb}` };
  return { tier: "liftoff", why: kb === undefined ? "V8's default stack" : `--stack-size=${kb} < ${TURBOFAN_STACK_KB}` };
}

/**
 * V8 flags to set, before the asyncify binary is compiled, for `tier`.
 *
 * Liftoff: set after start-up, --liftoff-only does not bring its implied
 * flags (Node 26 still tiered up), so tier-up is turned off explicitly.
 *
 * TurboFan, on V8 11 (Node 20) only, where two defaults differ from later V8s':
 * - V8 11 gives huge functions (asyncify's JS_CallInternal is one) its
 *   mid-tier register allocator, whose frames overflowed 7 MiB of stack in
 *   under 25 nested calls; later V8s always use the top-tier one.
 * - V8 11's tier-up budget (1.8M) is spent by a hello world, and compiling
 *   the asyncified interpreter takes TurboFan ~0.6 s of CPU, which a short
 *   program's exit waits for (hello world: 0.30 → 0.75 s); with later V8s'
 *   budget (13M) only a program that runs a while pays it.
 */
export function asyncifyV8Flags(tier: AsyncifyTier, v8Version: string = process.versions.v8): string[] {
  if (tier === "liftoff") return ["--liftoff-only", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering"];
  return Number(v8Version.split(".")[0]) <= 11 ? ["--no-turbo-use-mid-tier-regalloc-for-huge-functions", "--wasm-tiering-budget=13000000"] : [];
}

let applied: AsyncifyTier | undefined;

/** Sets asyncifyV8Flags once per process (the flags are process-wide) and returns the tier. */
export function applyAsyncifyTier(): AsyncifyTier {
  if (applied) return applied;
  applied = asyncifyTier().tier;
  for (const flag of asyncifyV8Flags(applied)) v8.setFlagsFromString(flag);
  return applied;
}

/**
 * Flags for a Node process started to run asyncify so that it tiers up:
 * `--stack-size=TURBOFAN_STACK_KB` where the OS's main-thread stack has room
 * for it (read from /proc on Linux; elsewhere unknown, so none), else none.
 */
export function asyncifyNodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.QUICKGO_WASM_TIERUP === "0") return [];
  const os = osStackKb();
  return os !== undefined && os >= TURBOFAN_STACK_KB + OS_STACK_SLACK_KB ? [`--stack-size=${TURBOFAN_STACK_KB}`] : [];
}

/** The soft limit on the main thread's stack, in KiB (Infinity when unlimited), or undefined where unknown. */
export function osStackKb(): number | undefined {
  const limits = readProcLimits();
  return limits === undefined ? undefined : stackLimitKb(limits);
}

/** The soft stack limit in the text of a /proc/<pid>/limits, in KiB (Infinity when unlimited). */
export function stackLimitKb(limits: string): number | undefined {
  const m = /^Max stack size\s+(\S+)/m.exec(limits);
  if (!m) return undefined;
  if (m[1] === "unlimited") return Infinity;
  const bytes = Number(m[1]);
  return Number.isFinite(bytes) ? bytes / 1024 : undefined;
}

function readProcLimits(): string | undefined {
  if (process.platform !== "linux") return undefined;
  try {
    return fs.readFileSync("/proc/self/limits", "utf8");
  } catch {
    return undefined;
  }
}
