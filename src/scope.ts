// Lexical scopes of a parsed program, enough to tell where a name is bound
// and by what declaration. Deliberately small: no Annex B hoisting of
// block-level functions, and a function's parameters share its body's scope.
import type { Node } from "acorn";

/** A node as a plain record, for generic traversal. */
export type AnyNode = Node & Record<string, unknown>;

export type ScopeKind = "program" | "function" | "block";

export type BindingKind = "var" | "let" | "const" | "class" | "function" | "param" | "catch" | "import" | "self";

export interface Binding {
  kind: BindingKind;
  /** the FunctionDeclaration, ClassDeclaration, VariableDeclarator, import specifier, or the function owning a param/self name */
  node: AnyNode;
  /** for imports: the name exported by the module ("*" or "default" for namespace and default imports) */
  imported?: string;
  /** declared more than once in this scope: which declaration wins depends on run-time order */
  redeclared: boolean;
}

export class Scope {
  readonly bindings = new Map<string, Binding>();
  constructor(
    readonly kind: ScopeKind,
    readonly parent: Scope | null,
    readonly node: AnyNode,
  ) {}

  declare(name: string, kind: BindingKind, node: AnyNode, imported?: string): void {
    const old = this.bindings.get(name);
    if (old) old.redeclared = true;
    else this.bindings.set(name, { kind, node, redeclared: false, ...(imported === undefined ? {} : { imported }) });
  }

  /** The scope that binds `name`, searching outwards; null for an undeclared (global) name. */
  lookup(name: string): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.bindings.has(name)) return s;
    return null;
  }

  /** Nearest function (or program) scope: where `var` goes. */
  get functionScope(): Scope {
    let s: Scope = this;
    while (s.kind === "block" && s.parent) s = s.parent;
    return s;
  }

  /** Whether this scope is `other` or nested in it. */
  within(other: Scope): boolean {
    for (let s: Scope | null = this; s; s = s.parent) if (s === other) return true;
    return false;
  }
}

export function isNode(x: unknown): x is AnyNode {
  return typeof x === "object" && x !== null && typeof (x as { type?: unknown }).type === "string";
}

/** Children of a node, in source order. */
export function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === "loc") continue;
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) isNode(c) && out.push(c);
    else if (isNode(v)) out.push(v);
  }
  // Acorn's key order is nearly source order; template literals are not (expressions before quasis).
  return out.sort((a, b) => a.start - b.start);
}

/** The identifiers a binding or assignment pattern binds or assigns (member-expression targets excluded). */
export function patternIdentifiers(p: AnyNode | null | undefined, out: AnyNode[] = []): AnyNode[] {
  if (!p) return out;
  switch (p.type) {
    case "Identifier":
      out.push(p);
      break;
    case "ObjectPattern":
      for (const prop of p.properties as AnyNode[]) patternIdentifiers((prop.type === "RestElement" ? prop.argument : prop.value) as AnyNode, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements as (AnyNode | null)[]) patternIdentifiers(el, out);
      break;
    case "RestElement":
      patternIdentifiers(p.argument as AnyNode, out);
      break;
    case "AssignmentPattern":
      patternIdentifiers(p.left as AnyNode, out);
      break;
  }
  return out;
}

export const patternNames = (p: AnyNode | null | undefined): string[] => patternIdentifiers(p).map((id) => id.name as string);

/**
 * Builds every scope of the program. The map holds the scope of each
 * scope-creating node (a function's body block maps to the function's scope;
 * a named function or class expression's own name lives in an extra scope
 * around it, mapped from nothing).
 */
export function analyzeScopes(program: AnyNode): Map<Node, Scope> {
  const scopes = new Map<Node, Scope>();
  const visitAll = (nodes: AnyNode[], scope: Scope): void => nodes.forEach((c) => visit(c, scope));
  const visit = (node: AnyNode, scope: Scope): void => {
    switch (node.type) {
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        const id = node.id as AnyNode | null;
        let outer = scope;
        if (node.type === "FunctionDeclaration" && id) scope.declare(id.name as string, "function", node);
        if (node.type === "FunctionExpression" && id) {
          outer = new Scope("block", scope, node);
          outer.declare(id.name as string, "self", node);
        }
        const fn = new Scope("function", outer, node);
        scopes.set(node, fn);
        for (const p of node.params as AnyNode[]) for (const n of patternNames(p)) fn.declare(n, "param", node);
        visitAll(node.params as AnyNode[], fn);
        const body = node.body as AnyNode;
        if (body.type === "BlockStatement") {
          scopes.set(body, fn);
          visitAll(body.body as AnyNode[], fn);
        } else visit(body, fn);
        return;
      }
      case "ClassDeclaration":
      case "ClassExpression": {
        const id = node.id as AnyNode | null;
        if (node.type === "ClassDeclaration" && id) scope.declare(id.name as string, "class", node);
        if (node.type === "ClassExpression" && id) {
          const self = new Scope("block", scope, node);
          self.declare(id.name as string, "self", node);
          scopes.set(node, self);
          scope = self;
        }
        break;
      }
      case "BlockStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
      case "CatchClause":
      case "StaticBlock": {
        // A static block is a function body as far as `var` is concerned.
        const block = new Scope(node.type === "StaticBlock" ? "function" : "block", scope, node);
        scopes.set(node, block);
        if (node.type === "CatchClause") for (const n of patternNames(node.param as AnyNode | null)) block.declare(n, "catch", node);
        visitAll(children(node), block);
        return;
      }
      case "VariableDeclaration": {
        const kind = node.kind as "var" | "let" | "const" | "using" | "await using";
        const target = kind === "var" ? scope.functionScope : scope;
        for (const d of node.declarations as AnyNode[]) {
          for (const n of patternNames(d.id as AnyNode)) target.declare(n, kind === "var" || kind === "let" ? kind : "const", d);
        }
        break;
      }
      case "ImportDeclaration":
        for (const sp of node.specifiers as AnyNode[]) {
          const imported =
            sp.type === "ImportSpecifier" ? moduleExportName(sp.imported as AnyNode) : sp.type === "ImportDefaultSpecifier" ? "default" : "*";
          scope.declare((sp.local as AnyNode).name as string, "import", sp, imported);
        }
        break;
    }
    visitAll(children(node), scope);
  };
  const root = new Scope("program", null, program);
  scopes.set(program, root);
  visitAll(children(program), root);
  return scopes;
}

/** The name in `import { name as x }`: an identifier or, since ES2022, a string. */
export function moduleExportName(n: AnyNode): string {
  return n.type === "Literal" ? String(n.value) : (n.name as string);
}
