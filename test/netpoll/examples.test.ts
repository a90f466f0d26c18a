// The network examples, driven by host-side clients.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { eachBackend, run } from "../helpers.js";
import { connect, startGuest } from "./guest.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const example = (name: string): string =>
  // the examples print "… listening on <addr>"; the harness waits for "addr <addr>"
  fs.readFileSync(path.join(root, "examples", `${name}.js`), "utf8").replace(/(println\(.*listening on.*\);)/, '$1 println("addr " + ln.addr);');

/** Collects what `s` receives until `until` matches it. */
function readUntil(s: net.Socket, until: (got: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const onData = (d: Buffer): void => {
      got += d.toString();
      if (until(got)) {
        s.off("data", onData);
        resolve(got);
      }
    };
    s.on("data", onData);
  });
}

eachBackend(test, "examples/echo.js echoes and logs each connection", async (backend) => {
  const g = await startGuest(example("echo"), backend, ["127.0.0.1:0"]);
  const s = await connect(await g.addr);
  const reply = readUntil(s, (x) => x.length >= 11);
  s.write("hello, echo");
  assert.is(await reply, "hello, echo");
  s.end();
  await new Promise((r) => s.once("close", r));
  for (let i = 0; i < 100 && !g.stdout().includes("disconnected"); i++) await new Promise((r) => setTimeout(r, 10));
  await g.stop();
  assert.match(g.stdout(), /^echo server listening on 127\.0\.0\.1:\d+\n/);
  assert.match(g.stdout(), /connected: 127\.0\.0\.1:\d+\n/);
  assert.match(g.stdout(), /disconnected: 127\.0\.0\.1:\d+\n/);
});

/** One echo over `s`, then closes it and waits until the server has closed its side too. */
async function echoOnce(s: net.Socket, text: string): Promise<string> {
  const reply = readUntil(s, (x) => x.length >= text.length);
  s.write(text);
  const got = await reply;
  s.end();
  await new Promise((r) => s.once("close", r));
  return got;
}

const waitFor = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

eachBackend(test, "examples/echopool.js hands connections to idle workers, starts one only when all are busy, ends idle ones", async (backend) => {
  const g = await startGuest(example("echopool"), backend, ["127.0.0.1:0", "300"]);
  const addr = await g.addr;
  // One after another: the first worker serves them all.
  for (const text of ["one", "two", "three"]) assert.is(await echoOnce(await connect(addr), text), text);
  assert.is(g.stdout().match(/worker \d+ started/g)?.join(), "worker 1 started");
  // Two at once: the second finds worker 1 busy and gets worker 2.
  const a = await connect(addr);
  const b = await connect(addr);
  const [ra, rb] = await Promise.all([echoOnce(a, "left"), echoOnce(b, "right")]);
  assert.is(ra + " " + rb, "left right");
  assert.is(g.stdout().match(/worker \d+ started/g)?.join(), "worker 1 started,worker 2 started");
  // Left idle past 300 ms, both end.
  await waitFor(() => /worker 2 idle, ending/.test(g.stdout()) && /worker 1 idle, ending/.test(g.stdout()));
  assert.match(g.stdout(), /worker 1 idle, ending\n/);
  assert.match(g.stdout(), /worker 2 idle, ending\n/);
  assert.not.match(g.stdout(), /error:/);
  await g.stop();
});

eachBackend(test, "examples/chat.js broadcasts every line to every client", async (backend) => {
  const g = await startGuest(example("chat"), backend, ["127.0.0.1:0"]);
  const addr = await g.addr;
  const a = await connect(addr);
  assert.is(await readUntil(a, (x) => x.includes("has arrived\n")), "you are user1\nuser1 has arrived\n");
  const b = await connect(addr);
  const aSees = readUntil(a, (x) => x.includes("user2: hi from b\n"));
  const bSees = readUntil(b, (x) => x.includes("user2: hi from b\n"));
  await readUntil(b, (x) => x.includes("user2 has arrived\n"));
  b.write("hi from b\n");
  assert.is(await aSees, "user2 has arrived\nuser2: hi from b\n");
  assert.match(await bSees, "user2: hi from b\n");
  const aSeesLeave = readUntil(a, (x) => x.includes("user2 has left\n"));
  b.end();
  assert.is(await aSeesLeave, "user2 has left\n");
  a.destroy();
  b.destroy();
  await g.stop();
});

function get(addr: string, p: string, agent: http.Agent, method = "GET"): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`http://${addr}${p}`, { agent, method }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

eachBackend(test, "examples/http.js serves GET, HEAD and 404 over one keep-alive connection", async (backend) => {
  const g = await startGuest(example("http"), backend, ["127.0.0.1:0"]);
  const addr = await g.addr;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const hello = await get(addr, "/hello", agent);
  assert.is(hello.status, 200);
  assert.is(hello.body, "Hello, World!\n");
  assert.is(hello.headers["content-length"], "14");
  const first = await get(addr, "/goroutine", agent);
  const second = await get(addr, "/goroutine", agent);
  const gid = /goroutine (\d+)/.exec(first.body)?.[1];
  assert.ok(gid);
  assert.is(first.body, `served by goroutine ${gid} (request 2 on this connection)\n`);
  assert.is(second.body, `served by goroutine ${gid} (request 3 on this connection)\n`);
  const head = await get(addr, "/hello", agent, "HEAD");
  assert.is(head.status, 200);
  assert.is(head.body, "");
  const missing = await get(addr, "/nope", agent);
  assert.is(missing.status, 404);
  const post = await get(addr, "/", agent, "POST");
  assert.is(post.status, 405);
  agent.destroy();
  await g.stop();
});

eachBackend(test, "examples/portscan.js finds the open port in a range", async (backend) => {
  const server = net.createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const r = await run(example("portscan"), { backend, args: ["127.0.0.1", String(port), String(port + 3), "2"] });
  server.close();
  assert.is(r.stderr, "");
  assert.match(r.stdout, new RegExp(`^scanned 127\\.0\\.0\\.1 ports ${port}-${port + 3}: open ${port}( \\d+)*\\n$`));
});

test.run();
