// The asyncify pass's only-list (runtime/engine/asyncify-scope.ts): the
// functions that can reach an unwinding import through direct calls, and
// through indirect calls resolved by signature to the table's functions.
import { test } from "uvu";
import * as assert from "uvu/assert";
import binaryen from "binaryen";
import { asyncifyScope } from "../../runtime/engine/asyncify-scope.js";

const { i32, none } = binaryen;
const PARK = { module: "env", base: "park" };
const ii = binaryen.createType([i32, i32]);

/** A module with one unwinding import (`park`), one that does not unwind (`log`), and functions around them. */
function sample(): binaryen.Module {
  const m = new binaryen.Module();
  m.addFunctionImport("park", "env", "park", i32, i32);
  m.addFunctionImport("log", "env", "log", i32, none);
  const arg = (k: number) => m.local.get(k, i32);
  m.addFunction("leaf", i32, i32, [], m.i32.add(arg(0), m.i32.const(1)));
  m.addFunction("logs", i32, none, [], m.call("log", [arg(0)], none));
  m.addFunction("direct", i32, i32, [], m.call("park", [arg(0)], i32));
  m.addFunction("viaDirect", i32, i32, [], m.call("direct", [arg(0)], i32));
  // Table callbacks of two signatures: only the (i32) -> i32 one can park.
  m.addFunction("cbParks", i32, i32, [], m.call("viaDirect", [arg(0)], i32));
  m.addFunction("cbPure", ii, i32, [], m.i32.add(arg(0), arg(1)));
  // Parks, with the same signature as cbPure, but is not in the table: no indirect call reaches it.
  m.addFunction("notInTable", ii, i32, [], m.call("park", [arg(0)], i32));
  m.addFunction("indirectParks", ii, i32, [], m.call_indirect("t", arg(1), [arg(0)], i32, i32));
  m.addFunction("indirectPure", ii, i32, [], m.call_indirect("t", arg(1), [arg(0), arg(0)], ii, i32));
  m.addFunction("callsIndirectParks", ii, i32, [], m.call("indirectParks", [arg(0), arg(1)], i32));
  m.addTable("t", 2, 2);
  m.addActiveElementSegment("t", "seg", ["cbParks", "cbPure"], m.i32.const(0));
  assert.ok(m.validate(), "the sample module validates");
  return m;
}

test("instruments exactly the functions that can reach the unwinding import, resolving indirect calls by signature", () => {
  const m = sample();
  const { instrument, total } = asyncifyScope(binaryen, m, [PARK]);
  assert.equal(instrument.sort(), ["callsIndirectParks", "cbParks", "direct", "indirectParks", "notInTable", "viaDirect"]);
  assert.is(total, 10);
  m.dispose();
});

test("with no unwinding import, nothing is instrumented; with two, both count; a missing one fails the build", () => {
  const m = sample();
  assert.equal(asyncifyScope(binaryen, m, []).instrument, []);
  assert.equal(asyncifyScope(binaryen, m, [PARK, { module: "env", base: "log" }]).instrument.sort(), [
    "callsIndirectParks", "cbParks", "direct", "indirectParks", "logs", "notInTable", "viaDirect",
  ]);
  assert.throws(() => asyncifyScope(binaryen, m, [PARK, { module: "env", base: "gone" }]), /env\.gone/);
  m.dispose();
});

test("the pass, given the list, still unwinds and rewinds through an indirect call", () => {
  // The instrumented sample runs: park (an import) starts an unwind the first
  // time and ends the rewind the second, through cbParks reached by call_indirect.
  const m = sample();
  const { instrument } = asyncifyScope(binaryen, m, [PARK]);
  m.addFunctionExport("indirectParks", "run");
  m.addFunctionExport("indirectPure", "pure");
  m.setMemory(1, 1, "memory");
  binaryen.setPassArgument("asyncify-imports", "env.park");
  binaryen.setPassArgument("asyncify-onlylist", instrument.join(","));
  m.runPasses(["asyncify"]);
  binaryen.setPassArgument("asyncify-imports", null);
  binaryen.setPassArgument("asyncify-onlylist", null);
  assert.ok(m.validate());
  const bytes = m.emitBinary();
  m.dispose();
  type Exports = {
    run(x: number, slot: number): number;
    pure(x: number, slot: number): number;
    memory: WebAssembly.Memory;
    asyncify_start_unwind(p: number): void;
    asyncify_stop_unwind(): void;
    asyncify_start_rewind(p: number): void;
    asyncify_stop_rewind(): void;
  };
  let ex!: Exports;
  let parked = false;
  const DATA = 16;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {
    env: {
      park: (x: number) => {
        if (!parked) {
          parked = true;
          new Int32Array(ex.memory.buffer).set([DATA + 8, 1024], DATA / 4);
          ex.asyncify_start_unwind(DATA);
          return 0;
        }
        ex.asyncify_stop_rewind();
        return x * 10;
      },
      log: () => {},
    },
  });
  ex = instance.exports as unknown as Exports;
  ex.run(7, 0); // unwinds out of park
  ex.asyncify_stop_unwind();
  ex.asyncify_start_rewind(DATA);
  assert.is(ex.run(7, 0), 70); // rewinds into park, which now returns
  assert.is(ex.pure(3, 1), 6);
});

test.run();
