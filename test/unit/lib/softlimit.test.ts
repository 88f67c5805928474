import { describe, expect, test } from 'vitest';
import { parseSoftlimitArgs, scanUlong, softLimit, validLimit } from '../../../src/lib/softlimit.js';

const INFINITY = (1n << 64n) - 1n;

describe('scanUlong', () => {
  test.each<[string, bigint, number]>([
    ['0', 0n, 1],
    ['123', 123n, 3],
    ['12x', 12n, 2],
    ['', 0n, 0],
    ['x', 0n, 0],
    ['18446744073709551615', INFINITY, 20],
    ['18446744073709551616', 0n, 20], // wraps like a 64-bit unsigned long
    ['36893488147419103233', 1n, 20],
  ])('%j', (text, value, length) => {
    expect(scanUlong(text)).toEqual({ value, length });
  });
});

describe('validLimit', () => {
  test.each([
    ['100', true],
    ['=', true],
    ['', true], // C's scan_ulong takes the empty word as 0
    ['==', false],
    ['10k', false],
    ['-1', false],
    [' 1', false],
    ['1 ', false],
  ])('%j -> %s', (arg, ok) => {
    expect(validLimit(arg)).toBe(ok);
  });
});

describe('softLimit', () => {
  test.each<[string, bigint, bigint]>([
    ['=', 4096n, 4096n],
    ['=', INFINITY, INFINITY],
    ['100', 4096n, 100n],
    ['5000', 4096n, 4096n], // clamped to the hard limit
    ['4096', 4096n, 4096n],
    ['', 4096n, 0n],
    ['18446744073709551615', INFINITY, INFINITY],
    ['99999999999999999999999', INFINITY, 99999999999999999999999n % (1n << 64n)],
  ])('%j with hard %s', (arg, hard, soft) => {
    expect(softLimit(arg, hard)).toBe(soft);
  });
});

describe('parseSoftlimitArgs', () => {
  test.each([
    [['softlimit', '-m', '1000', 'prog', 'a'], [{ resources: ['DATA', 'STACK', 'MEMLOCK', 'AS'], arg: '1000' }], ['prog', 'a']],
    [['softlimit', '-a', '1', '-c', '2', '-d3', 'prog'], [
      { resources: ['AS'], arg: '1' },
      { resources: ['CORE'], arg: '2' },
      { resources: ['DATA'], arg: '3' },
    ], ['prog']],
    [['softlimit', '-f=', '-l', '=', '-o', '9', '-p', '8', '-r', '7', '-s', '6', '-t', '5', 'x'], [
      { resources: ['FSIZE'], arg: '=' },
      { resources: ['MEMLOCK'], arg: '=' },
      { resources: ['NOFILE'], arg: '9' },
      { resources: ['NPROC'], arg: '8' },
      { resources: ['RSS'], arg: '7' },
      { resources: ['STACK'], arg: '6' },
      { resources: ['CPU'], arg: '5' },
    ], ['x']],
    [['softlimit', 'prog'], [], ['prog']],
    [['softlimit', '--', '-m'], [], ['-m']],
  ])('%j', (argv, settings, child) => {
    expect(parseSoftlimitArgs(argv)).toEqual({ kind: 'run', settings, child });
  });

  test.each([
    [['softlimit']],
    [['softlimit', '-m', '100']],
    [['softlimit', '-m', '1k', 'prog']],
    [['softlimit', '-m', '=1', 'prog']],
    [['softlimit', '-m', '1', '-m', 'x', 'prog']],
  ])('usage: %j', (argv) => {
    expect(parseSoftlimitArgs(argv)).toEqual({ kind: 'usage' });
  });

  test.each([
    [['softlimit', '-x', 'prog'], 'x', false],
    [['softlimit', '-m'], 'm', true],
    [['softlimit', '-m', '1', '-z', 'prog'], 'z', false],
  ])('getopt problem: %j', (argv, p, missingArgument) => {
    expect(parseSoftlimitArgs(argv)).toEqual({ kind: 'usage', problem: { kind: 'problem', problem: p, missingArgument } });
  });

  test('a bad number stops before a later unknown option (no getopt message)', () => {
    expect(parseSoftlimitArgs(['softlimit', '-m', 'x', '-y', 'p'])).toEqual({ kind: 'usage' });
  });
});
