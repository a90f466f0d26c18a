// Lexical scopes of a parsed program, enough to tell where a name is bound:
// function scopes (params, var, hoisted function declarations), block scopes
// (let/const/class, block-level functions), catch clauses, and a named
// function expression's own name. Built once over the whole tree; `scopeOf`
// then maps any scope-creating node to its Scope.
import type { Node } from "acorn";

export type ScopeKind = "program" | "function" | "block";

export class Scope {
  readonly names = new Set<string>();
  constructor(readonly kind: ScopeKind, readonly parent: Scope | null, readonly node: Node) {}

  /** The scope that binds `name`, searching outwards; null for an undeclared (global) name. */
  lookup(name: string): Scope | null {
    for (let s: Scope | null = this; s; s = s.parent) if (s.names.has(name)) return s;
    return null;
  }

  /** Nearest function (or program) scope: where `var` goes. */
  get functionScope(): Scope {
    let s: Scope = this;
    while (s.kind === "block" && s.parent) s = s.parent;
    return s;
  }
}

/** A node as a plain record, for generic traversal. */
export type AnyNode = Node & Record<string, unknown>;

export function isNode(x: unknown): x is AnyNode {
  return typeof x === "object" && x !== null && typeof (x as { type?: unknown }).type === "string";
}

/** Children of a node, in source order. */
export function children(node: AnyNode): AnyNode[] {
  const out: AnyNode[] = [];
  for (const key of Object.keys(node)) {
    if (key === "loc" || key === "range") continue;
    const v = node[key];
    if (Array.isArray(v)) for (const c of v) isNode(c) && out.push(c);
    else if (isNode(v)) out.push(v);
  }
  return out;
}

/** Names bound by a pattern (identifier, destructuring, defaults, rest). */
export function patternNames(p: AnyNode | null | undefined, out: string[] = []): string[] {
  if (!p) return out;
  switch (p.type) {
    case "Identifier":
      out.push(p.name as string);
      break;
    case "ObjectPattern":
      for (const prop of p.properties as AnyNode[]) patternNames((prop.type === "RestElement" ? prop.argument : prop.value) as AnyNode, out);
      break;
    case "ArrayPattern":
      for (const el of p.elements as (AnyNode | null)[]) patternNames(el, out);
      break;
    case "RestElement":
      patternNames(p.argument as AnyNode, out);
      break;
    case "AssignmentPattern":
      patternNames(p.left as AnyNode, out);
      break;
  }
  return out;
}

/** Builds every scope of the program; the map holds each scope-creating node's scope. */
export function analyzeScopes(program: AnyNode): Map<Node, Scope> {
  const scopes = new Map<Node, Scope>();
  const visitAll = (nodes: AnyNode[], scope: Scope): void => nodes.forEach((c) => visit(c, scope));
  const visit = (node: AnyNode, scope: Scope): void => {
    switch (node.type) {
      case "FunctionDeclaration":
      case "FunctionExpression":
      case "ArrowFunctionExpression": {
        let outer = scope;
        if (node.type === "FunctionDeclaration" && node.id) scope.names.add((node.id as AnyNode).name as string);
        if (node.type === "FunctionExpression" && node.id) {
          outer = new Scope("block", scope, node); // a named function expression sees its own name
          outer.names.add((node.id as AnyNode).name as string);
        }
        const fn = new Scope("function", outer, node);
        scopes.set(node, fn);
        for (const p of node.params as AnyNode[]) for (const n of patternNames(p)) fn.names.add(n);
        visitAll(node.params as AnyNode[], fn);
        const body = node.body as AnyNode;
        // The body block shares the function's scope.
        if (body.type === "BlockStatement") {
          scopes.set(body, fn);
          visitAll(body.body as AnyNode[], fn);
        } else visit(body, fn);
        return;
      }
      case "BlockStatement":
      case "ForStatement":
      case "ForInStatement":
      case "ForOfStatement":
      case "SwitchStatement":
      case "CatchClause":
      case "StaticBlock": {
        const block = new Scope("block", scope, node);
        scopes.set(node, block);
        if (node.type === "CatchClause") for (const n of patternNames(node.param as AnyNode)) block.names.add(n);
        visitAll(children(node), block);
        return;
      }
      case "VariableDeclaration": {
        const target = node.kind === "var" ? scope.functionScope : scope;
        for (const d of node.declarations as AnyNode[]) for (const n of patternNames(d.id as AnyNode)) target.names.add(n);
        break;
      }
      case "ClassDeclaration":
        if (node.id) scope.names.add((node.id as AnyNode).name as string);
        break;
      case "ImportDeclaration":
        for (const sp of node.specifiers as AnyNode[]) scope.names.add((sp.local as AnyNode).name as string);
        break;
    }
    visitAll(children(node), scope);
  };
  const root = new Scope("program", null, program);
  scopes.set(program, root);
  visitAll(children(program), root);
  return scopes;
}
