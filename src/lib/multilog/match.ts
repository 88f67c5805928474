// multilog's line patterns (djb's match): `*` matches any run of bytes up to the first occurrence
// of the pattern byte that follows it, or everything when it ends the pattern; all else is literal.

const STAR = 0x2a;

/** Whether `pattern` matches all of `line[start, start + length)`. */
export function match(pattern: Uint8Array, line: Uint8Array, length: number, start = 0): boolean {
  const end = pattern.length;
  let p = 0;
  let i = start;
  let left = length;
  for (;;) {
    if (p === end) return left === 0;
    const ch = pattern[p++];
    if (ch === STAR) {
      // The byte after the star is not consumed here: the loop matches it literally next.
      if (p === end) return true;
      const stop = pattern[p];
      for (;;) {
        if (left === 0) return false;
        if (line[i] === stop) break;
        i++;
        left--;
      }
      continue;
    }
    if (left === 0 || line[i] !== ch) return false;
    i++;
    left--;
  }
}
