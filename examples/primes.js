// The concurrent prime sieve (from Go's documentation): a goroutine per prime,
// each filtering multiples of its prime out of the stream.
// Usage: quickgo run examples/primes.js [N]   (prints the first N primes, default 100)
function generate(ch) {
  for (let i = 2; ; i++) ch.send(i);
}

function filter(src, dst, prime) {
  for (;;) {
    const i = src.recv();
    if (i % prime !== 0) dst.send(i);
  }
}

function main() {
  const n = Number(args[0] ?? 100);
  let ch = chan();
  go(generate, ch);
  const primes = [];
  for (let i = 0; i < n; i++) {
    const prime = ch.recv();
    primes.push(prime);
    const next = chan();
    go(filter, ch, next, prime);
    ch = next;
  }
  println(primes.join(" "));
}
