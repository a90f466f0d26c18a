// Chat server: every line a client sends is broadcast to every client.
// One goroutine per connection reads lines; one writer goroutine per client
// drains its outgoing channel; the broadcaster goroutine owns the client set
// (no locks: state belongs to one goroutine, as in Go's "share memory by
// communicating").
// Usage: quickgo run examples/chat.js [address]   (default 127.0.0.1:8001)
//   then, in several terminals: nc 127.0.0.1 8001
function broadcaster(entering, leaving, messages) {
  const clients = new Map(); // id → outgoing channel
  for (;;) {
    select(
      recv(entering, ([id, out]) => {
        clients.set(id, out);
      }),
      recv(leaving, (id) => {
        clients.get(id).close();
        clients.delete(id);
      }),
      recv(messages, (msg) => {
        // A slow client must not stall the room: drop the line if its buffer is full.
        for (const out of clients.values()) select(send(out, msg), otherwise());
      }),
    );
  }
}

function writer(conn, out) {
  for (const line of out) conn.write(line + "\n");
}

function client(conn, id, entering, leaving, messages) {
  const who = "user" + id;
  const out = chan(16);
  go(writer, conn, out);
  out.send("you are " + who);
  entering.send([id, out]);
  messages.send(who + " has arrived");
  const lines = bufio.newScanner(conn);
  while (lines.scan()) messages.send(who + ": " + lines.text());
  leaving.send(id);
  messages.send(who + " has left");
  conn.close();
}

function main() {
  const ln = net.listen("tcp", args[0] ?? "127.0.0.1:8001");
  println("chat server listening on", ln.addr);
  const entering = chan();
  const leaving = chan();
  const messages = chan(64);
  go(broadcaster, entering, leaving, messages);
  for (let id = 1; ; id++) {
    go(client, ln.accept(), id, entering, leaving, messages);
  }
}
