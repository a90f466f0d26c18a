// The suite's workloads in Go, the native reference (run with GOMAXPROCS=1).
// Usage: bench <workload> <rounds> <depth> <spawns> <primes> <fib> <ring> <hops>
// Prints "<ns per operation> <answer>", like the quickgo guest programs.
// "bench parked <n>" parks n goroutines and prints
// "<rss before> <rss after> <heap before> <heap after> <parked>" in bytes.
package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
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

func member(inbox, next, done chan int, hops int, wg *sync.WaitGroup) {
	wg.Done()
	for {
		v := <-inbox
		if v == hops {
			done <- v
			return
		}
		next <- v + 1
	}
}

// memory returns the resident set size (from /proc, as the Node models read
// theirs) and the heap and goroutine stacks in use, after a collection.
func memory() (rss, heap uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	var size, resident uint64
	if f, err := os.Open("/proc/self/statm"); err == nil {
		fmt.Fscan(f, &size, &resident)
		f.Close()
	}
	return resident * uint64(os.Getpagesize()), m.HeapInuse + m.StackInuse
}

func parked(n int) {
	rss0, heap0 := memory()
	ch := make(chan int)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := 0; i < n; i++ {
		go func() { wg.Done(); <-ch }()
	}
	wg.Wait()
	time.Sleep(10 * time.Millisecond) // the last one reaches its receive
	rss1, heap1 := memory()
	fmt.Println(rss0, rss1, heap0, heap1, runtime.NumGoroutine()-1)
}

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	arg := func(i int) int { v, _ := strconv.Atoi(os.Args[i]); return v }
	if os.Args[1] == "parked" {
		parked(arg(2))
		return
	}
	rounds, depth, spawns, primes, fibN, ring, hops := arg(2), arg(3), arg(4), arg(5), arg(6), arg(7), arg(8)
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
	case "ring":
		ch := make([]chan int, ring)
		for i := range ch {
			ch[i] = make(chan int)
		}
		done := make(chan int)
		var wg sync.WaitGroup
		wg.Add(ring)
		for i := range ch {
			go member(ch[i], ch[(i+1)%ring], done, hops, &wg)
		}
		wg.Wait() // every member has started; with one P each parks in its receive before main runs again
		t0 = time.Now()
		ch[0] <- 0
		v := <-done
		fmt.Println(ns(hops), v)
	case "fib":
		r := fib(fibN) // before ns(1): Println's arguments are evaluated left to right
		fmt.Println(ns(1), r)
	}
}
