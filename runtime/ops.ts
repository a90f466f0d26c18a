// The guest → host call ABI: every runtime operation is one call of the
// guest's hidden host function with an opcode first. The guest prelude gets
// this table injected, so the two sides cannot drift apart.
export const Op = {
  GoNamed: 1, // (name, capsWire, argsWire, wrapKey?) → goroutine id
  GoClosure: 2, // (closureId, capsWire, argsWire, wrapKey?) → goroutine id
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
  Lock: 21, // (id) of a Mutex, or an RWMutex's write side
  Unlock: 22, // (id) of a Mutex or RWMutex
  TryLock: 23, // (id) → bool, of a Mutex or RWMutex
  OnceNew: 24, // () → id
  OnceBegin: 25, // (id) → 1: run f, 0: done
  OnceEnd: 26, // (id)
  Gosched: 27, // ()
  NumGoroutine: 28, // () → n
  Goid: 29, // () → id
  Print: 30, // (fd, string)
  Args: 31, // () → JSON string array
  LoadPrelude: 32, // (name) evaluates a lazily loaded prelude module ("codec", "inspect") in the caller's context
  AddIntrinsic: 33, // (group: index in LAZY_INTRINSICS) adds a lazy group of built-ins to the caller's context
  Start: 34, // (fn, ...args) only in a goroutine's setup, from the prelude's entry: the call the goroutine's run starts with

  // The toolkit (Go's sync, context, time, errgroup, atomic, runtime packages): 40–69.
  CtxNew: 40, // (kind: CtxKind, parentId, deadlineEpochMs | keyWire, valueWire) → context id
  CtxCancel: 41, // (id)
  CtxDone: 42, // (id) → chan id, 0 (nil) for a context that is never canceled
  CtxErr: 43, // (id) → CtxErr
  CtxValue: 44, // (id, keyWire) → wire | undefined
  CtxDeadline: 45, // (id) → epoch ms, or Infinity for none
  RWMutexNew: 46, // () → id
  RLock: 47, // (id)
  RUnlock: 48, // (id)
  TryRLock: 49, // (id) → bool
  CondNew: 50, // (lockerId) → id
  CondWait: 51, // (id)
  CondSignal: 52, // (id, all: 0 | 1)
  SemNew: 53, // (size) → id
  SemAcquire: 54, // (id, n, ctxId | 0 = none | -1 = try) → 0 acquired, 1 not (try failed / ctx done)
  SemRelease: 55, // (id, n)
  GroupNew: 56, // (ctxId | 0) → id
  GroupGo: 57, // (id, block: 0 | 1) → bool: a slot was taken (blocks for one under setLimit)
  GroupDone: 58, // (id, failed: 0 | 1, errWire)
  GroupWait: 59, // (id) → first error's wire | undefined
  GroupSetLimit: 60, // (id, n)
  AtomicNew: 61, // (kind: 0 number | 1 wire, initial) → id
  Atomic: 62, // (id, AtomicOp, a, b) → per op
  TimerNew: 63, // (TimerKind, ms, fnRef?, capsWire?, argsWire?) → id
  TimerStop: 64, // (id) → bool: the timer was pending
  TimerReset: 65, // (id, ms) → bool: the timer was pending
  Related: 66, // (id) → handle key of a companion object: a Cond's Locker, a Timer's channel ("" if none)
  Stack: 68, // (jsStack) → Go-style traceback of the caller

  // 40–69: toolkit (sync, context, atomic, time); 70–99: host API.
  // 100–: netpoll (netpoll/netops.ts has the result protocol).
  NetListen: 100, // (network, addr) → "L{id,addr}" | "E{err}"
  NetDial: 101, // (network, addr, timeoutMs) → "C{id,local,remote}" | "E{err}"
  NetAccept: 102, // (listenerId) → "C{…}" | "E{err}"
  NetRead: 103, // bound as a Conn's read: (connId, conn, slow, max?) → Uint8Array | null (EOF); throws NetError
  NetWrite: 104, // bound as a Conn's write: (connId, conn, slow, data) → bytes written; throws NetError
  NetCloseWrite: 105, // (connId) → undefined | "E{err}"
  NetClose: 106, // (id) → undefined | "E{err}"
  NetSetDeadline: 107, // (id, 0 read | 1 write | 2 both, ms from now; 0 clears) → undefined | "E{err}"
  NetInfo: 108, // (id) → '{"net","local","remote"}' (Conn) | '{"net","addr"}' (Listener) | "E{err}"
  NetMethod: 109, // (connId, 0 read | 1 write, slow) → that Conn's read or write, a host function of its own (netMethodRef); undefined past the refs' range
  TextEncode: 120, // (string) → ArrayBuffer of its UTF-8
  TextDecode: 121, // (ArrayBuffer, fatal) → string
} as const;

/**
 * Host refs (QTS_NewFunction's id, passed back with every call): the hidden
 * host function every operation goes through, and a Conn's read and write,
 * which are host functions of their own so that a call of them is the whole
 * operation (no bound function's frames to unwind and rewind at a park):
 * NET_METHOD_REF + 2 × conn id + (0 read | 1 write).
 */
export const HOST_FN_REF = 1;
export const NET_METHOD_REF = 2;
/** Conn ids past this get bound host functions instead (refs are int32). */
export const NET_METHOD_MAX_ID = 2 ** 29;

/** CtxNew kinds. */
export const CtxKind = { Background: 0, Cancel: 1, Deadline: 2, Value: 3 } as const;

/** Op.CtxErr results; the guest maps them to its context.Canceled / context.DeadlineExceeded. */
export const CtxErr = { None: 0, Canceled: 1, DeadlineExceeded: 2 } as const;

/** Op.Atomic operations. */
export const AtomicOp = { Load: 0, Store: 1, Add: 2, Swap: 3, CompareAndSwap: 4 } as const;

/** Op.TimerNew kinds: a channel timer, a ticker, or AfterFunc starting a top-level function / a closure. */
export const TimerKind = { Timer: 0, Ticker: 1, FuncNamed: 2, FuncClosure: 3 } as const;

/** Select case kinds in the Select call. */
export const SelectKind = { Recv: 0, SendNum: 1, SendWire: 2 } as const;
