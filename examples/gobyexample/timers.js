// Timers: time.newTimer(d) delivers on timer.c once; stop() cancels a timer
// that has not fired. (gobyexample.com/timers; seconds scaled to tens of ms)
function main() {
  const timer1 = time.newTimer(20 * time.Millisecond);
  timer1.c.recv();
  println("Timer 1 fired");

  const timer2 = time.newTimer(10 * time.Millisecond);
  go(() => {
    timer2.c.recv(); // the closure captures the timer: a handle, so it is the same timer
    println("Timer 2 fired");
  });
  const stop2 = timer2.stop();
  if (stop2) println("Timer 2 stopped");

  time.sleep(20 * time.Millisecond);
}
