// Recursion shapes for the stack-limit tests (stack.test.ts, asyncify-tier.test.ts).
// Each shape recurses through different C code, so the wasm frames per level
// differ; with V8's default jspi stack, several of these ran out of native
// stack (an uncatchable crash) before QuickJS's check.
export const SHAPES: Record<string, string> = {
  "plain call": `function f(n) { return f(n + 1) + 1 }`,
  "Array.prototype.map callback": `function f(n) { return [1].map(() => f(n + 1))[0] }`,
  "forEach callback": `function f(n) { [1].forEach(() => f(n + 1)) }`,
  "sort comparator": `function f(n) { [2, 1].sort(() => f(n + 1)) }`,
  "Function.prototype.call": `function f(n) { return f.call(null, n + 1) }`,
  "Reflect.apply": `function f(n) { return Reflect.apply(f, null, [n + 1]) }`,
  constructor: `function F(n) { new F(n + 1) }\nconst f = (n) => new F(n)`,
  getter: `function f(n) { return { get x() { return f(n + 1) } }.x }`,
  "Proxy trap": `function f(n) { return new Proxy({}, { get: () => f(n + 1) }).x }`,
  "String.prototype.replace callback": `function f(n) { return "a".replace(/a/, () => f(n + 1)) }`,
  toJSON: `function f(n) { return JSON.stringify({ toJSON() { return f(n + 1) } }) }`,
  toString: `function f(n) { return "" + { toString() { return f(n + 1) } } }`,
  "bound function": `function f(n) { return f.bind(null, n + 1)() }`,
  "generator yield*": `function* gen(n) { yield* gen(n + 1) }\nconst f = (n) => [...gen(n)]`,
  "Array.from callback": `function f(n) { return Array.from([1], () => f(n + 1)) }`,
  eval: `function f(n) { return eval("f(n + 1)") }`,
};

/**
 * What catching a shape's overflow prints. QuickJS's parser checks the stack
 * too: eval's recursion fails in the interpreter or in the parser (a
 * SyntaxError "stack overflow"), whichever check its depth reaches first,
 * which moves with the frames under it.
 */
export function overflowOf(shape: string): RegExp {
  return shape === "eval" ? /^(InternalError|SyntaxError): stack overflow$/ : /^InternalError: stack overflow$/;
}
