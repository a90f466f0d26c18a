// Stackful goroutines block anywhere: inside callbacks of built-ins, getters,
// sort comparators and deep recursion. None of this can be written with
// async/await: forEach, sort and getters do not await their callbacks, so an
// `await` inside them would need every caller up the stack rewritten as async.
function numbers(ch) {
  for (let i = 1; ; i++) ch.send(i);
}

function depth(n, ch) {
  // 200 frames of ordinary recursion, then block at the bottom.
  return n === 0 ? ch.recv() : depth(n - 1, ch);
}

function main() {
  const ch = chan();
  go(numbers, ch);

  let sum = 0;
  [10, 20, 30].forEach((w) => {
    sum += w * ch.recv(); // blocks inside Array.prototype.forEach
  });
  println("forEach:", sum);

  const lazy = {
    get next() {
      return ch.recv(); // blocks inside a getter
    },
  };
  println("getter:", lazy.next, lazy.next);

  const words = ["pear", "fig", "apple", "kiwi"];
  let comparisons = 0;
  words.sort((a, b) => {
    ch.recv(); // blocks inside the sort comparator
    comparisons++;
    return a.localeCompare(b);
  });
  println("sorted:", words.join(" "), comparisons > 0 ? "(comparator blocked each time)" : "");

  println("depth 200:", depth(200, ch));
}
