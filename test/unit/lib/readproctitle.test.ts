import { expect, test } from 'vitest';
import { argumentLayout, TitleWindow } from '../../../src/lib/readproctitle.js';

/** readproctitle.c's loop, one byte at a time. */
function reference(length: number, input: Buffer): string {
  const buf = Buffer.alloc(length, '.');
  for (const ch of input) {
    if (ch === 0) continue;
    for (let i = 4; i < length; i++) buf[i - 1] = buf[i]!;
    buf[length - 1] = ch;
  }
  return buf.toString('latin1');
}

test.each<[string, number, string[], string]>([
  ['nothing read', 5, [], '.....'],
  ['fewer bytes than the window', 10, ['ab'], '........ab'],
  ['the first three dots stay', 6, ['abcdef'], '...def'],
  ['NULs are skipped', 8, ['a\0b\0\0c'], '.....abc'],
  ['newlines are kept', 8, ['x\ny\n'], '....x\ny\n'],
  ['in pieces', 7, ['ab', 'cd', 'e'], '...bcde'],
])('%s', (_name, length, pieces, expected) => {
  const w = new TitleWindow(length);
  for (const p of pieces) w.feed(Buffer.from(p, 'latin1'));
  expect(w.bytes.toString('latin1')).toBe(expected);
});

test('matches the byte-at-a-time loop for any split', () => {
  let seed = 1;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const length = 5 + rnd(20);
    const input = Buffer.from(Array.from({ length: rnd(60) }, () => (rnd(4) === 0 ? 0 : rnd(256))));
    const w = new TitleWindow(length);
    for (let at = 0; at < input.length; ) {
      const n = 1 + rnd(10);
      w.feed(input.subarray(at, at + n));
      at += n;
    }
    expect(w.bytes.toString('latin1')).toBe(reference(length, input));
  }
});

test('layout: the arguments NUL-terminated, the last one dots, where the window starts', () => {
  const { bytes, windowAt } = argumentLayout(['readproctitle', 'service', 'errors:', '.....'].map((s) => Buffer.from(s)));
  expect(bytes.toString('latin1')).toBe('readproctitle\0service\0errors:\0.....\0');
  expect(windowAt).toBe('readproctitle\0service\0errors:\0'.length);
});
