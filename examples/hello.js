// The smallest quickgo program: main runs as goroutine 1.
function main() {
  println("hello, goroutines")
}
