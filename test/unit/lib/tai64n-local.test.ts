import { expect, test } from 'vitest';
import { C_BUFFER_SIZE, LocalStamper } from '../../../src/lib/tai64n-local.js';
import { LocalTime, loadZone } from '../../../src/lib/tz/localtime.js';

/** UTC without zoneinfo files: "Universal" read as a rule string. */
const utc = (): LocalTime => new LocalTime(loadZone('', { TZDIR: '/nonexistent' }));

function run(chunks: readonly string[], chunkSize = 1 << 16): { text: string; crashed: boolean } {
  const out: Buffer[] = [];
  const stamper = new LocalStamper(utc(), (b, n) => out.push(Buffer.from(b.subarray(0, n))), chunkSize);
  for (const c of chunks) {
    const input = Buffer.from(c, 'latin1');
    stamper.push(input, input.length);
    if (stamper.crashed) break;
  }
  return { text: Buffer.concat(out).toString('latin1'), crashed: stamper.crashed };
}

const BILLION = '@400000003b9aca0a'; // 2001-09-09 01:46:40 UTC

test.each<[string, string, string]>([
  ['plain text passes', 'hello\nworld', 'hello\nworld'],
  ['a label at the line start', `${BILLION}00000000 x\n`, '2001-09-09 01:46:40.000000000 x\n'],
  ['nanoseconds print in at least 9 digits', `${BILLION}ffffffff\n`, '2001-09-09 01:46:40.4294967295\n'],
  ['the character ending the label stays', `${BILLION}00000005;x\n`, '2001-09-09 01:46:40.000000005;x\n'],
  ['a label ended by the newline', `${BILLION}00000001\nz\n`, '2001-09-09 01:46:40.000000001\nz\n'],
  ['only at the start of a line', `x${BILLION}00000000\n`, `x${BILLION}00000000\n`],
  ['only the first label of a line', `${BILLION}00000000 ${BILLION}00000000\n`, `2001-09-09 01:46:40.000000000 ${BILLION}00000000\n`],
  ['more digits shift through: the last 8 are the nanoseconds', `@0${BILLION.slice(1)}00000003\n`, '2001-09-09 01:46:40.000000003\n'],
  ['a label cut off by the end of input is dropped', `a\n${BILLION}0000`, 'a\n'],
  ['a lone @ at the end is dropped', 'a\n@', 'a\n'],
  ['before the epoch', '@4000000000000009000003e8\n', '1969-12-31 23:59:59.000001000\n'],
  ['beyond 32-bit seconds', '@40000001000000000000000a\n', '2106-02-07 06:28:06.000000010\n'],
])('%s', (_name, input, expected) => {
  expect(run([input])).toEqual({ text: expected, crashed: false });
});

test('the same output however the input is split', () => {
  const input = `${BILLION}00000000 a\nplain\n@400000004000000000000001 b\nx${BILLION}00000000\n`;
  const whole = run([input]).text;
  for (let size = 1; size < 30; size++) {
    const chunks = [];
    for (let i = 0; i < input.length; i += size) chunks.push(input.slice(i, i + size));
    expect(run(chunks).text).toBe(whole);
  }
});

test('input longer than a chunk is taken in C-sized reads all the same', () => {
  const input = `${BILLION}00000000 a\n`.repeat(2000);
  expect(run([input], 8192 * 2)).toEqual(run([input]));
  expect(run([`${input}@x\n`], 8192 * 2)).toEqual(run([`${input}@x\n`]));
});

test.each<[string, string[], string]>([
  // localtime() fails (year outside an int): C dies, having written only what it flushed.
  ['nothing flushed within one read', ['line\n@0\nafter\n'], ''],
  ['flushed before the read that brought the label', ['line\n', '@0\nafter\n'], 'line\n'],
  ['upper-case hex ends the label early', [`${BILLION.toUpperCase()}00000000\n`], ''],
  ['a full output buffer was flushed', ['y'.repeat(C_BUFFER_SIZE + 10) + '\n@x\n'], 'y'.repeat(C_BUFFER_SIZE)],
])('crash: %s', (_name, chunks, flushed) => {
  expect(run(chunks)).toEqual({ text: flushed, crashed: true });
});

test('crash: C flushes when a date piece does not fit its buffer', () => {
  // 300 labels in one read: 30 bytes out each. After 273 (8190 bytes) the 4-digit year does not
  // fit, so those 273 lines were flushed when the crash comes (as C's output shows).
  const line = `${BILLION}00000000\n`;
  const { text, crashed } = run([`${line.repeat(300)}@x\n`]);
  expect(crashed).toBe(true);
  expect(text).toBe('2001-09-09 01:46:40.000000000\n'.repeat(273));
});
