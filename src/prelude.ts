// The guest prelude: codec.js then guest.js, with the host's opcode tables
// injected. Read once per process.
import fs from "node:fs";
import path from "node:path";
import { packageRoot } from "../runtime/engine/wasm-build.js";
import { Op, SelectKind } from "../runtime/ops.js";

let cached: string | undefined;

export function preludeSource(): string {
  if (cached === undefined) {
    const dir = path.join(packageRoot, "src", "prelude");
    const codec = fs.readFileSync(path.join(dir, "codec.js"), "utf8");
    const guest = fs
      .readFileSync(path.join(dir, "guest.js"), "utf8")
      .replace("__QG_OPS__", JSON.stringify(Op))
      .replace("__QG_SELECT_KINDS__", JSON.stringify(SelectKind));
    cached = `${codec}\n${guest}`;
  }
  return cached;
}
