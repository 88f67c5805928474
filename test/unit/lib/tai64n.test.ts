import { expect, test } from 'vitest';
import {
  formatStamp,
  parseStamp,
  stampFromMicros,
  stampToUnix,
  taiFromUnix,
  TAI64_UNIX_EPOCH,
  WallClock,
  writeHex32,
} from '../../../src/lib/tai64n.js';

test.each<[string, number | bigint, bigint]>([
  ['the epoch is 2^62 + 10', 0, 0x400000000000000an],
  ['a second before it', -1, 0x4000000000000009n],
  ['2001-09-09 01:46:40 UTC', 1000000000, 0x400000003b9aca0an],
  ['past 2106 (more than 32 bits)', 2n ** 32n, 0x400000010000000an],
  ['wraps to 64 bits like the C arithmetic', -(2n ** 63n), BigInt.asUintN(64, TAI64_UNIX_EPOCH - 2n ** 63n)],
])('taiFromUnix: %s', (_name, unix, label) => {
  expect(taiFromUnix(unix)).toBe(label);
});

test.each<[string, { seconds: bigint; nanoseconds: number }, string]>([
  ['epoch', { seconds: 0x400000000000000an, nanoseconds: 0 }, '@400000000000000a00000000'],
  ['nanoseconds are 8 digits', { seconds: 0x400000003b9aca0an, nanoseconds: 500 }, '@400000003b9aca0a000001f4'],
  ['largest nanosecond field', { seconds: 1n, nanoseconds: 0xffffffff }, '@0000000000000001ffffffff'],
])('formatStamp: %s', (_name, stamp, text) => {
  expect(formatStamp(stamp)).toBe(text);
  expect(parseStamp(text)).toEqual(stamp);
});

test.each<[string, string]>([
  ['too short', '@400000000000000a0000000'],
  ['too long', '@400000000000000a000000000'],
  ['no @', '400000000000000a00000000x'],
  ['not hex', '@400000000000000a0000000g'],
  ['empty', ''],
])('parseStamp rejects %s', (_name, text) => {
  expect(parseStamp(text)).toBeNull();
});

test('parseStamp takes upper-case hex too', () => {
  expect(parseStamp('@400000003B9ACA0A000001F4')).toEqual({ seconds: 0x400000003b9aca0an, nanoseconds: 500 });
});

test.each<[number, bigint, number]>([
  // taia_now: nanoseconds = usec * 1000 + 500
  [0, 0x400000000000000an, 500],
  [1_000_000_999_999, 0x40000000000f424an, 999_999_500],
  [-1, 0x4000000000000009n, 999_999_500],
])('stampFromMicros(%d)', (micros, seconds, nanoseconds) => {
  expect(stampFromMicros(micros)).toEqual({ seconds, nanoseconds });
});

test('stampToUnix undoes taiFromUnix', () => {
  expect(stampToUnix({ seconds: taiFromUnix(1234567890), nanoseconds: 7 })).toEqual({ seconds: 1234567890n, nanoseconds: 7 });
});

test.each<[number, string]>([
  [0, '00000000'],
  [0xdeadbeef, 'deadbeef'],
  [0x1f4, '000001f4'],
])('writeHex32(%d)', (value, hex) => {
  const out = Buffer.alloc(10, 0x2d);
  writeHex32(out, 1, value);
  expect(out.toString('latin1')).toBe(`-${hex}-`);
});

test('the wall clock agrees with Date.now() and checks itself', () => {
  const clock = new WallClock();
  const before = Date.now() * 1000;
  clock.check();
  const now = clock.nowMicros();
  const after = (Date.now() + 1) * 1000;
  expect(now).toBeGreaterThanOrEqual(before);
  expect(now).toBeLessThan(after);
  expect(Number.isInteger(now)).toBe(true);
});
