import { describe, expect, test } from 'vitest';
import { parseScript, scanUlong } from '../../../../src/lib/multilog/script.js';

describe('scanUlong (djb scan_ulong)', () => {
  test.each([
    ['', 0],
    ['abc', 0],
    ['4096', 4096],
    ['12x34', 12],
    ['007', 7],
    ['18446744073709551615', 18446744073709551615],
    // unsigned long wraps: 2^64 + 5000
    ['18446744073709556616', 5000],
  ])('%j -> %d', (text, value) => {
    expect(scanUlong(text)).toBe(value);
  });
});

describe('parseScript', () => {
  test('settings apply to the directories after them, and stay', () => {
    const s = parseScript(['s5000', './a', 'n3', '!gzip', './b', 's1', 'n1', '/c']);
    expect(s.dirs).toEqual([
      { path: './a', size: 5000, num: 10, processor: null },
      { path: './b', size: 5000, num: 3, processor: 'gzip' },
      { path: '/c', size: 4096, num: 2, processor: 'gzip' },
    ]);
  });

  test.each([
    ['s', 4096],
    ['s99999999', 16777215],
    ['s16777215', 16777215],
    ['s4095', 4096],
    ['sfoo', 4096],
    ['s18446744073709556616', 5000],
  ])('%s gives size %d', (arg, size) => {
    expect(parseScript([arg, './d']).dirs[0].size).toBe(size);
  });

  test('defaults: 99999 bytes, 10 files, no processor', () => {
    expect(parseScript(['./d']).dirs[0]).toEqual({ path: './d', size: 99999, num: 10, processor: null });
  });

  test('an empty processor is still a processor', () => {
    expect(parseScript(['!', './d']).dirs[0].processor).toBe('');
  });

  test.each([
    [['t'], true],
    [['tai'], true],
    [['e', 't'], false],
    [[], false],
    [[''], false],
  ])('timestamps for %j: %s', (args, on) => {
    expect(parseScript(args).timestamp).toBe(on);
  });

  test('actions keep their order; unknown arguments are ignored', () => {
    const s = parseScript(['t', 'x', '-*', '+a*', 'echo', '=st', '', './d', 'e']);
    expect(s.actions.map((a) => a.kind)).toEqual(['deselect', 'select', 'stderr', 'status', 'dir', 'stderr']);
    expect(s.inspectsLines).toBe(true);
  });

  test('only directories: lines need not be looked at', () => {
    expect(parseScript(['t', 's4096', './d', '/e']).inspectsLines).toBe(false);
  });
});
