// A goroutine-per-connection echo server under many host-side clients: every
// round trip correct, idle parked connections cost no CPU, no fd is leaked.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import net from "node:net";
import { eachBackend } from "../helpers.js";
import { connect, startGuest } from "./guest.js";

const ECHO = `
function echo(c) {
  for (let b; (b = c.read()) !== null; ) c.write(b);
  c.close();
}
function main() {
  const ln = net.listen("tcp", "127.0.0.1:0");
  println("addr " + ln.addr);
  for (;;) go(echo, ln.accept());
}`;

const openFds = (): number => fs.readdirSync("/proc/self/fd").length;

/** Sends `msg`, resolves with what comes back once as many bytes arrived. */
function roundTrip(s: net.Socket, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const onData = (d: Buffer): void => {
      got += d.toString();
      if (got.length >= msg.length) {
        s.off("data", onData);
        s.off("error", reject);
        resolve(got);
      }
    };
    s.on("data", onData);
    s.once("error", reject);
    s.write(msg);
  });
}

eachBackend(test, "1 000 concurrent clients × 100 round trips, every reply correct; no fd left open", async (backend) => {
  const g = await startGuest(ECHO, backend);
  const addr = await g.addr;
  const fdsBefore = openFds(); // the listener is open
  const clients = await Promise.all(Array.from({ length: 1000 }, () => connect(addr)));
  let bad = 0;
  await Promise.all(
    clients.map(async (s, i) => {
      for (let k = 0; k < 100; k++) {
        const msg = `client ${i} message ${k}\n`;
        if ((await roundTrip(s, msg)) !== msg) bad++;
      }
    }),
  );
  assert.is(bad, 0);
  // Clients leave; each handler reads EOF and closes its conn while the server keeps running.
  await Promise.all(clients.map((s) => new Promise<void>((r) => void s.end(() => r()))));
  for (const s of clients) s.destroy();
  for (let i = 0; i < 100 && openFds() > fdsBefore; i++) await new Promise((r) => setTimeout(r, 20));
  assert.is(openFds(), fdsBefore, "fds open after all clients left");
  await g.stop();
});

eachBackend(test, "an idle server with 1 000 parked connections uses < 5% CPU over 2 s", async (backend) => {
  const g = await startGuest(ECHO, backend);
  const addr = await g.addr;
  const clients = await Promise.all(Array.from({ length: 1000 }, () => connect(addr)));
  // one round trip each, so every handler goroutine has run and is parked in read()
  await Promise.all(clients.map((s) => roundTrip(s, "x")));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 2000));
  const cpu = process.cpuUsage(cpu0);
  const share = (cpu.user + cpu.system) / 1000 / (performance.now() - t0);
  for (const s of clients) s.destroy();
  await g.stop();
  assert.ok(share < 0.05, `CPU share while idle: ${(share * 100).toFixed(1)}%`);
});

eachBackend(test, "back-pressure: a connection nobody reads stops taking data, so the peer's writes back up", async (backend) => {
  const g = await startGuest(
    `function main() {
      const ln = net.listen("tcp", "127.0.0.1:0");
      println("addr " + ln.addr);
      const c = ln.accept(); // never read
      sleep(1e9);
    }`,
    backend,
  );
  const s = await connect(await g.addr);
  const total = 64 << 20;
  s.write(Buffer.alloc(total, 1));
  await new Promise((r) => setTimeout(r, 500));
  // Only the kernel's socket buffers and the Conn's 64 KiB took anything; the rest waits in the client.
  const pending = s.writableLength;
  s.destroy();
  await g.stop();
  assert.ok(pending > total / 2, `client still holds ${pending} of ${total} bytes`);
});

test.run();
