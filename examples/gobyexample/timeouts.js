// Timeouts: select on the result and on time.after(d); whichever is ready
// first wins. (gobyexample.com/timeouts; seconds scaled to tens of ms)
function main() {
  const c1 = chan(1); // buffered, so the late sender does not block forever
  go(() => {
    time.sleep(200 * time.Millisecond);
    c1.send("result 1");
  });
  select(
    recv(c1, (res) => println(res)),
    recv(time.after(20 * time.Millisecond), () => println("timeout 1")),
  );

  const c2 = chan(1);
  go(() => {
    time.sleep(20 * time.Millisecond);
    c2.send("result 2");
  });
  select(
    recv(c2, (res) => println(res)),
    recv(time.after(300 * time.Millisecond), () => println("timeout 2")),
  );
}
