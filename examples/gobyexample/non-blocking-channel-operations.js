// Non-blocking channel operations: select with otherwise() (Go's default)
// never blocks. (gobyexample.com/non-blocking-channel-operations)
function main() {
  const messages = chan();
  const signals = chan();

  select(
    recv(messages, (msg) => println("received message", msg)),
    otherwise(() => println("no message received")),
  );

  const msg = "hi";
  select(
    send(messages, msg, () => println("sent message", msg)),
    otherwise(() => println("no message sent")),
  );

  select(
    recv(messages, (msg) => println("received message", msg)),
    recv(signals, (sig) => println("received signal", sig)),
    otherwise(() => println("no activity")),
  );
}
