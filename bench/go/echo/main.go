// Echo server for bench/echo.ts: a goroutine per connection, as in
// examples/echo.js. Run with GOMAXPROCS=1 (one core, like quickgo and Node).
// Prints "addr <address>" once listening.
package main

import (
	"fmt"
	"net"
	"os"
)

func handle(c net.Conn) {
	defer c.Close()
	buf := make([]byte, 65536)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("addr", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go handle(c)
	}
}
