// The part of the WebAssembly JS API the engine uses. TypeScript ships these
// types only in lib.dom, which would bring browser globals into a Node project.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: BufferSource);
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    value: unknown;
  }
  type ExportValue = Function | Global | Memory | Table;
  type ImportValue = ExportValue | number;
  type Exports = Record<string, ExportValue>;
  type ModuleImports = Record<string, ImportValue>;
  type Imports = Record<string, ModuleImports>;
  class Table {}
  /** A trap (unreachable, out-of-bounds access…) inside wasm code. */
  class RuntimeError extends Error {}
  class Instance {
    constructor(module: Module, imports?: Imports);
    readonly exports: Exports;
  }
}
