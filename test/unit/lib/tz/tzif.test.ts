import { expect, test } from 'vitest';
import { parseTzif } from '../../../../src/lib/tz/tzif.js';

interface Body {
  times: bigint[];
  idx: number[];
  types: Array<[offset: number, isdst: number, abbr: number]>;
  chars: string;
  leaps: Array<[bigint, number]>;
  isstd: number[];
  isgmt: number[];
}

function header(version: string, b: Body): Buffer {
  const h = Buffer.alloc(44);
  h.write('TZif', 0, 'latin1');
  h.write(version, 4, 'latin1');
  [b.isgmt.length, b.isstd.length, b.leaps.length, b.times.length, b.types.length, b.chars.length].forEach((n, i) =>
    h.writeInt32BE(n, 20 + 4 * i),
  );
  return h;
}

function body(b: Body, width: 4 | 8): Buffer {
  const parts: Buffer[] = [];
  for (const t of b.times) {
    const x = Buffer.alloc(width);
    if (width === 8) x.writeBigInt64BE(t);
    else x.writeInt32BE(Number(BigInt.asIntN(32, t)));
    parts.push(x);
  }
  parts.push(Buffer.from(b.idx));
  for (const [off, dst, abbr] of b.types) {
    const x = Buffer.alloc(6);
    x.writeInt32BE(off);
    x[4] = dst;
    x[5] = abbr;
    parts.push(x);
  }
  parts.push(Buffer.from(b.chars, 'latin1'));
  for (const [t, c] of b.leaps) {
    const x = Buffer.alloc(width + 4);
    if (width === 8) x.writeBigInt64BE(t);
    else x.writeInt32BE(Number(BigInt.asIntN(32, t)));
    x.writeInt32BE(c, width);
    parts.push(x);
  }
  parts.push(Buffer.from(b.isstd), Buffer.from(b.isgmt));
  return Buffer.concat(parts);
}

const zone: Body = {
  times: [-100n, 5000000000n],
  idx: [1, 0],
  types: [
    [3600, 0, 0],
    [7200, 1, 4],
  ],
  chars: 'AAA\0BBB\0',
  leaps: [[78796800n, 1]],
  isstd: [0, 1],
  isgmt: [0, 1],
};

const v2 = (b: Body, footer: string): Buffer =>
  Buffer.concat([header('2', b), body(b, 4), header('2', b), body(b, 8), Buffer.from(footer, 'latin1')]);

test('version 2: the 64-bit body and the footer', () => {
  expect(parseTzif(v2(zone, '\nAAA-1\n'))).toEqual({
    transitions: [-100, 5000000000],
    typeIndex: [1, 0],
    types: [
      { offset: 3600, isdst: false, isstd: false, isgmt: false },
      { offset: 7200, isdst: true, isstd: true, isgmt: true },
    ],
    leaps: [{ transition: 78796800, change: 1 }],
    spec: 'AAA-1',
  });
});

test('version 1: 32-bit body, no footer', () => {
  const small = { ...zone, times: [-100n, 50000n] };
  const parsed = parseTzif(Buffer.concat([header('\0', small), body(small, 4)]));
  expect(parsed?.transitions).toEqual([-100, 50000]);
  expect(parsed?.spec).toBeNull();
});

test.each<[string, string]>([
  ['an empty footer', '\n\n'],
  ['a footer without its first newline', 'AAA-1\n'],
])('%s gives no rule string', (_name, footer) => {
  expect(parseTzif(v2(zone, footer))?.spec).toBeNull();
});

test.each<[string, Buffer]>([
  ['not TZif', Buffer.from('hello world, this is not a time zone file at all.....')],
  ['truncated', v2(zone, '\nAAA-1\n').subarray(0, 60)],
  ['no room for the footer newlines', v2(zone, '\n')],
  ['a transition to a type that does not exist', v2({ ...zone, idx: [1, 2] }, '\nX\n')],
  ['isdst not 0 or 1', v2({ ...zone, types: [[0, 2, 0], [0, 0, 0]] }, '\nX\n')],
  ['more isstd flags than types', v2({ ...zone, isstd: [0, 0, 0] }, '\nX\n')],
])('refuses %s, as glibc does', (_name, bytes) => {
  expect(parseTzif(bytes)).toBeNull();
});
