// Context: a handler does slow work but gives up as soon as its context is
// canceled (here: the "client" goes away). (gobyexample.com/context, without the HTTP server)
function hello(ctx, reply) {
  println("server: hello handler started");
  try {
    select(
      recv(time.after(300 * time.Millisecond), () => reply.send("hello")),
      recv(ctx.done(), () => {
        const err = ctx.err();
        println("server:", err.message);
        reply.send(null);
      }),
    );
  } finally {
    println("server: hello handler ended");
  }
}

function request(cancelAfterMs) {
  const [ctx, cancel] = context.withCancel(context.background());
  const reply = chan(1);
  go(hello, ctx, reply);
  if (cancelAfterMs >= 0) {
    time.sleep(cancelAfterMs);
    println("client: giving up");
    cancel();
  }
  const body = reply.recv();
  if (body !== null) println("client: got", body);
  cancel();
}

function main() {
  request(-1); // waits for the answer
  request(30); // cancels before it is ready
}
