// The program loader: turns a guest program (script or ES module) into the
// classic script every goroutine's context evaluates, keeping every original
// line where it was (so stack traces and errors name the right file:line).
//
//  - `import {…} from "quickgo"` becomes a destructuring of the prelude's
//    API; any other import is an error (guests reach the host only through
//    quickgo); `export` keywords are dropped.
//  - A closure passed to go() (or to `x.go(fn)`, `afterFunc(ms, fn)`) is
//    replaced by `__qg_closure(id, [captured values])`. The new goroutine
//    rebuilds it from `factorySource`: `(function (captures…) { return (FN) })`
//    with FN at its original line and column. Captured variables are copied at
//    spawn, so assigning one inside the closure is a load-time error.
//  - The program's top-level bindings are listed in `globalThis.__qg_fns`, so
//    go(fn) can name a top-level function in another goroutine's context.
import { Parser, type Node } from "acorn";
import { analyzeScopes, children, patternNames, type AnyNode, type Scope } from "./scope.js";

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
  /** a script evaluating to the closure's factory, FN at its original position */
  factorySource: string;
}

export interface LoadedProgram {
  file: string;
  /** the transformed program: a classic script, original line numbers kept */
  code: string;
  /** indexed by closure id */
  closures: ClosureInfo[];
  /** names of the program's top-level bindings */
  topLevel: string[];
  isModule: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

const GO_SITE_ARG: Record<string, number> = { go: 0, afterFunc: 1 };

export function loadProgram(source: string, file: string): LoadedProgram {
  const { ast, isModule } = parse(source, file);
  const scopes = analyzeScopes(ast);
  const root = scopes.get(ast)!;
  const fail = (node: Node, reason: string): never => {
    const { line, column } = position(source, node.start);
    throw new GuestSyntaxError(file, line, column, reason);
  };
  const edits: Edit[] = [];
  const closures: ClosureInfo[] = [];
  /** closure function node → its id; filled in source order */
  const pending: { fn: AnyNode; replace: AnyNode; scope: Scope; id: number }[] = [];
  /** local binding of `go` imported from quickgo under another name */
  const goAliases = new Set<string>(["go"]);

  for (const stmt of ast.body as AnyNode[]) {
    if (stmt.type === "ImportDeclaration") {
      const spec = (stmt.source as AnyNode).value as string;
      if (spec !== "quickgo") fail(stmt, `cannot import "${spec}": guest programs can only import "quickgo"`);
      const parts: string[] = [];
      let whole: string | undefined;
      for (const sp of stmt.specifiers as AnyNode[]) {
        const local = (sp.local as AnyNode).name as string;
        if (sp.type === "ImportSpecifier") {
          const imported = (sp.imported as AnyNode).name as string;
          parts.push(imported === local ? local : `${imported}: ${local}`);
          if (imported === "go") goAliases.add(local);
        } else whole = local;
      }
      const text = [
        parts.length ? `const { ${parts.join(", ")} } = globalThis.__quickgo;` : "",
        whole ? `const ${whole} = globalThis.__quickgo;` : "",
      ].join(" ");
      edits.push(keepLines(source, stmt.start, stmt.end, text));
    } else if (stmt.type === "ExportNamedDeclaration") {
      if (stmt.source) fail(stmt, `cannot re-export from "${(stmt.source as AnyNode).value}": guest programs can only import "quickgo"`);
      if (stmt.declaration) edits.push({ start: stmt.start, end: (stmt.declaration as AnyNode).start, text: "" });
      else edits.push(keepLines(source, stmt.start, stmt.end, ""));
    } else if (stmt.type === "ExportDefaultDeclaration") {
      const decl = stmt.declaration as AnyNode;
      const named = (decl.type === "FunctionDeclaration" || decl.type === "ClassDeclaration") && decl.id;
      edits.push({ start: stmt.start, end: decl.start, text: named ? "" : "const __default = " });
      if (!named) root.names.add("__default");
    } else if (stmt.type === "ExportAllDeclaration") {
      fail(stmt, `cannot re-export from "${(stmt.source as AnyNode).value}": guest programs can only import "quickgo"`);
    }
  }

  // Find spawn sites and closures, in source order.
  const scopeStack: Scope[] = [root];
  const walk = (node: AnyNode): void => {
    const own = scopes.get(node);
    if (own && own !== scopeStack[scopeStack.length - 1]) scopeStack.push(own);
    const scope = scopeStack[scopeStack.length - 1]!;
    if (node.type === "ImportExpression") fail(node, "dynamic import is not available to guest programs");
    if (node.type === "AwaitExpression" && scope === root) fail(node, "top-level await is not supported: goroutines block instead of awaiting");
    if (node.type === "CallExpression") {
      const argIndex = spawnArgIndex(node, scope, root, goAliases);
      const arg = argIndex >= 0 ? (node.arguments as AnyNode[])[argIndex] : undefined;
      if (arg) {
        const fn = closureFunction(arg, scope, root, scopes);
        if (fn) pending.push({ fn, replace: arg, scope, id: pending.length });
      }
    }
    for (const c of children(node)) walk(c);
    if (own && scopeStack[scopeStack.length - 1] === own && own !== root) scopeStack.pop();
  };
  walk(ast);

  // Captures and replacement text for every closure.
  for (const p of pending) {
    const { fn, id } = p;
    if ((fn.async as boolean) || (fn.generator as boolean)) {
      fail(fn, "go needs a plain function: async functions and generators cannot be goroutines");
    }
    const params = captures(fn, scopes, root, fail);
    closures.push({ id, params, factorySource: "" });
    const text = `__qg_closure(${id}, [${params.join(", ")}])`;
    edits.push(keepLines(source, p.replace.start, p.replace.end, text));
  }
  // Factories: each closure's text with the closures nested in it replaced.
  for (const p of pending) {
    const fnText = applyEdits(source, edits.filter((e) => e.start >= p.fn.start && e.end <= p.fn.end && !(e.start === p.replace.start && e.end === p.replace.end)), p.fn.start, p.fn.end);
    const { line, column } = position(source, p.fn.start);
    const header = `(function (${closures[p.id]!.params.join(", ")}) { return (`;
    closures[p.id]!.factorySource = `${header}${"\n".repeat(line - 1)}${" ".repeat(column - 1)}${fnText}) })`;
  }

  const topLevel = [...root.names].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n));
  const code =
    applyEdits(source, outermost(edits), 0, source.length) + `\n;globalThis.__qg_fns = { ${topLevel.join(", ")} };\n`;
  return { file, code, closures, topLevel, isModule };
}

function parse(source: string, file: string): { ast: AnyNode; isModule: boolean } {
  const opts = { ecmaVersion: "latest" as const, locations: true, allowHashBang: true };
  try {
    return { ast: Parser.parse(source, { ...opts, sourceType: "script" }) as unknown as AnyNode, isModule: false };
  } catch (scriptError) {
    try {
      return { ast: Parser.parse(source, { ...opts, sourceType: "module" }) as unknown as AnyNode, isModule: true };
    } catch {
      // Report the script parse's error unless the program is clearly a module.
      const isModuleSyntax = /^\s*(import|export)\b/m.test(source);
      let e = scriptError as SyntaxError & { loc?: { line: number; column: number } };
      if (isModuleSyntax) {
        try {
          Parser.parse(source, { ...opts, sourceType: "module" });
        } catch (m) {
          e = m as typeof e;
        }
      }
      const reason = `SyntaxError: ${e.message.replace(/ \(\d+:\d+\)$/, "")}`;
      throw new GuestSyntaxError(file, e.loc?.line ?? 1, (e.loc?.column ?? 0) + 1, reason);
    }
  }
}

/** Index of the function argument if `call` is a spawn site, else -1. */
function spawnArgIndex(call: AnyNode, scope: Scope, root: Scope, goAliases: Set<string>): number {
  const callee = call.callee as AnyNode;
  if (callee.type === "Identifier") {
    const name = callee.name as string;
    const bound = scope.lookup(name);
    if (bound !== null && bound !== root) return -1; // a local function that happens to be called go
    if (goAliases.has(name)) return 0;
    return name === "afterFunc" ? 1 : -1;
  }
  if (callee.type === "MemberExpression" && !callee.computed) {
    const name = (callee.property as AnyNode).name as string;
    return GO_SITE_ARG[name] ?? -1;
  }
  return -1;
}

/** The function a spawn-site argument denotes, when it needs rewriting (not a top-level function). */
function closureFunction(arg: AnyNode, scope: Scope, root: Scope, scopes: Map<Node, Scope>): AnyNode | undefined {
  if (arg.type === "ArrowFunctionExpression" || arg.type === "FunctionExpression") return arg;
  if (arg.type !== "Identifier") return undefined;
  const name = arg.name as string;
  const bound = scope.lookup(name);
  if (!bound || bound === root) return undefined; // top-level: exists in every context
  // A local function declaration or `const f = () => …` in the binding scope.
  let found: AnyNode | undefined;
  const search = (node: AnyNode): void => {
    for (const c of children(node)) {
      if (found) return;
      if (c.type === "FunctionDeclaration" && (c.id as AnyNode | null)?.name === name && scopeOfDecl(c, scopes) === bound) found = c;
      else if (c.type === "VariableDeclarator" && (c.id as AnyNode).type === "Identifier" && (c.id as AnyNode).name === name) {
        const init = c.init as AnyNode | null;
        if (init && (init.type === "ArrowFunctionExpression" || init.type === "FunctionExpression")) found = init;
      } else if (!scopes.get(c) || scopes.get(c) === bound) search(c); // stay in the binding scope
    }
  };
  search(bound.node as AnyNode);
  return found;
}

function scopeOfDecl(fn: AnyNode, scopes: Map<Node, Scope>): Scope | undefined {
  return scopes.get(fn)?.parent ?? undefined;
}

/**
 * Free variables of fn bound in an enclosing scope other than the program's,
 * in first-use order; fails on writes to them and on `this`/`arguments`/
 * `super`/`new.target` of the enclosing function inside an arrow.
 */
function captures(fn: AnyNode, scopes: Map<Node, Scope>, root: Scope, fail: (n: Node, reason: string) => never): string[] {
  const fnScope = scopes.get(fn)!;
  const inside = new Set<Scope>();
  const out: string[] = [];
  const isCapture = (name: string, scope: Scope): boolean => {
    const b = scope.lookup(name);
    return b !== null && b !== root && !inside.has(b) && !(fn.type === "FunctionDeclaration" && b === fnScope.parent && name === (fn.id as AnyNode).name);
  };
  const checkWrite = (target: AnyNode, scope: Scope): void => {
    const names = target.type === "Identifier" ? [target.name as string] : patternNames(target);
    for (const n of names) {
      if (isCapture(n, scope)) {
        fail(target, `cannot assign to captured variable "${n}" in a goroutine closure: goroutines share no memory (pass the value through a channel)`);
      }
    }
  };
  const visit = (node: AnyNode, scope: Scope, parent: AnyNode | null, arrowOnly: boolean): void => {
    const own = scopes.get(node);
    if (own && own !== scope) {
      for (let s: Scope | null = own; s && s !== scope; s = s.parent) inside.add(s);
      scope = own;
    }
    if (node !== fn && (node.type === "FunctionExpression" || node.type === "FunctionDeclaration")) arrowOnly = false;
    switch (node.type) {
      case "Identifier": {
        const name = node.name as string;
        if (parent && !isReference(node, parent)) break;
        if (arrowOnly && name === "arguments" && scope.lookup(name) === null) fail(node, `a goroutine closure cannot use "arguments" of its enclosing function`);
        if (isCapture(name, scope) && !out.includes(name)) out.push(name);
        break;
      }
      case "ThisExpression":
        if (arrowOnly) fail(node, `a goroutine closure cannot use "this" of its enclosing function`);
        break;
      case "Super":
        if (arrowOnly) fail(node, `a goroutine closure cannot use "super" of its enclosing function`);
        break;
      case "MetaProperty":
        if (arrowOnly && (node.meta as AnyNode).name === "new") fail(node, `a goroutine closure cannot use "new.target" of its enclosing function`);
        return;
      case "AssignmentExpression":
        checkWrite(node.left as AnyNode, scope);
        break;
      case "UpdateExpression":
        checkWrite(node.argument as AnyNode, scope);
        break;
      case "ForInStatement":
      case "ForOfStatement":
        if ((node.left as AnyNode).type !== "VariableDeclaration") checkWrite(node.left as AnyNode, scope);
        break;
    }
    for (const c of children(node)) visit(c, scope, node, arrowOnly);
  };
  inside.add(fnScope);
  if (fnScope.parent && fnScope.parent.node === fn) inside.add(fnScope.parent); // named function expression
  visit(fn, fnScope, null, fn.type === "ArrowFunctionExpression");
  return out;
}

/** Whether an Identifier is a variable reference (not a property name, label or declaration name). */
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
      return false;
    case "FunctionDeclaration":
    case "FunctionExpression":
    case "ClassDeclaration":
    case "ClassExpression":
      return parent.id !== id;
    case "ExportSpecifier":
    case "ImportSpecifier":
      return false;
  }
  return true;
}

/** Replaces [start, end) with text plus as many newlines as the old text had. */
function keepLines(source: string, start: number, end: number, text: string): Edit {
  const lines = source.slice(start, end).split("\n").length - 1;
  return { start, end, text: text + "\n".repeat(lines) };
}

/** The edits not nested inside another edit. */
function outermost(edits: Edit[]): Edit[] {
  return edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && o.end >= e.end && (o.start < e.start || o.end > e.end)));
}

function applyEdits(source: string, edits: Edit[], from: number, to: number): string {
  const sorted = outermost(edits).sort((a, b) => a.start - b.start);
  let out = "";
  let at = from;
  for (const e of sorted) {
    if (e.start < at) continue;
    out += source.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + source.slice(at, to);
}

function position(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

