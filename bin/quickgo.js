#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli.ts (compiled to dist/).
import("../dist/src/cli.js").then((m) => m.main(process.argv.slice(2)));
