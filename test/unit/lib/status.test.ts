import { describe, expect, test } from 'vitest';
import {
  decodeStatus,
  encodeStatus,
  secondsSince,
  stampNow,
  STATUS_SIZE,
  TAI_EPOCH,
  taiNow,
  type Status,
} from '../../../src/lib/status.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('encodeStatus', () => {
  test.each<[string, Status, string]>([
    [
      'up, wanted up',
      { stamp: { seconds: TAI_EPOCH + 1700000000n, nanoseconds: 123456500 }, pid: 0x01020304, paused: false, want: 'up' },
      '400000006553f10a' + '075bcbf4' + '04030201' + '00' + '75',
    ],
    [
      'paused, wanted down',
      { stamp: { seconds: TAI_EPOCH, nanoseconds: 500 }, pid: 77, paused: true, want: 'down' },
      '400000000000000a' + '000001f4' + '4d000000' + '01' + '64',
    ],
    [
      'down after svc -o: want is a NUL byte',
      { stamp: { seconds: TAI_EPOCH + 5n, nanoseconds: 0 }, pid: 0, paused: false, want: 'none' },
      '400000000000000f' + '00000000' + '00000000' + '00' + '00',
    ],
    [
      'a pause is not recorded without a process',
      { stamp: { seconds: TAI_EPOCH, nanoseconds: 0 }, pid: 0, paused: true, want: 'up' },
      '400000000000000a' + '00000000' + '00000000' + '00' + '75',
    ],
    [
      'the largest pid fits in four bytes',
      { stamp: { seconds: TAI_EPOCH, nanoseconds: 999999500 }, pid: 0xfffffffe, paused: false, want: 'up' },
      '400000000000000a' + '3b9ac80c' + 'feffffff' + '00' + '75',
    ],
  ])('%s', (_name, status, bytes) => {
    const out = encodeStatus(status);
    expect(out.length).toBe(STATUS_SIZE);
    expect(hex(out)).toBe(bytes);
  });
});

describe('decodeStatus', () => {
  test.each<[string, string, Omit<Status, 'stamp'> | null]>([
    ['C supervise, up', '400000006553f10a075bcd140403020100' + '75', { pid: 0x01020304, paused: false, want: 'up' }],
    ['paused is any non-zero byte', '400000006553f10a075bcd140100000007' + '64', { pid: 1, paused: true, want: 'down' }],
    ['an unknown want byte is no want', '400000006553f10a075bcd140000000000' + '78', { pid: 0, paused: false, want: 'none' }],
    ['17 bytes are a bad format', '400000006553f10a075bcd14000000000075'.slice(0, 34), null],
    ['nothing at all', '', null],
  ])('%s', (_name, bytes, expected) => {
    const status = decodeStatus(Buffer.from(bytes, 'hex'));
    if (expected === null) expect(status).toBeNull();
    else expect(status).toMatchObject(expected);
  });

  test('reads only the first 18 bytes', () => {
    const status = encodeStatus({ stamp: { seconds: TAI_EPOCH + 9n, nanoseconds: 1 }, pid: 5, paused: true, want: 'down' });
    const longer = Buffer.concat([status, Buffer.from('trailing')]);
    expect(decodeStatus(longer)).toEqual({ stamp: { seconds: TAI_EPOCH + 9n, nanoseconds: 1 }, pid: 5, paused: true, want: 'down' });
  });

  test('round-trips through encodeStatus', () => {
    const status: Status = { stamp: stampNow(), pid: 4321, paused: true, want: 'down' };
    expect(decodeStatus(encodeStatus(status))).toEqual(status);
  });
});

describe('clocks', () => {
  test('stampNow counts whole microseconds plus 500ns, as taia_now does', () => {
    const { nanoseconds } = stampNow();
    expect(nanoseconds % 1000).toBe(500);
    expect(nanoseconds).toBeLessThan(1e9);
  });

  test('stampNow and taiNow are on the TAI64 scale of the Unix clock', () => {
    const unix = BigInt(Math.floor(Date.now() / 1000));
    expect(taiNow() - TAI_EPOCH - unix).toBeGreaterThanOrEqual(0n);
    expect(taiNow() - TAI_EPOCH - unix).toBeLessThanOrEqual(1n);
    expect(stampNow().seconds - TAI_EPOCH - unix).toBeLessThanOrEqual(1n);
  });
});

describe('secondsSince', () => {
  test.each<[string, bigint, bigint, bigint]>([
    ['a minute ago', TAI_EPOCH + 100n, TAI_EPOCH + 160n, 60n],
    ['now', TAI_EPOCH + 100n, TAI_EPOCH + 100n, 0n],
    ['in the future reads as 0', TAI_EPOCH + 200n, TAI_EPOCH + 100n, 0n],
    // A zero stamp: the difference goes through a double, which rounds to a multiple of 1024.
    ['a zero stamp rounds as C does', 0n, TAI_EPOCH + 1700000000n, 4611686020127387648n],
  ])('%s', (_name, since, now, seconds) => {
    expect(secondsSince(since, now)).toBe(seconds);
  });
});
