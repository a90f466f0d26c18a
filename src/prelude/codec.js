// quickgo value codec: copies values between goroutines (structured-clone
// rules). Runs inside every goroutine's QuickJS context as a classic script
// before guest.js; defines only globalThis.__qg_makeCodec(hooks).
//
// Wire format. The wire is a string; its first character says what follows:
//   s<text>      a string without U+0000, as is (the host passes wires as
//                NUL-terminated C strings, so a NUL must never appear raw)
//   "…"          a string containing U+0000, as JSON text
//   { or [       a JSON-safe object or array, as JSON text (decode = JSON.parse)
//   u n t f      undefined, null, true, false
//   d<number>    a number: String(n), or "-0"; decoded with unary +
//   b<digits>    a BigInt in decimal
//   ␠[…]         (a space, then JSON) anything else: a "tape", below
// JSON-safe means: arrays, plain objects (prototype Object.prototype or null)
// and class instances without toJSON, whose values are strings, finite
// numbers other than -0, booleans, null or JSON-safe objects; no key
// "__proto__", no object reached twice, nesting below MAX_BLOB_HEIGHT.
//
// A tape is one JSON array, read left to right. Strings, booleans and null
// stand for themselves; an array or object element is a JSON-safe subtree
// (a "blob") taken as parsed; a number is a tag, followed by its operands
// (read by position, not as values) and then any nested values:
//    0 undefined   1 NUM n   2 -0   3 NaN   4 Infinity   5 -Infinity
//    6 BIGINT "digits"     7 REF id      8 HANDLE "key"     9 HOLE (array slots only)
//   10 ARRAY len, then len values      11 OBJECT n, then n × (key, value)
//   12 MAP n, then n × (key, value)    13 SET n, then n values
//   14 DATE time|null (null: invalid)  15 REGEXP "source" "flags"
//   16 ARRAYBUFFER [byte, …]           17 VIEW "Uint8Array"…|"DataView" byteOffset length, then the buffer
//   18 ERROR "name" message|null stack|null hasCause (0|1), then the cause if 1
//   19 BOXED, then the primitive (new Number/String/Boolean, Object(1n) stay boxed)
// Every object gets an id in the order the decoder creates it (a container
// before its contents); REF id repeats one, so shared references and cycles
// survive. A blob counts as one object: the encoder takes back the ids of the
// objects inside it, and if one of those is met again it starts over with
// blobs turned off (rare; getters then run twice).
//
// Why: QuickJS is an interpreter and JSON.parse/stringify are native C, so the
// common cases (strings; small plain objects and arrays) cost one native call
// each way plus, for objects, a check that writes nothing; the general path
// still leaves string escaping and parsing to native code. The check goes
// level by level, so the handle or Date that sends a value to the tape is
// usually found near the top before deep data is walked; on the tape,
// JSON-safety of subtrees is decided on the way back up. Encoder and decoder
// are loops over explicit stacks, not recursion: a goroutine's interpreter
// stack holds only a few hundred levels of recursion, while linked lists of
// thousands of nodes are ordinary data.
//
// Deviations from structuredClone:
// - A blob is serialized by JSON.stringify after it was checked, so an own
//   accessor property inside one is read twice.
// - Error: a name outside the seven standard ones gives an Error whose own
//   `name` is kept; only name, message, stack and cause are copied.
// - Generators, iterators and other exotic objects copy their own enumerable
//   properties (structuredClone throws); functions, symbols, WeakMap, WeakSet,
//   WeakRef, FinalizationRegistry, Promise, Symbol objects and
//   SharedArrayBuffer throw a TypeError.
// - Array holes survive; other non-index properties of arrays are dropped.
// - A view copies its whole buffer (once per value), as structuredClone does.
globalThis.__qg_makeCodec = function (hooks) {
  "use strict";

  // JSON.parse/stringify recurse natively, and in wasm that recursion is not
  // bounded by QuickJS's stack check (deep enough input kills the goroutine),
  // so a blob is never deeper than this; deeper data goes to the tape.
  const MAX_BLOB_HEIGHT = 64;

  const UNDEF = 0, NUM = 1, NEG0 = 2, NAN = 3, INF = 4, NINF = 5, BIGINT = 6, REF = 7,
    HANDLE = 8, HOLE = 9, ARRAY = 10, OBJECT = 11, MAP = 12, SET = 13, DATE = 14,
    REGEXP = 15, ARRAYBUFFER = 16, VIEW = 17, ERROR = 18, BOXED = 19;

  // Captured before the program runs, so later patching cannot change the wire.
  const jsonStringify = JSON.stringify, jsonParse = JSON.parse;
  const isArray = Array.isArray, isView = ArrayBuffer.isView;
  const getProto = Object.getPrototypeOf, objectKeys = Object.keys;
  const defineProperty = Object.defineProperty, gopd = Object.getOwnPropertyDescriptor;
  const ObjectProto = Object.prototype, ArrayProto = Array.prototype;
  const hasOwn = ObjectProto.hasOwnProperty, objToString = ObjectProto.toString;
  const arraySlice = ArrayProto.slice;
  const getter = (proto, key) => gopd(proto, key).get;
  const TypedArrayProto = getProto(Uint8Array.prototype);
  const taName = getter(TypedArrayProto, Symbol.toStringTag);
  const taBuffer = getter(TypedArrayProto, "buffer");
  const taOffset = getter(TypedArrayProto, "byteOffset");
  const taLength = getter(TypedArrayProto, "length");
  const dvBuffer = getter(DataView.prototype, "buffer");
  const dvOffset = getter(DataView.prototype, "byteOffset");
  const dvLength = getter(DataView.prototype, "byteLength");
  const abLength = getter(ArrayBuffer.prototype, "byteLength");
  const reSource = getter(RegExp.prototype, "source");
  const reFlags = getter(RegExp.prototype, "flags");
  const dateTime = Date.prototype.getTime;
  const mapEntries = Map.prototype.entries, mapSet = Map.prototype.set;
  const setValues = Set.prototype.values, setAdd = Set.prototype.add;
  const numValue = Number.prototype.valueOf, strValue = String.prototype.valueOf;
  const boolValue = Boolean.prototype.valueOf, bigValue = BigInt.prototype.valueOf;
  const StdString = String, StdBigInt = BigInt, StdObject = Object, StdError = Error, StdTypeError = TypeError;
  const Uint8 = Uint8Array, StdDate = Date, StdRegExp = RegExp, StdMap = Map, StdSet = Set;

  // Lookup tables without a prototype: a wire name like "toString" finds nothing.
  const VIEWS = StdObject.create(null);
  for (const n of ["Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
    "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
    "BigInt64Array", "BigUint64Array", "DataView"]) {
    if (typeof globalThis[n] === "function") VIEWS[n] = globalThis[n];
  }
  const ERRORS = StdObject.create(null);
  for (const C of [Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError]) {
    ERRORS[C.prototype.name] = C;
  }
  const UNCLONEABLE = StdObject.create(null);
  for (const n of ["WeakMap", "WeakSet", "WeakRef", "FinalizationRegistry", "Promise", "Symbol", "SharedArrayBuffer"]) {
    UNCLONEABLE["[object " + n + "]"] = n === "Symbol" ? "Symbol object" : n;
  }

  function malformed() {
    return new StdError("malformed value");
  }
  function uncloneable(type, what) {
    return new StdTypeError(what + ": cannot clone a value of type " + type);
  }

  // ---- encoder ----------------------------------------------------------

  // What encodeObject does with an object that is not an array or plain object.
  const C_CLASS = 0, C_VIEW = 1, C_DATE = 2, C_REGEXP = 3, C_MAP = 4, C_SET = 5,
    C_ARRAYBUFFER = 6, C_ERROR = 7, C_NUMBER = 8, C_STRING = 9, C_BOOLEAN = 10, C_BIGINT = 11;
  const CLASSES = StdObject.create(null);
  CLASSES["[object Date]"] = C_DATE;
  CLASSES["[object RegExp]"] = C_REGEXP;
  CLASSES["[object Map]"] = C_MAP;
  CLASSES["[object Set]"] = C_SET;
  CLASSES["[object ArrayBuffer]"] = C_ARRAYBUFFER;
  CLASSES["[object Error]"] = C_ERROR;
  CLASSES["[object Number]"] = C_NUMBER;
  CLASSES["[object String]"] = C_STRING;
  CLASSES["[object Boolean]"] = C_BOOLEAN;
  CLASSES["[object BigInt]"] = C_BIGINT;

  // By Object.prototype.toString, which reads internal slots for Date, RegExp,
  // Error and boxed primitives and Symbol.toStringTag for Map, Set and
  // ArrayBuffer (views: ArrayBuffer.isView), so subclasses count as their base
  // class. An impostor (a class whose toStringTag says "Map") gets the
  // TypeError of the brand-checking built-in used to read it.
  function classify(v, what) {
    if (isView(v)) return C_VIEW;
    const tag = objToString.call(v);
    const c = CLASSES[tag];
    if (c !== undefined) return c;
    const type = UNCLONEABLE[tag];
    if (type !== undefined) throw uncloneable(type, what);
    return C_CLASS; // class instances and any other object: own enumerable properties
  }

  // Containers the encoder is inside of (its stack frames).
  const K_ROOT = 0, K_ARRAY = 1, K_OBJECT = 2, K_CLASS = 3, K_MAP = 4, K_SET = 5, K_ONE = 6;

  // Shared between calls to spare allocations; encode() swaps in fresh ones
  // when it is re-entered (a getter may encode another value).
  let tape = [];
  let memo = new Map(); // object → id; a handle's key → id
  let byId = []; // id → object, to notice ids taken back by a blob
  let busy = false;
  const RESTART = {}; // returned when an object inside a blob is met again

  // Writes a primitive that is not a string; returns the new tape length.
  function putNumber(x, tn) {
    if (x - x === 0) {
      if (x === 0 && 1 / x < 0) tape[tn++] = NEG0;
      else {
        tape[tn++] = NUM;
        tape[tn++] = x;
      }
    } else tape[tn++] = x !== x ? NAN : x > 0 ? INF : NINF;
    return tn;
  }

  function putError(e, tn) {
    const name = e.name;
    tape[tn++] = ERROR;
    tape[tn++] = typeof name === "string" ? name : "Error";
    tape[tn++] = hasOwn.call(e, "message") ? StdString(e.message) : null;
    const stack = e.stack;
    tape[tn++] = typeof stack === "string" ? stack : null;
    return tn;
  }

  // Encodes the object root onto the tape and returns the wire (or RESTART).
  // One loop with the current container in local variables and the enclosing
  // ones on `stack`, nine slots per frame. Every encoded value yields h: its
  // height if it is JSON-safe (primitives: 0), else -1; a container that
  // ends JSON-safe is replaced on the tape by itself, as a blob.
  function encodeObject(root, what, blobs) {
    let tn = 0, nextId = 0, stack = null, sp = 0;
    // The current container: its frame.
    let cur = null, kind = K_ROOT, keys = null, i = 0, n = 0, max = 0, start = 0, id = 0, pend;
    let x = root, h = 0;
    for (;;) {
      // A. Encode x: set h, or make x the current container.
      let opened = false;
      switch (typeof x) {
        case "string":
          tape[tn++] = x;
          h = 0;
          break;
        case "function":
          if (hooks.handleOf(x) == null) throw uncloneable("function", what);
        // A callable handle (a context's cancel function): encoded like any handle.
        // falls through
        case "object": {
          if (x === null) {
            tape[tn++] = null;
            h = 0;
            break;
          }
          h = -1;
          let oid = memo.get(x);
          if (oid !== undefined) {
            if (oid >= nextId || byId[oid] !== x) return RESTART; // it went into a blob
            tape[tn++] = REF;
            tape[tn++] = oid;
            break;
          }
          const key = hooks.handleOf(x);
          if (key != null) {
            // Another object with the same key still decodes to the same one.
            oid = memo.get(key);
            if (oid !== undefined) {
              tape[tn++] = REF;
              tape[tn++] = oid;
            } else {
              oid = nextId++;
              memo.set(x, oid);
              memo.set(key, oid);
              byId[oid] = x;
              tape[tn++] = HANDLE;
              tape[tn++] = key;
            }
            break;
          }
          oid = nextId++;
          memo.set(x, oid);
          byId[oid] = x;
          let nk = K_ROOT, child; // the kind x opens, if a container; K_ONE's only child
          const at = tn;
          if (isArray(x)) nk = K_ARRAY;
          else {
            const proto = getProto(x);
            if (proto === ObjectProto || proto === null) nk = K_OBJECT;
            else {
              switch (classify(x, what)) {
                case C_CLASS:
                  nk = K_CLASS;
                  break;
                case C_VIEW: {
                  const name = taName.call(x); // undefined for a DataView
                  tape[tn++] = VIEW;
                  if (name === undefined) {
                    tape[tn++] = "DataView";
                    tape[tn++] = dvOffset.call(x);
                    tape[tn++] = dvLength.call(x);
                    child = dvBuffer.call(x);
                  } else {
                    tape[tn++] = name;
                    tape[tn++] = taOffset.call(x);
                    tape[tn++] = taLength.call(x);
                    child = taBuffer.call(x);
                  }
                  nk = K_ONE; // the buffer goes by reference: views on one buffer share it
                  break;
                }
                case C_DATE: {
                  const t = dateTime.call(x);
                  tape[tn++] = DATE;
                  tape[tn++] = t === t ? t : null;
                  break;
                }
                case C_REGEXP:
                  tape[tn++] = REGEXP;
                  tape[tn++] = reSource.call(x);
                  tape[tn++] = reFlags.call(x);
                  break;
                case C_MAP:
                  tape[tn++] = MAP;
                  nk = K_MAP;
                  break;
                case C_SET:
                  tape[tn++] = SET;
                  nk = K_SET;
                  break;
                case C_ARRAYBUFFER:
                  tape[tn++] = ARRAYBUFFER;
                  tape[tn++] = arraySlice.call(new Uint8(x)); // bytes as JSON numbers: native both ways
                  if (!blobs) unhook(tape[tn - 1]);
                  break;
                case C_ERROR:
                  tn = putError(x, tn);
                  if (hasOwn.call(x, "cause")) {
                    tape[tn++] = 1;
                    child = x.cause;
                    nk = K_ONE;
                  } else tape[tn++] = 0;
                  break;
                case C_NUMBER:
                  tape[tn++] = BOXED;
                  tn = putNumber(numValue.call(x), tn);
                  break;
                case C_STRING:
                  tape[tn++] = BOXED;
                  tape[tn++] = strValue.call(x);
                  break;
                case C_BOOLEAN:
                  tape[tn++] = BOXED;
                  tape[tn++] = boolValue.call(x);
                  break;
                case C_BIGINT:
                  tape[tn++] = BOXED;
                  tape[tn++] = BIGINT;
                  tape[tn++] = StdString(bigValue.call(x));
                  break;
              }
            }
          }
          if (nk === K_ROOT) break; // a leaf, written above
          if (kind !== K_ROOT) { // the root container needs no frame below it (sp === 0 marks it)
            if (stack === null) stack = [];
            stack[sp++] = cur;
            stack[sp++] = kind;
            stack[sp++] = keys;
            stack[sp++] = i;
            stack[sp++] = n;
            stack[sp++] = max;
            stack[sp++] = start;
            stack[sp++] = id;
            stack[sp++] = pend;
          }
          cur = x;
          kind = nk;
          id = oid;
          start = at;
          i = 0;
          max = 0;
          pend = undefined;
          switch (nk) {
            case K_ARRAY:
              n = x.length;
              tape[tn++] = ARRAY;
              tape[tn++] = n;
              break;
            case K_OBJECT:
            case K_CLASS:
              keys = objectKeys(x); // own enumerable string keys: symbols are skipped
              n = keys.length;
              tape[tn++] = OBJECT;
              tape[tn++] = n;
              break;
            case K_MAP:
            case K_SET:
              // The count is patched at the end (n keeps its place): a getter
              // run meanwhile may change the collection.
              keys = nk === K_MAP ? mapEntries.call(x) : setValues.call(x);
              n = tn;
              tape[tn++] = 0;
              max = -1;
              break;
            default: // K_ONE
              pend = child;
              n = 1;
              max = -1;
          }
          opened = true;
          break;
        }
        case "number":
          tn = putNumber(x, tn);
          h = x - x === 0 && (x !== 0 || 1 / x > 0) ? 0 : -1;
          break;
        case "boolean":
          tape[tn++] = x;
          h = 0;
          break;
        case "undefined":
          tape[tn++] = UNDEF;
          h = -1;
          break;
        case "bigint":
          tape[tn++] = BIGINT;
          tape[tn++] = StdString(x);
          h = -1;
          break;
        default:
          throw uncloneable(typeof x, what); // function, symbol
      }

      // B. Account for x in the current container.
      if (!opened) {
        if (kind === K_ROOT) return finish(root, h, tn, blobs);
        if (max >= 0) max = h < 0 ? -1 : h > max ? h : max;
      }

      // C. Take the next child; close the containers that are done.
      for (;;) {
        if (kind === K_ARRAY) {
          if (i < n) {
            x = cur[i];
            // Strings and numbers are the most common values: handled here,
            // without a trip through A and B.
            if (typeof x === "string") {
              tape[tn++] = x;
              i++;
              continue;
            }
            if (typeof x === "number" && x - x === 0 && (x !== 0 || 1 / x > 0)) {
              tape[tn++] = NUM;
              tape[tn++] = x;
              i++;
              continue;
            }
            if (x === undefined && !(i in cur)) {
              tape[tn++] = HOLE;
              max = -1;
              i++;
              continue;
            }
            i++;
            break;
          }
        } else if (kind === K_OBJECT || kind === K_CLASS) {
          if (i < n) {
            const k = keys[i++];
            tape[tn++] = k;
            if (k === "__proto__") max = -1; // JSON.parse would cope, but keep it explicit
            x = cur[k];
            if (typeof x === "string") {
              tape[tn++] = x;
              continue;
            }
            if (typeof x === "number" && x - x === 0 && (x !== 0 || 1 / x > 0)) {
              tape[tn++] = NUM;
              tape[tn++] = x;
              continue;
            }
            break;
          }
        } else if (kind === K_MAP) {
          if ((i & 1) === 1) {
            x = pend;
            pend = undefined;
            i++;
            break;
          }
          const r = keys.next();
          if (!r.done) {
            x = r.value[0];
            pend = r.value[1];
            i++;
            break;
          }
        } else if (kind === K_SET) {
          const r = keys.next();
          if (!r.done) {
            x = r.value;
            i++;
            break;
          }
        } else if (i < n) { // K_ONE
          x = pend;
          pend = undefined;
          i++;
          break;
        }
        // The current container is complete.
        let ch = -1;
        if (kind === K_MAP) tape[n] = i >> 1;
        else if (kind === K_SET) tape[n] = i;
        else if (max >= 0 && blobs && max < MAX_BLOB_HEIGHT && (kind !== K_CLASS || cur.toJSON === undefined)) {
          // JSON-safe: it replaces its own encoding, and gives back the ids inside.
          tn = start;
          tape[tn++] = cur;
          nextId = id + 1;
          ch = max + 1;
        }
        if (sp === 0) return finish(root, ch, tn, blobs);
        pend = stack[--sp];
        id = stack[--sp];
        start = stack[--sp];
        max = stack[--sp];
        n = stack[--sp];
        i = stack[--sp];
        keys = stack[--sp];
        kind = stack[--sp];
        cur = stack[--sp];
        if (max >= 0) max = ch < 0 ? -1 : ch > max ? ch : max;
      }
    }
  }

  // The fast path: is the whole value JSON-safe, so that JSON.stringify alone
  // encodes it? It writes nothing and goes level by level, so a handle or a
  // Date near the top is found before deep data is walked; memo serves as the
  // set of objects seen.
  function jsonSafe(root) {
    if (!admit(root)) return false;
    const queue = [root];
    let head = 0, levelEnd = 1, depth = 1;
    while (head < queue.length) {
      if (head === levelEnd) {
        if (++depth > MAX_BLOB_HEIGHT) return false;
        levelEnd = queue.length;
      }
      const v = queue[head++];
      if (isArray(v)) {
        for (let i = 0, n = v.length; i < n; i++) {
          const x = v[i];
          switch (typeof x) {
            case "string":
            case "boolean":
              continue;
            case "number":
              if (x - x === 0 && (x !== 0 || 1 / x > 0)) continue;
              return false;
            case "object":
              if (x === null) continue;
              if (!admit(x)) return false;
              queue[queue.length] = x;
              continue;
            default:
              return false; // undefined (or a hole), bigint, function, symbol
          }
        }
      } else {
        const keys = objectKeys(v);
        for (let i = 0, n = keys.length; i < n; i++) {
          const k = keys[i];
          if (k === "__proto__") return false;
          const x = v[k];
          switch (typeof x) {
            case "string":
            case "boolean":
              continue;
            case "number":
              if (x - x === 0 && (x !== 0 || 1 / x > 0)) continue;
              return false;
            case "object":
              if (x === null) continue;
              if (!admit(x)) return false;
              queue[queue.length] = x;
              continue;
            default:
              return false;
          }
        }
      }
    }
    return true;
  }

  // A first visit to an array or plain object that is not a handle. Cheapest
  // test first: handles, Dates and the like fail on their prototype.
  function admit(x) {
    if (!isArray(x)) {
      const proto = getProto(x);
      if (proto !== ObjectProto && proto !== null) return false;
    }
    if (hooks.handleOf(x) != null || memo.has(x)) return false; // a handle; shared, or a cycle
    memo.set(x, 0);
    return true;
  }

  function finish(root, h, tn, blobs) {
    if (h >= 0) return jsonStringify(root); // the whole value is JSON-safe
    tape.length = tn;
    if (!blobs) unhook(tape);
    return " " + jsonStringify(tape);
  }

  // With toJSON on Object.prototype or Array.prototype (blobs are off then),
  // JSON.stringify would call it for the tape's own arrays: an own undefined
  // toJSON hides it.
  function unhook(array) {
    defineProperty(array, "toJSON", { value: undefined, writable: true, configurable: true });
    return array;
  }

  function encode(value, what) {
    switch (typeof value) {
      case "string":
        return value.indexOf("\0") < 0 ? "s" + value : jsonStringify(value);
      case "object":
        if (value === null) return "n";
        break;
      case "number":
        return value === 0 && 1 / value < 0 ? "d-0" : "d" + value;
      case "boolean":
        return value ? "t" : "f";
      case "undefined":
        return "u";
      case "bigint":
        return "b" + value;
      case "function":
        if (hooks.handleOf(value) == null) throw uncloneable("function", what);
        break;
      default:
        throw uncloneable(typeof value, what);
    }
    const outerTape = tape, outerMemo = memo, outerById = byId, reentered = busy;
    if (reentered) {
      tape = [];
      memo = new Map();
      byId = [];
    }
    busy = true;
    try {
      // An inherited toJSON would make JSON.stringify disagree with the checks.
      const blobs = ObjectProto.toJSON === undefined && ArrayProto.toJSON === undefined;
      if (blobs && jsonSafe(value)) return jsonStringify(value);
      memo.clear();
      let w = encodeObject(value, what, blobs);
      if (w === RESTART) {
        memo.clear();
        w = encodeObject(value, what, false);
      }
      return w;
    } finally {
      // Let go of the value: the shared structures must not keep it alive.
      tape.length = 0;
      memo.clear();
      byId.length = 0;
      tape = outerTape;
      memo = outerMemo;
      byId = outerById;
      busy = reentered;
    }
  }

  // ---- decoder ----------------------------------------------------------
  // Every read is checked. Running off the tape reads undefined, which is
  // never accepted, and every step consumes the tape, so bad input ends in
  // "malformed value", never in garbage or an endless loop.

  // Containers the decoder is filling (its stack frames).
  const D_ROOT = 0, D_ARRAY = 1, D_OBJECT = 2, D_MAP = 3, D_SET = 4, D_VIEW = 5, D_CAUSE = 6;
  const HOLE_MARK = {};

  function parse(text) {
    try {
      return jsonParse(text);
    } catch (e) {
      throw malformed();
    }
  }

  function bigint(s) {
    if (typeof s !== "string" || s === "") throw malformed(); // BigInt("") would be 0n
    try {
      return StdBigInt(s);
    } catch (e) {
      throw malformed();
    }
  }

  function makeView(C, buffer, args) {
    try {
      abLength.call(buffer); // throws unless buffer is an ArrayBuffer
      return new C(buffer, args[0], args[1]);
    } catch (e) {
      throw malformed();
    }
  }

  function makeError(name, message, stack) {
    if (typeof name !== "string" || (message !== null && typeof message !== "string") ||
      (stack !== null && typeof stack !== "string")) {
      throw malformed();
    }
    const C = ERRORS[name] || StdError;
    const e = message === null ? new C() : new C(message);
    if (C === StdError && name !== "Error") defineProperty(e, "name", { value: name, writable: true, configurable: true });
    // Not the stack of this decode: the original one, or none.
    if (stack !== null) defineProperty(e, "stack", { value: stack, writable: true, configurable: true });
    else delete e.stack;
    return e;
  }

  // The mirror image of encodeObject: one loop, the container being filled in
  // local variables, the enclosing ones on `stack` (five slots per frame).
  function decodeTape(t) {
    const objs = []; // id → object
    let pos = 0, stack = null, sp = 0;
    let cur = null, kind = D_ROOT, i = 0, n = 0, key = null;
    for (;;) {
      if (kind === D_OBJECT) {
        key = t[pos++];
        if (typeof key !== "string") throw malformed();
      }
      let v = t[pos++];
      // A. Read a value, or open a container and go read its contents.
      if (typeof v !== "string") {
        switch (typeof v) {
          case "boolean":
            break;
          case "object":
            if (v !== null) objs[objs.length] = v; // a blob
            break;
          case "number": {
            let open = D_ROOT, c = 0;
            switch (v) {
              case UNDEF:
                v = undefined;
                break;
              case NUM:
                v = t[pos++];
                if (typeof v !== "number") throw malformed();
                break;
              case NEG0:
                v = -0;
                break;
              case NAN:
                v = NaN;
                break;
              case INF:
                v = Infinity;
                break;
              case NINF:
                v = -Infinity;
                break;
              case BIGINT:
                v = bigint(t[pos++]);
                break;
              case REF: {
                const ref = t[pos++];
                v = typeof ref === "number" ? objs[ref] : undefined;
                if (v == null) throw malformed();
                break;
              }
              case HANDLE: {
                const hk = t[pos++];
                if (typeof hk !== "string") throw malformed();
                v = hooks.handleFrom(hk);
                if (v == null) throw malformed();
                objs[objs.length] = v;
                break;
              }
              case HOLE:
                if (kind !== D_ARRAY) throw malformed();
                v = HOLE_MARK;
                break;
              case ARRAY:
                v = [];
                open = D_ARRAY;
                break;
              case OBJECT:
                v = {};
                open = D_OBJECT;
                break;
              case MAP:
                v = new StdMap();
                open = D_MAP;
                break;
              case SET:
                v = new StdSet();
                open = D_SET;
                break;
              case DATE: {
                const time = t[pos++];
                if (time !== null && typeof time !== "number") throw malformed();
                v = new StdDate(time === null ? NaN : time);
                objs[objs.length] = v;
                break;
              }
              case REGEXP: {
                const source = t[pos++], flags = t[pos++];
                if (typeof source !== "string" || typeof flags !== "string") throw malformed();
                try {
                  v = new StdRegExp(source, flags);
                } catch (e) {
                  throw malformed();
                }
                objs[objs.length] = v;
                break;
              }
              case ARRAYBUFFER: {
                const bytes = t[pos++];
                if (!isArray(bytes)) throw malformed();
                v = new Uint8(bytes).buffer;
                objs[objs.length] = v;
                break;
              }
              case VIEW: {
                const C = VIEWS[t[pos++]], offset = t[pos++], length = t[pos++];
                if (C === undefined || typeof offset !== "number" || typeof length !== "number") throw malformed();
                // The view's id comes before its buffer's, but it needs the buffer.
                const vid = objs.length;
                objs[vid] = null;
                v = C;
                c = [offset, length, vid];
                open = D_VIEW;
                break;
              }
              case ERROR: {
                v = makeError(t[pos], t[pos + 1], t[pos + 2]);
                const hasCause = t[pos + 3];
                pos += 4;
                objs[objs.length] = v;
                if (hasCause === 1) open = D_CAUSE;
                else if (hasCause !== 0) throw malformed();
                break;
              }
              case BOXED: {
                let p = t[pos++];
                switch (p) {
                  case NUM:
                    p = t[pos++];
                    if (typeof p !== "number") throw malformed();
                    break;
                  case NEG0:
                    p = -0;
                    break;
                  case NAN:
                    p = NaN;
                    break;
                  case INF:
                    p = Infinity;
                    break;
                  case NINF:
                    p = -Infinity;
                    break;
                  case BIGINT:
                    p = bigint(t[pos++]);
                    break;
                  default:
                    if (typeof p !== "string" && typeof p !== "boolean") throw malformed();
                }
                v = StdObject(p);
                objs[objs.length] = v;
                break;
              }
              default:
                throw malformed();
            }
            if (open !== D_ROOT) {
              if (open <= D_SET) { // a collection: its length, then an empty one is done
                c = t[pos++];
                if (c >>> 0 !== c) throw malformed();
                objs[objs.length] = v;
                if (c === 0) break;
              }
              if (kind !== D_ROOT) { // the root container needs no frame below it (sp === 0 marks it)
                if (stack === null) stack = [];
                stack[sp++] = cur;
                stack[sp++] = kind;
                stack[sp++] = i;
                stack[sp++] = n;
                stack[sp++] = key;
              }
              cur = v;
              kind = open;
              i = 0;
              if (open === D_MAP) n = 2 * c; // keys and values
              else if (open === D_VIEW) {
                key = c;
                n = 1;
              } else if (open === D_CAUSE) n = 1;
              else n = c;
              continue;
            }
            break;
          }
          default:
            throw malformed(); // undefined: past the end
        }
      }

      // B. Put v in the current container; a container that is full becomes
      // the value to put in its parent.
      for (;;) {
        if (kind === D_ARRAY) {
          if (v !== HOLE_MARK) cur[i] = v;
        } else if (kind === D_OBJECT) {
          // Assigning "__proto__" would set the prototype: define it as own data.
          if (key === "__proto__") defineProperty(cur, key, { value: v, writable: true, enumerable: true, configurable: true });
          else cur[key] = v;
        } else if (kind === D_MAP) {
          if ((i & 1) === 0) key = v;
          else mapSet.call(cur, key, v);
        } else if (kind === D_SET) setAdd.call(cur, v);
        else if (kind === D_VIEW) {
          cur = makeView(cur, v, key);
          objs[key[2]] = cur;
        } else if (kind === D_CAUSE) defineProperty(cur, "cause", { value: v, writable: true, configurable: true });
        else {
          if (pos !== t.length) throw malformed();
          return v;
        }
        if (++i < n) break;
        v = cur;
        if (kind === D_ARRAY && v.length !== n) v.length = n; // trailing holes
        if (sp === 0) {
          if (pos !== t.length) throw malformed();
          return v;
        }
        key = stack[--sp];
        n = stack[--sp];
        i = stack[--sp];
        kind = stack[--sp];
        cur = stack[--sp];
      }
    }
  }

  function decode(w) {
    if (typeof w !== "string") throw malformed();
    switch (w.charCodeAt(0)) {
      case 115: // s
        return w.slice(1);
      case 123: // {
      case 91: // [
      case 34: // "
        return parse(w);
      case 32: { // space
        const t = parse(w);
        if (!isArray(t)) throw malformed();
        return decodeTape(t);
      }
      case 100: { // d
        const s = w.slice(1);
        const n = +s;
        if (s === "" || (n !== n && s !== "NaN")) throw malformed();
        return n;
      }
      case 98: // b
        return bigint(w.slice(1));
    }
    if (w.length === 1) {
      switch (w) {
        case "u": return undefined;
        case "n": return null;
        case "t": return true;
        case "f": return false;
      }
    }
    throw malformed();
  }

  return { encode, decode };
};
