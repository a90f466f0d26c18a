// Pipelines: stages connected by channels, each a goroutine that receives,
// works and sends on; closing a channel ends the next stage's loop. (go.dev/blog/pipelines)
function gen(...nums) {
  const out = chan();
  go(() => {
    for (const n of nums) out.send(n);
    out.close();
  });
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

function main() {
  // Set up the pipeline and consume the output.
  for (const n of sq(sq(gen(2, 3)))) println(n); // 16 then 81
}
