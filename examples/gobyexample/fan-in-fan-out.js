// Fan-out, fan-in: several goroutines read from one channel (fan-out) and a
// merge stage combines their outputs into one (fan-in). (go.dev/blog/pipelines)
function gen(...nums) {
  const out = chan(nums.length);
  for (const n of nums) out.send(n);
  out.close();
  return out;
}

function sq(inp) {
  const out = chan();
  go(() => {
    for (const n of inp) out.send(n * n);
    out.close();
  });
  return out;
}

function merge(...cs) {
  const wg = new sync.WaitGroup();
  const out = chan();
  for (const c of cs) {
    wg.go(() => {
      for (const n of c) out.send(n);
    });
  }
  go(() => {
    wg.wait();
    out.close();
  });
  return out;
}

function main() {
  const inp = gen(1, 2, 3, 4, 5, 6);
  // Distribute the work across two goroutines that both read from inp.
  const c1 = sq(inp);
  const c2 = sq(inp);
  // Consume the merged output; which worker squared what varies, the set does not.
  const results = [...merge(c1, c2)];
  println(results.sort((a, b) => a - b).join(" "));
}
