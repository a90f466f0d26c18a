// Goroutines: go(f, args) runs f concurrently; a closure literal works too.
// (gobyexample.com/goroutines; main sleeps so they finish; their lines may interleave, as in Go.)
function f(from) {
  for (let i = 0; i < 3; i++) println(from, ":", i);
}

function main() {
  f("direct");
  go(f, "goroutine");
  go((msg) => println(msg), "going");
  time.sleep(50 * time.Millisecond);
  println("done");
}
