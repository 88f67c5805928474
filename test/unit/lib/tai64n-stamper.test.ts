import { expect, test } from 'vitest';
import { LineStamper } from '../../../src/lib/tai64n-stamper.js';
import type { Clock } from '../../../src/lib/tai64n.js';

/** A clock that moves one microsecond each time it is read, from 1000000000 s. */
class TickingClock implements Clock {
  reads = 0;
  nowMicros(): number {
    return 1_000_000_000_000_000 + this.reads++;
  }
}

/** Stamp number n from the ticking clock: second 1000000000, usec n. */
const stamp = (n: number): string => `@400000003b9aca0a${(n * 1000 + 500).toString(16).padStart(8, '0')} `;

const collect =
  (out: Buffer[]) =>
  (b: Buffer, offset: number, n: number): void => {
    out.push(Buffer.from(b.subarray(offset, offset + n)));
  };

function run(chunks: readonly string[], outputSize?: number): { text: string; writes: number; clock: TickingClock } {
  const clock = new TickingClock();
  const out: Buffer[] = [];
  const stamper = new LineStamper(clock, collect(out), 1 << 16, outputSize);
  for (const c of chunks) {
    const input = Buffer.from(c, 'latin1');
    stamper.push(input, input.length);
  }
  return { text: Buffer.concat(out).toString('latin1'), writes: out.length, clock };
}

test.each<[string, string[], string]>([
  ['nothing', [], ''],
  ['one line', ['a\n'], `${stamp(0)}a\n`],
  ['a last line without newline is stamped as it is', ['a\nb'], `${stamp(0)}a\n${stamp(0)}b`],
  ['empty lines', ['\n\n'], `${stamp(0)}\n${stamp(0)}\n`],
  ['a line split across reads keeps its first stamp', ['ab', 'c\nd\n'], `${stamp(0)}abc\n${stamp(1)}d\n`],
  ['a read ending in a newline: the next line is stamped when it comes', ['a\n', 'b\n'], `${stamp(0)}a\n${stamp(1)}b\n`],
  ['bytes pass as they are', ['\x00\xff\r\t\n'], `${stamp(0)}\x00\xff\r\t\n`],
])('%s', (_name, chunks, expected) => {
  expect(run(chunks).text).toBe(expected);
});

test('the clock is read once for each chunk that starts a line, whatever its number of lines', () => {
  const { text, clock } = run(['x\n'.repeat(70), 'y\n', 'z', 'z\n', 'w\n']);
  const lines = text.split('\n').slice(0, -1);
  expect(lines.slice(0, 70).every((l) => l === `${stamp(0)}x`)).toBe(true);
  expect(lines.slice(70)).toEqual([`${stamp(1)}y`, `${stamp(2)}zz`, `${stamp(3)}w`]);
  expect(clock.reads).toBe(4);
});

test('the second is rewritten when it changes', () => {
  let micros = 1_999_999;
  const out: Buffer[] = [];
  const stamper = new LineStamper({ nowMicros: () => micros++ }, collect(out));
  stamper.push(Buffer.from('a\n'), 2);
  stamper.push(Buffer.from('b\n'), 2);
  expect(Buffer.concat(out).toString()).toBe('@400000000000000b3b9ac80c a\n@400000000000000c000001f4 b\n');
});

test('output larger than the buffer is written in pieces, nothing lost', () => {
  const long = 'z'.repeat(5000);
  const input = [`${long}\n${long}\nshort\n`];
  const { text, writes } = run(input, 1024);
  expect(text).toBe(`${stamp(0)}${long}\n${stamp(0)}${long}\n${stamp(0)}short\n`);
  expect(writes).toBeGreaterThan(2);
});

test('input longer than the input area is taken in pieces, the line kept whole', () => {
  const out: Buffer[] = [];
  const stamper = new LineStamper(new TickingClock(), collect(out), 4, 64);
  stamper.push(Buffer.from('abcdefghij\nkl\n'), 14);
  expect(Buffer.concat(out).toString()).toBe(`${stamp(0)}abcdefghij\n${stamp(1)}kl\n`);
});

test('read straight into the input area', () => {
  const out: Buffer[] = [];
  const stamper = new LineStamper(new TickingClock(), collect(out));
  stamper.buffer.write('xy\nz', stamper.inputOffset, 'latin1');
  stamper.stampInput(4);
  expect(Buffer.concat(out).toString()).toBe(`${stamp(0)}xy\n${stamp(0)}z`);
});

test('only the first `length` bytes of the input buffer count', () => {
  const out: Buffer[] = [];
  const stamper = new LineStamper(new TickingClock(), collect(out));
  stamper.push(Buffer.from('ab\ncd\n'), 4);
  expect(Buffer.concat(out).toString()).toBe(`${stamp(0)}ab\n${stamp(0)}c`);
});

/** What the stamper must write, line by line: the clock read at a chunk's first line start. */
function reference(chunks: readonly Buffer[]): string {
  let reads = 0;
  let atStart = true;
  let out = '';
  let current = '';
  for (const chunk of chunks) {
    let stamped = false;
    for (const byte of chunk) {
      if (atStart) {
        if (!stamped) current = stamp(reads++);
        stamped = true;
        out += current;
        atStart = false;
      }
      out += String.fromCharCode(byte);
      if (byte === 0x0a) atStart = true;
    }
  }
  return out;
}

test.each([1, 2, 3, 4, 5, 6])('random lines and reads (seed %i): the bytes a line-by-line stamper writes', (seed) => {
  let x = seed * 2654435761;
  const r = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const bytes: number[] = [];
  while (bytes.length < 40000) {
    const len = r(4) === 0 ? r(4) : r(3) === 0 ? r(3000) : r(100);
    for (let k = 0; k < len; k++) bytes.push(r(8) === 0 ? 0x0a ^ (1 << r(8)) : r(256) === 0x0a ? 0x0b : r(256));
    bytes.push(0x0a);
  }
  const all = Buffer.from(bytes);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; ) {
    const n = 1 + r(seed % 2 ? 7 : 5000);
    chunks.push(all.subarray(at, at + n));
    at += n;
  }
  const clock = new TickingClock();
  const out: Buffer[] = [];
  const stamper = new LineStamper(clock, collect(out), 1 << 12, seed % 3 === 0 ? 100 : 1 << 13);
  for (const c of chunks) stamper.push(c, c.length);
  // push takes a chunk longer than the input area in pieces, each a read of its own
  const reads = chunks.flatMap((c) => Array.from({ length: Math.ceil(c.length / 4096) }, (_, k) => c.subarray(k * 4096, (k + 1) * 4096)));
  expect(Buffer.concat(out).toString('latin1')).toBe(reference(reads));
});
