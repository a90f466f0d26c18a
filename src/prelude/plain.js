// quickgo guest module: plain. Loaded the first time a goroutine that has not
// loaded codec.js sends an object; defines only globalThis.__qg_module.
// The wire of plain data (plain objects and arrays of strings, finite
// numbers, booleans and null, nested up to MAX_DEPTH) is its JSON text, which
// receivers decode with JSON.parse (codec.js). Checking that here is cheaper
// than loading the codec: a goroutine sending a result object to its parent
// would otherwise parse ~11 KB and keep ~36 KiB more heap for that one send.
// The check is stricter than the codec's JSON-safety: anything it is unsure
// of (class instances, accessors that throw, -0, holes, shared objects,
// toJSON, a "__proto__" key…) goes to the codec, which has the last word.
globalThis.__qg_module = function () {
  "use strict";
  const stringify = JSON.stringify, keys = Object.keys, protoOf = Object.getPrototypeOf, isArray = Array.isArray;
  const OBJECT = Object.prototype, ARRAY = Array.prototype;
  const MAX_DEPTH = 64;
  function check(v) {
    const seen = new Set();
    const stack = [v, 0];
    while (stack.length) {
      const depth = stack.pop(), o = stack.pop();
      if (depth > MAX_DEPTH || seen.has(o)) return false;
      seen.add(o);
      const proto = protoOf(o);
      const array = proto === ARRAY && isArray(o);
      if (!array && proto !== OBJECT) return false;
      if (o.toJSON !== undefined) return false;
      const ks = keys(o);
      if (array && ks.length !== o.length) return false;
      for (let i = 0; i < ks.length; i++) {
        const k = ks[i];
        if (k === "__proto__") return false;
        const x = o[k];
        switch (typeof x) {
          case "string":
          case "boolean":
            break;
          case "number":
            if (x !== x || x === Infinity || x === -Infinity || (x === 0 && 1 / x < 0)) return false;
            break;
          case "object":
            if (x !== null) stack.push(x, depth + 1);
            break;
          default:
            return false;
        }
      }
    }
    return true;
  }
  /** JSON text that JSON.parse turns back into a copy of v, or undefined: use the codec. */
  function wire(v) {
    try {
      return check(v) ? stringify(v) : undefined;
    } catch (_) {
      return undefined; // a throwing getter or proxy trap: the codec reports it
    }
  }
  return { wire };
};
