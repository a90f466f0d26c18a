// quickgo guest module: console.log-style formatting (Node's util.inspect for
// the common cases). Loaded into a goroutine's context on its first print of
// a value that is not a string or a number; defines only
// globalThis.__qg_makeInspect(Chan), removed again by guest.js.
globalThis.__qg_makeInspect = function (Chan) {
  "use strict";
  function inspect(v, depth, seen) {
    switch (typeof v) {
      case "string": return depth === 0 ? v : "'" + v.replace(/'/g, "\\'") + "'";
      case "number": return Object.is(v, -0) ? "-0" : String(v);
      case "bigint": return v + "n";
      case "function": return "[Function: " + (v.name || "(anonymous)") + "]";
      case "symbol": return v.toString();
      case "undefined": return "undefined";
      case "boolean": return String(v);
    }
    if (v === null) return "null";
    if (seen.includes(v)) return "[Circular *]";
    if (v instanceof Error) return v.stack ? v.name + ": " + v.message + "\n" + v.stack.replace(/\n$/, "") : String(v);
    if (depth > 2) return Array.isArray(v) ? "[Array]" : "[Object]";
    seen = seen.concat([v]);
    const sub = (x) => inspect(x, depth + 1, seen);
    if (v instanceof Chan) return "Chan { id: " + v.id + " }";
    if (v instanceof Date) return isNaN(v) ? "Invalid Date" : v.toISOString();
    if (v instanceof RegExp) return String(v);
    if (Array.isArray(v)) return v.length ? "[ " + v.map(sub).join(", ") + " ]" : "[]";
    if (v instanceof Map) return "Map(" + v.size + ") {" + (v.size ? " " + [...v].map(([k, x]) => sub(k) + " => " + sub(x)).join(", ") + " " : "") + "}";
    if (v instanceof Set) return "Set(" + v.size + ") {" + (v.size ? " " + [...v].map(sub).join(", ") + " " : "") + "}";
    if (ArrayBuffer.isView(v)) return v.constructor.name + "(" + v.length + ") [ " + Array.prototype.join.call(v, ", ") + " ]";
    const keys = Object.keys(v);
    const name = v.constructor && v.constructor !== Object && v.constructor.name ? v.constructor.name + " " : "";
    if (!keys.length) return name + "{}";
    const key = (k) => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : "'" + k + "'");
    return name + "{ " + keys.map((k) => key(k) + ": " + sub(v[k])).join(", ") + " }";
  }
  return (v) => inspect(v, 0, []);
};
