// Select: wait on several channel operations at once and take whichever is
// ready first. (gobyexample.com/select; 1 s and 2 s scaled to 10 and 60 ms)
function main() {
  const c1 = chan();
  const c2 = chan();
  go(() => {
    time.sleep(10 * time.Millisecond);
    c1.send("one");
  });
  go(() => {
    time.sleep(60 * time.Millisecond);
    c2.send("two");
  });
  for (let i = 0; i < 2; i++) {
    select(
      recv(c1, (msg1) => println("received", msg1)),
      recv(c2, (msg2) => println("received", msg2)),
    );
  }
}
