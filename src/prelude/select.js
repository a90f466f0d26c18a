// quickgo guest module: select. Loaded into a goroutine's context the first
// time it uses select/recv/send/otherwise; defines only globalThis.__qg_module.
globalThis.__qg_module = function (rt) {
  "use strict";
  const { host, chanId, encode, decode } = rt; // opcodes are inlined as numbers by src/prelude.ts
  const KIND = __QG_SELECT_KINDS__; // the select case kinds, injected by src/prelude.ts
  const RECV = 0, SEND = 1, DEFAULT = 2;
  function recv(ch, fn) {
    return { k: RECV, ch, fn };
  }
  function send(ch, v, fn) {
    return { k: SEND, ch, v, fn };
  }
  function otherwise(fn) {
    return { k: DEFAULT, fn };
  }
  function select(...cases) {
    const args = [OP.Select, 0, 0];
    let dflt = null;
    const active = [];
    for (const c of cases) {
      if (!c || typeof c.k !== "number") throw new TypeError("select: cases must be recv(), send() or otherwise()");
      if (c.k === DEFAULT) {
        if (dflt) throw new Error("select: multiple defaults");
        dflt = c;
        continue;
      }
      const id = chanId(c.ch, "select");
      active.push(c);
      if (c.k === RECV) args.push(KIND.Recv, id, 0);
      else if (typeof c.v === "number") args.push(KIND.SendNum, id, c.v);
      else args.push(KIND.SendWire, id, encode(c.v, "select send"));
    }
    args[1] = dflt ? 1 : 0;
    args[2] = active.length;
    const i = host(...args);
    if (i < 0) return dflt.fn ? dflt.fn() : undefined;
    const c = active[i];
    if (c.k === RECV) {
      const w = host(OP.SelectRecv);
      const ok = host(OP.RecvOk);
      return c.fn ? c.fn(ok ? decode(w) : undefined, ok) : undefined;
    }
    return c.fn ? c.fn() : undefined;
  }

  return { select, recv, send, otherwise };
};
