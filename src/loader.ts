// The program loader: turns a guest program (script or ES module) into the
// classic script every goroutine's context evaluates, and cuts each goroutine
// closure out into a factory the new goroutine can evaluate on its own.
// Every original line keeps its number (and mostly its columns), in the
// program and in each factory, so errors and stack traces name file:line.
import { Parser, type Node } from "acorn";
import { analyzeScopes, children, moduleExportName, patternIdentifiers, type AnyNode, type Scope } from "./scope.js";

/** A program that does not load: syntax errors, forbidden imports, writes to captured variables. */
export class GuestSyntaxError extends Error {
  readonly file: string;
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
  /** the message without the file:line:col prefix */
  readonly reason: string;
  constructor(file: string, line: number, column: number, reason: string) {
    super(`${file}:${line}:${column}: ${reason}`);
    this.name = "GuestSyntaxError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** A goroutine closure found in the program. */
export interface ClosureInfo {
  id: number;
  /** names of the captured variables, in the order the factory takes them */
  params: string[];
  /** a script evaluating to the closure's factory, FN at its original line and column */
  factorySource: string;
}

export interface LoadedProgram {
  file: string;
  /** the transformed program: a classic script, original line numbers kept */
  code: string;
  /** indexed by closure id */
  closures: ClosureInfo[];
  /** names of the program's top-level bindings (imports excluded) */
  topLevel: string[];
  isModule: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A call that starts a goroutine with a closure: `go(FN)`, `x.go(FN)`, `x.tryGo(FN)`, `afterFunc(ms, FN)`. */
interface Site {
  id: number;
  /** the argument replaced by `__qg_closure(id, [...])`: FN itself or the identifier naming it */
  arg: AnyNode;
  fn: AnyNode;
  /** scope of the call */
  scope: Scope;
}

/** What every site passing the same function shares. */
interface Closure {
  fn: AnyNode;
  /** set for `const name = FN`: the factory binds the name, as the original declaration did */
  constName?: string;
  captures: string[];
  factorySource?: string;
}

// Acorn's line terminators; replacements keep them verbatim, so whatever an
// engine counts as a line, it counts the same in the original and the output.
const LINE_BREAK = /\r\n?|\n|\u2028|\u2029/g;
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
const SPAWN_ARG: Readonly<Record<string, number>> = { go: 0, afterFunc: 1 };
/** Methods that start a goroutine: WaitGroup.go, errgroup's go and tryGo, time.afterFunc. */
const SPAWN_METHOD_ARG: Readonly<Record<string, number>> = { ...SPAWN_ARG, tryGo: 0 };

const onlyQuickgo = (spec: string): string => `cannot import "${spec}": guest programs can only import "quickgo"`;

export function loadProgram(source: string, file: string): LoadedProgram {
  const { ast, isModule } = parse(source, file);
  const scopes = analyzeScopes(ast);
  const root = scopes.get(ast)!;
  const fail = (node: Node, reason: string): never => {
    const at = node.loc!.start;
    throw new GuestSyntaxError(file, at.line, at.column + 1, reason);
  };
  const edits: Edit[] = [];
  // Not every engine takes a hashbang line; a comment of the same width does.
  if (source.startsWith("#!")) edits.push({ start: 0, end: 2, text: "//" });
  const hasDefault = isModule && rewriteModuleSyntax(ast, source, edits, fail);

  const parents = new Map<AnyNode, AnyNode>();
  const sites = findSites(ast, scopes, root, parents, fail);
  const closures = new Map<AnyNode, Closure>();
  for (const s of sites) {
    if (closures.has(s.fn)) continue;
    const decl = s.fn.type === "FunctionDeclaration" ? undefined : declaratorOf(s.fn, scopes);
    closures.set(s.fn, { fn: s.fn, ...(decl ? { constName: decl } : {}), captures: [] });
  }
  const ctx: CaptureContext = { scopes, root, parents, fail, siteByArg: new Map(sites.map((s) => [s.arg, s])), closures };
  // A closure's captures include those of the closures started inside it (its
  // factory text evaluates their __qg_closure(...) calls), and functions passed
  // by name may start each other, so iterate to a fixed point; the sets only grow.
  const inSourceOrder = [...closures.values()].sort((a, b) => a.fn.start - b.fn.start);
  for (const c of inSourceOrder) c.captures = captures(c, ctx, true);
  for (let changed = true; changed; ) {
    changed = false;
    for (const c of inSourceOrder) {
      const next = captures(c, ctx, false);
      changed ||= next.length !== c.captures.length;
      c.captures = next;
    }
  }

  for (const s of sites) {
    const c = closures.get(s.fn)!;
    if (s.arg.type === "Identifier") {
      // The values are read at the call: they must be the variables the function sees.
      const home = scopes.get(s.fn)!.parent!;
      for (const name of c.captures) {
        if (s.scope.lookup(name) !== home.lookup(name)) {
          fail(s.arg, `${s.arg.name as string} cannot start a goroutine here: it uses the outer "${name}", which is shadowed here`);
        }
      }
    }
    edits.push(keepLines(source, s.arg.start, s.arg.end, `__qg_closure(${s.id}, [${c.captures.join(", ")}])`));
  }
  const strict = isModule ? '"use strict"; ' : "";
  for (const c of closures.values()) {
    const { fn, captures: params } = c;
    const inner = edits.filter((e) => e.start >= fn.start && e.end <= fn.end && !(e.start === fn.start && e.end === fn.end));
    const text = padTo(source, fn.start) + applyEdits(source, inner, fn.start, fn.end);
    c.factorySource = c.constName
      ? `(function (${params.join(", ")}) { ${strict}const ${c.constName} = (${text}); return ${c.constName}; })`
      : `(function (${params.join(", ")}) { ${strict}return (${text}) })`;
  }

  const topLevel = [...root.bindings].filter(([name, b]) => b.kind !== "import" && IDENTIFIER.test(name)).map(([name]) => name);
  if (hasDefault) topLevel.push("__default");
  const code = strict + applyEdits(source, edits, 0, source.length) + `\n;globalThis.__qg_fns = { ${topLevel.join(", ")} };\n`;
  return {
    file,
    code,
    closures: sites.map((s) => {
      const c = closures.get(s.fn)!;
      return { id: s.id, params: [...c.captures], factorySource: c.factorySource! };
    }),
    topLevel,
    isModule,
  };
}

interface AcornError extends SyntaxError {
  pos: number;
  loc: { line: number; column: number };
}

const isAcornError = (e: unknown): e is AcornError => e instanceof SyntaxError && typeof (e as Partial<AcornError>).pos === "number";

function parse(source: string, file: string): { ast: AnyNode; isModule: boolean } {
  const opts = { ecmaVersion: "latest", locations: true, allowHashBang: true } as const;
  let scriptError: AcornError;
  try {
    return { ast: Parser.parse(source, { ...opts, sourceType: "script" }) as unknown as AnyNode, isModule: false };
  } catch (e) {
    if (!isAcornError(e)) throw e;
    scriptError = e;
  }
  // Module goal also accepts top-level await and import.meta, which are then
  // reported with a clearer message than the script parse's.
  try {
    return { ast: Parser.parse(source, { ...opts, sourceType: "module" }) as unknown as AnyNode, isModule: true };
  } catch (moduleError) {
    if (!isAcornError(moduleError)) throw moduleError;
    // The script parse stopped at module syntax, or got further than the
    // module parse (which also rejects sloppy-mode code): the later error is the real one.
    const e = /sourceType: module/.test(scriptError.message) || moduleError.pos > scriptError.pos ? moduleError : scriptError;
    throw new GuestSyntaxError(file, e.loc.line, e.loc.column + 1, `SyntaxError: ${e.message.replace(/ \(\d+:\d+\)$/, "")}`);
  }
}

/** Rewrites imports and exports in place; returns whether an `export default <expression>` became `const __default`. */
function rewriteModuleSyntax(ast: AnyNode, source: string, edits: Edit[], fail: (n: Node, reason: string) => never): boolean {
  let hasDefault = false;
  const checkSource = (stmt: AnyNode): void => {
    const from = stmt.source as AnyNode | null;
    if (from && from.value !== "quickgo") fail(stmt, onlyQuickgo(String(from.value)));
  };
  for (const stmt of ast.body as AnyNode[]) {
    switch (stmt.type) {
      case "ImportDeclaration": {
        checkSource(stmt);
        const named: string[] = [];
        const whole: string[] = [];
        for (const sp of stmt.specifiers as AnyNode[]) {
          const local = (sp.local as AnyNode).name as string;
          if (sp.type !== "ImportSpecifier") {
            whole.push(`const ${local} = globalThis.__quickgo;`); // the API object serves as default and namespace
            continue;
          }
          const imported = moduleExportName(sp.imported as AnyNode);
          const key = IDENTIFIER.test(imported) ? imported : JSON.stringify(imported);
          named.push(imported === local ? local : `${key}: ${local}`);
        }
        if (named.length) whole.unshift(`const { ${named.join(", ")} } = globalThis.__quickgo;`);
        // A lone ";" rather than nothing: deleting a statement could join its neighbours (`a\n(b)`).
        edits.push(keepLines(source, stmt.start, stmt.end, whole.join(" ") || ";"));
        break;
      }
      case "ExportNamedDeclaration":
      case "ExportAllDeclaration": {
        checkSource(stmt);
        const decl = stmt.declaration as AnyNode | null | undefined;
        edits.push(decl ? blank(source, stmt.start, decl.start) : keepLines(source, stmt.start, stmt.end, ";"));
        break;
      }
      case "ExportDefaultDeclaration": {
        const decl = stmt.declaration as AnyNode;
        const named = (decl.type === "FunctionDeclaration" || decl.type === "ClassDeclaration") && decl.id;
        edits.push(named ? blank(source, stmt.start, decl.start) : keepLines(source, stmt.start, decl.start, "const __default = "));
        hasDefault ||= !named;
        break;
      }
    }
  }
  return hasDefault;
}

/**
 * Walks the whole program: refuses dynamic import, import.meta and top-level
 * await, records every node's parent, and returns the goroutine closure
 * sites in source order (an outer closure before the ones inside it).
 */
function findSites(
  ast: AnyNode,
  scopes: Map<Node, Scope>,
  root: Scope,
  parents: Map<AnyNode, AnyNode>,
  fail: (n: Node, reason: string) => never,
): Site[] {
  const sites: Site[] = [];
  const tla = "top-level await is not supported: goroutines block instead of awaiting";
  const walk = (node: AnyNode, scope: Scope, inFunction: boolean): void => {
    scope = scopes.get(node) ?? scope;
    switch (node.type) {
      case "ImportExpression":
        fail(node, "dynamic import is not available to guest programs");
        break;
      case "MetaProperty":
        if ((node.meta as AnyNode).name === "import") fail(node, "import.meta is not available to guest programs");
        break;
      case "AwaitExpression":
        if (!inFunction) fail(node, tla);
        break;
      case "ForOfStatement":
        if (node.await && !inFunction) fail(node, tla);
        break;
      case "VariableDeclaration":
        if (node.kind === "await using" && !inFunction) fail(node, tla);
        break;
      case "CallExpression": {
        const arg = (node.arguments as AnyNode[])[spawnArgIndex(node, scope, root)];
        const fn = arg && closureFunction(arg, scope, root);
        if (arg && fn) sites.push({ id: sites.length, arg, fn, scope });
        break;
      }
    }
    inFunction ||= isFunction(node);
    for (const c of children(node)) {
      parents.set(c, node);
      walk(c, scope, inFunction);
    }
  };
  walk(ast, root, false);
  return sites;
}

const isFunction = (n: AnyNode): boolean =>
  n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** Index of the argument holding the function if `call` starts a goroutine, else -1. */
function spawnArgIndex(call: AnyNode, scope: Scope, root: Scope): number {
  const callee = call.callee as AnyNode;
  if (callee.type === "MemberExpression") {
    const prop = callee.property as AnyNode;
    return !callee.computed && prop.type === "Identifier" ? (SPAWN_METHOD_ARG[prop.name as string] ?? -1) : -1;
  }
  if (callee.type !== "Identifier") return -1;
  const name = callee.name as string;
  const where = scope.lookup(name);
  if (where !== null && where !== root) return -1; // a local binding that happens to be called go
  const b = where?.bindings.get(name);
  return SPAWN_ARG[b?.kind === "import" ? b.imported! : name] ?? -1;
}

/**
 * The function a spawn site's argument denotes, when it is a closure: a
 * function literal, or the name of a function declared (by `function` or
 * `const f = <function literal>`) inside a function or block. Top-level
 * functions exist in every goroutine's context and are started by name.
 */
function closureFunction(arg: AnyNode, scope: Scope, root: Scope): AnyNode | undefined {
  if (arg.type === "ArrowFunctionExpression" || arg.type === "FunctionExpression") return arg;
  if (arg.type !== "Identifier") return undefined;
  const where = scope.lookup(arg.name as string);
  if (!where || where === root) return undefined;
  const b = where.bindings.get(arg.name as string)!;
  if (b.redeclared) return undefined; // which declaration holds at the call is a run-time matter
  if (b.kind === "function") return b.node;
  const init = b.node.init as AnyNode | null | undefined;
  if (b.kind === "const" && (b.node.id as AnyNode).type === "Identifier" && init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression")) {
    return init;
  }
  return undefined;
}

/** The name of `const name = fn`, if that is how fn was declared. */
function declaratorOf(fn: AnyNode, scopes: Map<Node, Scope>): string | undefined {
  let home = scopes.get(fn)!.parent!;
  if (home.node === fn) home = home.parent!; // past a named function expression's own-name scope
  for (const [name, b] of home.bindings) if (b.kind === "const" && b.node.init === fn) return name;
  return undefined;
}

interface CaptureContext {
  scopes: Map<Node, Scope>;
  root: Scope;
  parents: Map<AnyNode, AnyNode>;
  fail: (n: Node, reason: string) => never;
  siteByArg: Map<AnyNode, Site>;
  closures: Map<AnyNode, Closure>;
}

/**
 * The variables closure c reads from enclosing functions and blocks, in
 * first-use order. With `check`, also refuses writes to them, function kinds
 * that cannot be goroutines, and an arrow's use of its enclosing function's
 * `this`/`arguments`/`super`/`new.target`.
 */
function captures(c: Closure, ctx: CaptureContext, check: boolean): string[] {
  const { fn } = c;
  const { scopes, root, fail } = ctx;
  const fnScope = scopes.get(fn)!;
  if (check && ((fn.async as boolean) || (fn.generator as boolean))) {
    fail(fn, "go needs a plain function: async functions and generators cannot be goroutines");
  }
  const out: string[] = [];
  const isCapture = (name: string, scope: Scope): boolean => {
    const where = scope.lookup(name);
    if (!where || where === root || where.within(fnScope) || where.node === fn) return false;
    // The function's own name, by which it may call itself: the factory binds it.
    const b = where.bindings.get(name)!;
    return b.node !== fn && b.node.init !== fn;
  };
  const use = (name: string, scope: Scope): void => {
    if (isCapture(name, scope) && !out.includes(name)) out.push(name);
  };
  const checkWrite = (target: AnyNode, scope: Scope): void => {
    for (const id of patternIdentifiers(target)) {
      const name = id.name as string;
      if (isCapture(name, scope)) {
        fail(id, `cannot assign to captured variable "${name}" in a goroutine closure: goroutines share no memory (pass the value through a channel)`);
      }
    }
  };
  const lexicalThis = check && fn.type === "ArrowFunctionExpression" && hasEnclosingFunction(fn, ctx.parents);
  const refuse = (node: Node, what: string): never => fail(node, `a goroutine closure cannot use "${what}" of its enclosing function`);
  // `lexical`: `this` and friends here would be the enclosing function's.
  const visit = (node: AnyNode, scope: Scope, parent: AnyNode | null, lexical: boolean): void => {
    const site = node === fn ? undefined : ctx.siteByArg.get(node);
    if (site) {
      // Replaced by __qg_closure(id, [its captures]): those names are what this text reads.
      for (const name of ctx.closures.get(site.fn)!.captures) use(name, site.scope);
      return;
    }
    scope = scopes.get(node) ?? scope;
    switch (node.type) {
      case "Identifier": {
        if (parent && !isReference(node, parent)) break;
        const name = node.name as string;
        if (lexical && name === "arguments" && scope.lookup(name) === null) refuse(node, "arguments");
        use(name, scope);
        break;
      }
      case "ThisExpression":
        if (lexical) refuse(node, "this");
        break;
      case "Super":
        if (lexical) refuse(node, "super");
        break;
      case "MetaProperty":
        if (lexical && (node.meta as AnyNode).name === "new") refuse(node, "new.target");
        return;
      case "AssignmentExpression":
        if (check) checkWrite(node.left as AnyNode, scope);
        break;
      case "UpdateExpression":
        if (check) checkWrite(node.argument as AnyNode, scope);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        if (check && (node.left as AnyNode).type !== "VariableDeclaration") checkWrite(node.left as AnyNode, scope);
        break;
    }
    const ownThis = node !== fn && (node.type === "FunctionExpression" || node.type === "FunctionDeclaration" || node.type === "StaticBlock");
    for (const child of children(node)) {
      const fieldValue = node.type === "PropertyDefinition" && child === node.value;
      visit(child, scope, node, lexical && !ownThis && !fieldValue);
    }
  };
  visit(fn, fnScope, null, lexicalThis);
  return out;
}

/** Whether an arrow's `this` is some function's (or class's) rather than the program's. */
function hasEnclosingFunction(arrow: AnyNode, parents: Map<AnyNode, AnyNode>): boolean {
  let n = arrow;
  for (let p = parents.get(n); p; n = p, p = parents.get(n)) {
    if (p.type === "FunctionExpression" || p.type === "FunctionDeclaration" || p.type === "StaticBlock") return true;
    if (p.type === "PropertyDefinition" && p.value === n) return true;
  }
  return false;
}

/** Whether an Identifier is a variable reference (not a property name, label or declared function/class name). */
function isReference(id: AnyNode, parent: AnyNode): boolean {
  switch (parent.type) {
    case "MemberExpression":
      return parent.object === id || (parent.computed as boolean);
    case "Property":
    case "MethodDefinition":
    case "PropertyDefinition":
      return parent.value === id || (parent.key === id && (parent.computed as boolean));
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
    case "MetaProperty":
      return false;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ClassDeclaration":
    case "ClassExpression":
      return parent.id !== id;
  }
  return true;
}

/** Replaces [start, end) with text followed by the line breaks the old text had. */
function keepLines(source: string, start: number, end: number, text: string): Edit {
  return { start, end, text: text + (source.slice(start, end).match(LINE_BREAK) ?? []).join("") };
}

/** Replaces [start, end) with spaces, keeping line breaks: every column after it stays put. */
function blank(source: string, start: number, end: number): Edit {
  return { start, end, text: source.slice(start, end).replace(/[^\r\n\u2028\u2029]/g, " ") };
}

/** The line breaks before offset, then spaces up to its column. */
function padTo(source: string, offset: number): string {
  let breaks = "";
  let lineStart = 0;
  for (const m of source.slice(0, offset).matchAll(LINE_BREAK)) {
    breaks += m[0];
    lineStart = m.index + m[0].length;
  }
  return breaks + " ".repeat(offset - lineStart);
}

/** source[from, to) with the edits applied; an edit inside another is dropped (the outer one's text already has it). */
function applyEdits(source: string, edits: Edit[], from: number, to: number): string {
  const sorted = [...edits].sort((a, b) => a.start - b.start || b.end - a.end);
  let out = "";
  let at = from;
  for (const e of sorted) {
    if (e.start < at) continue;
    out += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + source.slice(at, to);
}
