// A minimal HTTP/1.1 server: a goroutine per connection parses requests with
// a buffered reader, answers GET and HEAD with Content-Length, and keeps the
// connection alive until the client asks to close or goes idle for 5 s.
// Usage: quickgo run examples/http.js [address]   (default 127.0.0.1:8080)
//   then: curl -v http://127.0.0.1:8080/hello
const IDLE_TIMEOUT_MS = 5000;
let served = 0; // per goroutine: goroutines share no memory

function respond(conn, status, headers, body, head) {
  const bytes = new TextEncoder().encode(body);
  let msg = "HTTP/1.1 " + status + "\r\n";
  for (const [k, v] of Object.entries({ ...headers, "Content-Length": String(bytes.length) })) msg += k + ": " + v + "\r\n";
  conn.write(msg + "\r\n");
  if (!head && bytes.length > 0) conn.write(bytes);
}

function route(method, path) {
  if (path === "/") return ["200 OK", "quickgo http example\ntry /hello, /goroutine\n"];
  if (path === "/hello") return ["200 OK", "Hello, World!\n"];
  if (path === "/goroutine") return ["200 OK", "served by goroutine " + goid() + " (request " + served + " on this connection)\n"];
  return ["404 Not Found", "404 page not found\n"];
}

function serve(conn) {
  const r = bufio.newReader(conn);
  try {
    for (;;) {
      conn.setReadDeadline(IDLE_TIMEOUT_MS);
      const line = r.readLine();
      if (line === null || line === "") break;
      const [method, path, proto] = line.split(" ");
      const headers = {};
      for (let h; (h = r.readLine()) !== null && h !== ""; ) {
        const i = h.indexOf(":");
        if (i > 0) headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
      }
      // Bodies are not used here, but must be consumed to find the next request.
      for (let left = Number(headers["content-length"] ?? 0); left > 0; ) {
        const chunk = r.read(left);
        if (chunk === null) break;
        left -= chunk.length;
      }
      served++;
      const close = headers.connection === "close" || proto === "HTTP/1.0";
      const common = { "Content-Type": "text/plain; charset=utf-8", Connection: close ? "close" : "keep-alive" };
      if (method !== "GET" && method !== "HEAD") {
        respond(conn, "405 Method Not Allowed", { ...common, Allow: "GET, HEAD" }, "method not allowed\n", false);
      } else {
        const [status, body] = route(method, path);
        respond(conn, status, common, body, method === "HEAD");
      }
      if (close) break;
    }
  } catch (e) {
    if (e.code !== "ErrDeadlineExceeded" && e.code !== "ECONNRESET") println("http:", e.message);
  } finally {
    conn.close();
  }
}

function main() {
  const ln = net.listen("tcp", args[0] ?? "127.0.0.1:8080");
  println("http server listening on http://" + ln.addr + "/");
  for (;;) go(serve, ln.accept());
}
