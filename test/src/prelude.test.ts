// The prelude every goroutine runs (src/prelude.ts): `npm run build` minifies
// it (src/prelude-build.ts); the build is used only while it matches the
// sources, so an edit without a rebuild runs the edited sources.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import { BUILT_PRELUDE, type BuiltPrelude, expandedSources, preludeSources, selectPrelude, sourcesHash } from "../../src/prelude.js";
import { run, eachBackend } from "../helpers.js";

test("after npm run build, goroutines run the minified prelude, smaller than the sources", () => {
  const built = JSON.parse(fs.readFileSync(BUILT_PRELUDE, "utf8")) as BuiltPrelude;
  const used = preludeSources();
  assert.is(used.main, built.main);
  assert.equal(used.modules, built.modules);
  const expanded = expandedSources();
  assert.ok(built.main.length < 0.8 * expanded.main.length, `${built.main.length} vs ${expanded.main.length}`);
  assert.not.match(built.main, /OP\.|__QG_SELECT_KINDS__/);
  for (const m of Object.keys(built.modules)) assert.not.match(built.modules[m]!, /OP\.|__QG_TOOLKIT__/, m);
});

test("a build made from other sources is not used: the sources run, compacted, with opcodes inlined", () => {
  const expanded = expandedSources();
  const stale: BuiltPrelude = { hash: "0".repeat(64), main: "stale()", modules: {} };
  const chosen = selectPrelude(expanded, stale);
  assert.is.not(chosen.main, "stale()");
  assert.ok(chosen.main.includes("use strict"));
  assert.not.match(chosen.main, /\bOP\.[A-Z]/);
  assert.is(chosen.main.split("\n").length, expanded.main.split("\n").length, "line numbers kept");
  assert.equal(Object.keys(chosen.modules), Object.keys(expanded.modules));
  assert.is(selectPrelude(expanded, undefined).main, chosen.main);
  const fresh: BuiltPrelude = { hash: sourcesHash(expanded), main: "built()", modules: { codec: "c" } };
  assert.is(selectPrelude(expanded, fresh).main, "built()");
});

eachBackend(test, "the minified prelude keeps the API's function and class names (seen in stacks and printed values)", async (backend) => {
  const r = await run(
    `function main() {
       println(chan.name, go.name, new WaitGroup().constructor.name, chan(1).constructor.name, Mutex.name)
       try { chan(-1) } catch (e) { println(e.name, e.message, /^\\s*at chan$/m.test(e.stack)) }
     }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "chan go WaitGroup Chan Mutex\nRangeError makechan: size out of range true\n");
});

test.run();
