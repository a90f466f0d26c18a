// The net API on the netpoller: data integrity, half-close, resets, refused
// dials, deadlines, closing listeners and conns under parked goroutines.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eachBackend, run } from "../helpers.js";
import { QuickJSWasm } from "../../runtime/engine/quickjs.js";
import { startGuest } from "./guest.js";

const ok = async (src: string, backend: Parameters<typeof run>[1]["backend"]): Promise<string> => {
  const r = await run(src, { backend });
  assert.is(r.stderr, "");
  assert.is(r.code, 0);
  return r.stdout;
};

/**
 * A guest program: `writes` runs with `c` dialed to a peer goroutine that
 * collects every byte until EOF; then the peer's answer (the bytes, joined
 * by commas) is printed.
 */
function writesToPeer(writes: string): string {
  return `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => {
        const c = ln.accept();
        let got = [];
        for (let b; (b = c.read()) !== null; ) got.push(...b);
        c.write(got.join(","));
        c.close();
      });
      const c = net.dial("tcp", ln.addr);
${writes}      c.closeWrite();
      println(new TextDecoder().decode(c.read()));
    }`;
}

eachBackend(test, "echo of a 1 MiB payload is byte-exact", async (backend) => {
  const out = await ok(
    `
    function echo(c) {
      for (let b; (b = c.read(32768)) !== null; ) c.write(b);
      c.close();
    }
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => { for (;;) go(echo, ln.accept()); });
      const N = 1 << 20;
      const data = new Uint8Array(N);
      let seed = 7;
      for (let i = 0; i < N; i++) { seed = (seed * 1103515245 + 12345) & 0x7fffffff; data[i] = seed >> 16; }
      const c = net.dial("tcp", ln.addr);
      go(() => { println("wrote", c.write(data)); c.closeWrite(); });
      const got = new Uint8Array(N);
      let n = 0;
      for (let b; (b = c.read()) !== null; ) { got.set(b, n); n += b.length; }
      let same = n === N;
      for (let i = 0; same && i < N; i++) same = got[i] === data[i];
      println("read", n, "same", same);
    }`,
    backend,
  );
  assert.match(out, "wrote 1048576");
  assert.match(out, "read 1048576 same true");
});

eachBackend(test, "writes of views, empty and detached buffers: the bytes of the view, 0, a TypeError", async (backend) => {
  const out = await ok(
    writesToPeer(`
      const whole = new Uint8Array([1, 2, 3, 4, 5]);
      println(c.write(whole.subarray(1, 3)), c.write(new Uint8Array(0)), c.write(new ArrayBuffer(0)), c.write(whole.buffer));
      const gone = new Uint8Array([9]).buffer;
      gone.transfer();
      try { c.write(gone); println("no error"); } catch (e) { println(e.name); }
    `),
    backend,
  );
  assert.is(out, "2 0 0 5\nTypeError\n2,3,1,2,3,4,5\n");
});

eachBackend(test, "writes of other typed arrays, a DataView, a Uint8Array subclass and a detached view: their bytes, or a TypeError", async (backend) => {
  const out = await ok(
    writesToPeer(`
      class Bytes extends Uint8Array {}
      const dv = new DataView(new ArrayBuffer(3), 1, 2);
      dv.setUint8(0, 6);
      println(c.write(new Uint16Array([0x0201])), c.write(new Bytes([3, 4, 5])), c.write(dv), c.write(new Int8Array([-1])));
      const gone = new Uint8Array([9, 9]);
      gone.buffer.transfer();
      for (const bad of [gone, { length: 1, 0: 1 }, 42]) {
        try { c.write(bad); println("no error"); } catch (e) { println(e.name); }
      }
    `),
    backend,
  );
  assert.is(out, "2 3 2 1\nTypeError\nTypeError\nTypeError\n1,2,3,4,5,6,0,255\n");
});

eachBackend(test, "read(): what arrived, up to 64 KiB by default, up to n with read(n); read and write are own functions of each Conn", async (backend) => {
  const out = await ok(
    `function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => { const c = net.dial("tcp", ln.addr); c.write(new Uint8Array(100000).fill(3)); c.close() });
      const s = ln.accept();
      const first = s.read(10);
      let total = first.length, most = 0;
      for (let b; (b = s.read()) !== null; ) { total += b.length; most = Math.max(most, b.length); }
      println(first.length, first[9], total, most <= 65536, most > 10);
      println(typeof s.read, Object.keys(s).join(","), s.read === new net.Conn(s.id).read);
      s.close(); ln.close();
    }`,
    backend,
  );
  assert.is(out, "10 3 100000 true true\nfunction id false\n");
});

eachBackend(test, "reads still return Uint8Arrays when the host cannot make one itself (the guest wraps the buffer)", async (backend) => {
  const original = QuickJSWasm.prototype.newUint8Array;
  QuickJSWasm.prototype.newUint8Array = () => null;
  try {
    const out = await ok(
      `function main() {
        const ln = net.listen("tcp", "127.0.0.1:0");
        go(() => { const c = net.dial("tcp", ln.addr); c.write("abc"); c.close() });
        const s = ln.accept();
        const b = s.read();
        println(b instanceof Uint8Array, b.length, String.fromCharCode(...b));
        s.close(); ln.close();
      }`,
      backend,
    );
    assert.is(out, "true 3 abc\n");
  } finally {
    QuickJSWasm.prototype.newUint8Array = original;
  }
});

eachBackend(test, "half-close: the peer reads EOF and can still answer", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => {
        const c = ln.accept();
        let n = 0;
        for (let b; (b = c.read()) !== null; ) n += b.length;
        c.write("got " + n + " bytes");
        c.close();
      });
      const c = net.dial("tcp", ln.addr);
      c.write("ping!");
      c.closeWrite();
      println(new TextDecoder().decode(c.read()));
      println(c.read());
      try { c.write("more"); } catch (e) { println(e.code); }
    }`,
    backend,
  );
  assert.is(out, "got 5 bytes\nnull\nEPIPE\n");
});

eachBackend(test, "dialing a port nobody listens on fails with ECONNREFUSED", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      const addr = ln.addr;
      ln.close();
      try { net.dial("tcp", addr); } catch (e) { println(e.code, e.message === "dial tcp " + addr + ": connect: connection refused"); }
      try { net.dial("tcp", "nocolon"); } catch (e) { println(e.message); }
      try { net.listen("udp", ":0"); } catch (e) { println(e.message); }
    }`,
    backend,
  );
  assert.is(out, "ECONNREFUSED true\ndial tcp: address nocolon: missing port in address\nlisten udp: unknown network udp\n");
});

eachBackend(test, "read and write deadlines fail with i/o timeout, and can be cleared", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      const peer = chan(1);
      go(() => peer.send(ln.accept()));
      const c = net.dial("tcp", ln.addr);
      const s = peer.recv();
      c.setReadDeadline(30);
      const t0 = now();
      try { c.read(); } catch (e) { println("read:", e.code, e.timeout(), e.err === net.ErrDeadlineExceeded, now() - t0 >= 25); }
      try { c.read(); } catch (e) { println("again:", e.code); }
      c.setReadDeadline(0);
      s.write("late");
      println("cleared:", new TextDecoder().decode(c.read()));
      // Nobody reads s: once the kernel buffers are full, the write blocks until its deadline.
      c.setWriteDeadline(100);
      try { for (;;) c.write(new Uint8Array(1 << 20)); } catch (e) { println("write:", e.code, e.message.startsWith("write tcp " + c.localAddr + "->" + c.remoteAddr)); }
      c.close();
      s.close();
      ln.close();
    }`,
    backend,
  );
  assert.is(out, "read: ErrDeadlineExceeded true true true\nagain: ErrDeadlineExceeded\ncleared: late\nwrite: ErrDeadlineExceeded true\n");
});

eachBackend(test, "closing a listener wakes a parked accept; accept after close fails", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      const res = chan();
      go(() => { try { ln.accept(); res.send("accepted?"); } catch (e) { res.send(e.code + " " + (e.err === net.ErrClosed)); } });
      sleep(20);
      ln.close();
      println(res.recv());
      try { ln.accept(); } catch (e) { println(e.message === "accept tcp " + ln.addr + ": use of closed network connection"); }
      try { ln.close(); } catch (e) { println("close twice:", e.code); }
    }`,
    backend,
  );
  assert.is(out, "ErrClosed true\ntrue\nclose twice: ErrClosed\n");
});

eachBackend(test, "closing a conn wakes its parked reader, which gets ErrClosed", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => { const s = ln.accept(); sleep(1000); s.close(); });
      const c = net.dial("tcp", ln.addr);
      const res = chan();
      go(() => { try { c.read(); } catch (e) { res.send(e.code); } });
      sleep(20);
      c.close();
      println(res.recv());
    }`,
    backend,
  );
  assert.is(out, "ErrClosed\n");
});

eachBackend(test, "a peer reset mid-read fails the read with ECONNRESET", async (backend) => {
  const g = await startGuest(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      println("addr " + ln.addr);
      const c = ln.accept();
      println("first:", new TextDecoder().decode(c.read()));
      try { c.read(); println("no error"); } catch (e) { println("then:", e.code, e.message.includes("read: connection reset by peer")); }
    }`,
    backend,
  );
  const [host, port] = splitAddr(await g.addr);
  const sock = net.connect({ host, port });
  await new Promise((r) => sock.once("connect", r));
  sock.write("hello");
  await new Promise((r) => setTimeout(r, 50));
  sock.resetAndDestroy();
  const st = await g.done;
  assert.is(g.stderr(), "");
  assert.is(st.code, 0);
  assert.is(g.stdout().split("\n").slice(1).join("\n"), "first: hello\nthen: ECONNRESET true\n");
});

eachBackend(test, "writes parked on a full socket: each goroutine's write arrives whole, in one piece", async (backend) => {
  const g = await startGuest(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      println("addr " + ln.addr);
      const c = ln.accept();
      const done = chan();
      for (let k = 1; k <= 3; k++) go(() => done.send(c.write(new Uint8Array(1 << 20).fill(k))));
      let n = 0;
      for (let k = 0; k < 3; k++) n += done.recv();
      println("wrote", n);
      c.close();
    }`,
    backend,
  );
  const [host, port] = splitAddr(await g.addr);
  const sock = net.connect({ host, port });
  sock.pause(); // let the kernel buffers fill, so the writes park
  await new Promise((r) => setTimeout(r, 200));
  const chunks: Buffer[] = [];
  sock.on("data", (d: Buffer) => chunks.push(d));
  sock.resume();
  await new Promise((r) => sock.once("end", r));
  const all = Buffer.concat(chunks);
  assert.is(all.length, 3 << 20);
  // three runs of 1 MiB, one per writer: no write was interleaved with another
  const runs: number[] = [];
  for (let i = 0; i < all.length; i += 1 << 20) {
    const b = all[i]!;
    assert.ok(all.subarray(i, i + (1 << 20)).every((x) => x === b), `run at ${i} is whole`);
    runs.push(b);
  }
  assert.equal([...runs].sort(), [1, 2, 3]);
  sock.destroy();
  const st = await g.done;
  assert.is(g.stderr(), "");
  assert.is(st.code, 0);
  assert.is(g.stdout().split("\n")[1], "wrote 3145728");
});

eachBackend(test, "goroutines killed while parked in a read and a write leave the socket: later I/O wakes nobody, and they no longer count as waiting", async (backend) => {
  const g = await startGuest(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      println("addr " + ln.addr);
      const c = ln.accept();
      go(() => { c.read(); println("read returned"); }); // goroutine 2
      go(() => { c.write(new Uint8Array(16 << 20)); println("write returned"); }); // goroutine 3
      sleep(300);
      println("slept");
      ln.accept(); // waiting for I/O is no deadlock, unless the waiter count went wrong
      println("accepted");
      chan().recv(); // a deadlock, unless a killed goroutine still counts as waiting for I/O
    }`,
    backend,
  );
  const [host, port] = splitAddr(await g.addr);
  const sock = net.connect({ host, port });
  sock.pause(); // the kernel buffers fill: the write parks
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(g.kill(2), "the reader is alive");
  assert.ok(g.kill(3), "the writer is alive");
  await new Promise((r) => setTimeout(r, 20));
  sock.write("late"); // readable: would ready the reader, were it still registered
  sock.resume(); // drained: the write completes, and would ready the writer
  while (!g.stdout().includes("slept")) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  const second = net.connect({ host, port });
  second.on("error", () => {});
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), 10_000).unref());
  const st = await Promise.race([g.done, timeout]);
  sock.destroy();
  second.destroy();
  if (!st) {
    await g.stop();
    assert.unreachable("no deadlock was reported: the program still counts a killed goroutine as waiting");
  }
  assert.is(st!.code, 2);
  assert.match(g.stderr(), /^fatal error: all goroutines are asleep - deadlock!/);
  assert.is(g.stdout().split("\n").slice(1).join("\n"), "slept\naccepted\n");
});

eachBackend(test, "a peer reset fails a write parked on a full socket", async (backend) => {
  const g = await startGuest(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      println("addr " + ln.addr);
      const c = ln.accept();
      try { c.write(new Uint8Array(16 << 20)); println("no error"); } catch (e) { println("write:", e.code === "ECONNRESET" || e.code === "EPIPE"); }
      try { c.write("more"); println("no error"); } catch (e) { println("again:", e.code === "ECONNRESET" || e.code === "EPIPE"); }
    }`,
    backend,
  );
  const [host, port] = splitAddr(await g.addr);
  const sock = net.connect({ host, port });
  sock.pause();
  await new Promise((r) => setTimeout(r, 200));
  sock.resetAndDestroy();
  const st = await g.done;
  assert.is(g.stderr(), "");
  assert.is(st.code, 0);
  assert.is(g.stdout().split("\n").slice(1).join("\n"), "write: true\nagain: true\n");
});

eachBackend(test, "unix domain sockets: listen, dial, echo, and the socket file goes away on close", async (backend) => {
  const sockPath = path.join(os.tmpdir(), `quickgo-test-${process.pid}-${backend}.sock`);
  fs.rmSync(sockPath, { force: true });
  const out = await ok(
    `
    function main() {
      const ln = net.listen("unix", ${JSON.stringify(sockPath)});
      go(() => { const s = ln.accept(); s.write(s.read()); s.close(); });
      const c = net.dial("unix", ln.addr);
      c.write("over unix");
      println(new TextDecoder().decode(c.read()), c.remoteAddr === ln.addr);
      c.close();
      ln.close();
    }`,
    backend,
  );
  assert.is(out, "over unix true\n");
  assert.is(fs.existsSync(sockPath), false);
});

eachBackend(test, "conns and listeners left open are closed when the program ends", async (backend) => {
  const g = await startGuest(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      const c = net.dial("tcp", ln.addr);
      const s = ln.accept();
      println("addr " + ln.addr);
    }`,
    backend,
  );
  const addr = await g.addr;
  await g.done;
  const [host, port] = splitAddr(addr);
  const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    const s = net.connect({ host, port });
    s.once("connect", () => {
      s.destroy();
      resolve(null);
    });
    s.once("error", resolve);
  });
  assert.is(err?.code, "ECONNREFUSED");
});

eachBackend(test, "a goroutine parked on I/O is not a deadlock: it wakes at its deadline", async (backend) => {
  const r = await run(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      const c = net.dial("tcp", ln.addr);
      const s = ln.accept();
      const done = chan();
      go(() => { try { s.read(); } catch (e) { done.send(e.code); } });
      s.setReadDeadline(30);
      println(done.recv());
    }`,
    { backend },
  );
  assert.is(r.stderr, "");
  assert.is(r.stdout, "ErrDeadlineExceeded\n");
});

eachBackend(test, "bufio: lines and delimited strings across read boundaries", async (backend) => {
  const out = await ok(
    `
    function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => {
        const s = ln.accept();
        for (const part of ["alpha\\nbe", "ta\\r\\ngam", "ma;delta;", "\\nlast"]) { s.write(part); sleep(5); }
        s.close();
      });
      const r = bufio.newReader(net.dial("tcp", ln.addr));
      println(r.readLine(), r.readLine(), r.readString(";"), r.readString(";"));
      const sc = bufio.newScanner(r);
      const rest = [];
      while (sc.scan()) rest.push(JSON.stringify(sc.text()));
      println(rest.join(","), r.readLine());
    }`,
    backend,
  );
  assert.is(out, 'alpha beta gamma; delta;\n"","last" null\n');
});

eachBackend(test, "busy goroutines do not starve I/O: round trips complete next to a spinning goroutine", async (backend) => {
  const out = await ok(
    `
    function main() {
      go(() => { for (;;) {} });
      const ln = net.listen("tcp", "127.0.0.1:0");
      go(() => { const s = ln.accept(); for (let b; (b = s.read()) !== null; ) s.write(b); });
      const c = net.dial("tcp", ln.addr);
      let ok = 0;
      for (let i = 0; i < 20; i++) { c.write("ping " + i); if (new TextDecoder().decode(c.read()) === "ping " + i) ok++; }
      println(ok);
    }`,
    backend,
  );
  assert.is(out, "20\n");
});

function splitAddr(a: string): [string, number] {
  const i = a.lastIndexOf(":");
  return [a.slice(0, i), Number(a.slice(i + 1))];
}

test.run();
