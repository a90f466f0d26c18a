// The guest → host call ABI: every runtime operation is one call of the
// guest's hidden host function with an opcode first. The guest prelude gets
// this table injected, so the two sides cannot drift apart.
export const Op = {
  GoNamed: 1, // (name, capsWire, argsWire) → goroutine id
  GoClosure: 2, // (closureId, capsWire, argsWire) → goroutine id
  ChanMake: 3, // (cap) → chan id
  SendNum: 4, // (chanId, number)
  SendWire: 5, // (chanId, wire string)
  Recv: 6, // (chanId) → wire | undefined when closed; ok via RecvOk
  RecvOk: 7, // () → ok flag of the last receive
  Close: 8, // (chanId)
  ChanLen: 9, // (chanId) → number
  ChanCap: 10, // (chanId) → number
  Select: 11, // (hasDefault, n, [kind, chanId, value] × n) → case index | -1
  SelectRecv: 12, // () → wire | undefined of the receive case that fired
  Sleep: 13, // (ms)
  After: 14, // (ms) → chan id
  Tick: 15, // (ms) → chan id
  Now: 16, // () → ms
  WgNew: 17, // () → id
  WgAdd: 18, // (id, delta)
  WgWait: 19, // (id)
  MutexNew: 20, // () → id
  Lock: 21, // (id)
  Unlock: 22, // (id)
  TryLock: 23, // (id) → bool
  OnceNew: 24, // () → id
  OnceBegin: 25, // (id) → 1: run f, 0: done
  OnceEnd: 26, // (id)
  Gosched: 27, // ()
  NumGoroutine: 28, // () → n
  Goid: 29, // () → id
  Print: 30, // (fd, string)
  Args: 31, // () → JSON string array
  LoadPrelude: 32, // (name) evaluates a lazily loaded prelude module ("codec", "inspect") in the caller's context
  // 40–69: toolkit (sync, context, atomic, time); 70–99: host API.
  // 100–: netpoll (netpoll/netops.ts has the result protocol).
  NetListen: 100, // (network, addr) → "L{id,addr}" | "E{err}"
  NetDial: 101, // (network, addr, timeoutMs) → "C{id,local,remote}" | "E{err}"
  NetAccept: 102, // (listenerId) → "C{…}" | "E{err}" | undefined: retry
  NetRead: 103, // (connId, max) → ArrayBuffer | null (EOF) | "E{err}" | undefined: retry
  NetWrite: 104, // (connId, ArrayBuffer | string) → bytes written | "E{err}" | undefined: retry
  NetCloseWrite: 105, // (connId) → undefined | "E{err}"
  NetClose: 106, // (id) → undefined | "E{err}"
  NetSetDeadline: 107, // (id, 0 read | 1 write | 2 both, ms from now; 0 clears) → undefined | "E{err}"
  NetInfo: 108, // (id) → '{"net","local","remote"}' (Conn) | '{"net","addr"}' (Listener) | "E{err}"
  TextEncode: 120, // (string) → ArrayBuffer of its UTF-8
  TextDecode: 121, // (ArrayBuffer, fatal) → string
} as const;

/** Select case kinds in the Select call. */
export const SelectKind = { Recv: 0, SendNum: 1, SendWire: 2 } as const;
