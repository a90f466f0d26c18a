// The suite's workloads in Go, the native reference (run with GOMAXPROCS=1).
// Usage: bench <workload> <rounds> <depth> <spawns> <primes> <fib>
// Prints "<ns per operation> <answer>", like the quickgo guest programs.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func pong(a, b chan int, n int) {
	for i := 0; i < n; i++ {
		b <- (<-a) + 1
	}
}

func at(d int, a, b chan int, n int) int {
	if d > 0 {
		return at(d-1, a, b, n)
	}
	v := 0
	for i := 0; i < n; i++ {
		a <- v
		v = <-b
	}
	return v
}

func generate(ch chan int) {
	for i := 2; ; i++ {
		ch <- i
	}
}

func filter(src, dst chan int, prime int) {
	for {
		i := <-src
		if i%prime != 0 {
			dst <- i
		}
	}
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	arg := func(i int) int { v, _ := strconv.Atoi(os.Args[i]); return v }
	rounds, depth, spawns, primes, fibN := arg(2), arg(3), arg(4), arg(5), arg(6)
	t0 := time.Now()
	ns := func(ops int) float64 { return float64(time.Since(t0).Nanoseconds()) / float64(ops) }
	switch os.Args[1] {
	case "pingpong", "depth":
		a, b := make(chan int), make(chan int)
		go pong(a, b, rounds)
		t0 = time.Now()
		v := at(depth, a, b, rounds)
		fmt.Println(ns(2*rounds), v)
	case "spawn":
		done := make(chan int)
		n := 0
		for i := 0; i < spawns; i++ {
			go func(i int) { done <- i }(i)
			<-done
			n++
		}
		fmt.Println(ns(spawns), n)
	case "sieve":
		ch := make(chan int)
		go generate(ch)
		prime := 0
		for i := 0; i < primes; i++ {
			prime = <-ch
			next := make(chan int)
			go filter(ch, next, prime)
			ch = next
		}
		fmt.Println(ns(1), prime)
	case "fib":
		r := fib(fibN) // before ns(1): Println's arguments are evaluated left to right
		fmt.Println(ns(1), r)
	}
}
