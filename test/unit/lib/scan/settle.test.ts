// What svscan gives back after a burst of starts: which mappings of smaps are clean file pages, what
// giveBack asks of the addon, and the debounce that runs it once the burst is over.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { droppableRanges, giveBack, Settle, SETTLE_MS } from '../../../../src/lib/scan/settle.js';

/** One smaps entry: header line plus the fields droppableRanges reads. */
function entry(range: string, perms: string, path: string, fields: Record<string, number>): string {
  const body = Object.entries(fields).map(([k, v]) => `${k}:${' '.repeat(16 - k.length)}${v} kB`);
  return [`${range} ${perms} 00000000 08:01 1234${path ? `                       ${path}` : ''}`, ...body].join('\n');
}

const CLEAN = { Rss: 20, Pss: 10, Anonymous: 0 };

describe('droppableRanges', () => {
  test.each([
    ['program text', '00400000-00800000', 'r-xp', '/usr/bin/node', CLEAN, true],
    ['read-only data', '00800000-00900000', 'r--p', '/usr/bin/node', CLEAN, true],
    ['a library of a deleted file', '7f0000000000-7f0000010000', 'r-xp', '/usr/lib/libc.so.6 (deleted)', CLEAN, true],
    ['relocated data (pages copied on write)', '00900000-00910000', 'r--p', '/usr/bin/node', { Rss: 20, Anonymous: 8 }, false],
    ['writable data', '00910000-00920000', 'rw-p', '/usr/bin/node', CLEAN, false],
    ['a shared mapping', '7f0000020000-7f0000030000', 'r--s', '/dev/shm/x', CLEAN, false],
    ['nothing resident', '7f0000030000-7f0000040000', 'r--p', '/usr/lib/libm.so.6', { Rss: 0, Anonymous: 0 }, false],
    ['no Anonymous field (unknown: kept)', '7f0000040000-7f0000050000', 'r--p', '/usr/lib/libm.so.6', { Rss: 20 }, false],
    ['the malloc heap', '01000000-02000000', 'rw-p', '[heap]', CLEAN, false],
    ['the vdso', '7ffd00000000-7ffd00002000', 'r-xp', '[vdso]', CLEAN, false],
    ['anonymous memory', '7f0000050000-7f0000060000', 'r--p', '', CLEAN, false],
  ])('%s', (_what, range, perms, path, fields, dropped) => {
    const [from, to] = range.split('-').map((h) => parseInt(h, 16)) as [number, number];
    const text = [entry('00001000-00002000', 'rw-p', '', CLEAN), entry(range, perms, path, fields), entry('00003000-00004000', 'rw-p', '', CLEAN)].join('\n');
    expect(droppableRanges(text)).toEqual(dropped ? [{ start: from, length: to - from }] : []);
  });

  test('the text read is not kept alive by the last match (RegExp.input, a slice of all of it)', () => {
    const text = [entry('00400000-00800000', 'r-xp', '/usr/bin/node', CLEAN), 'VmFlags: rd ex mr mw me'].join('\n');
    droppableRanges(text);
    expect(RegExp.input).toBe('');
  });

  test('this process: the node binary has something to drop, and nothing writable is in the list', () => {
    const smaps = readFileSync('/proc/self/smaps', 'latin1');
    const ranges = droppableRanges(smaps);
    expect(ranges.length).toBeGreaterThan(0);
    const writable = new Set(
      [...smaps.matchAll(/^([0-9a-f]+)-[0-9a-f]+ (\S+)/gm)].filter((m) => m[2]!.includes('w')).map((m) => parseInt(m[1]!, 16)),
    );
    for (const r of ranges) expect(writable.has(r.start)).toBe(false);
  });
});

describe('giveBack', () => {
  const smaps = [entry('00400000-00800000', 'r-xp', '/usr/bin/node', CLEAN), entry('00800000-00810000', 'r--p', '/usr/bin/node', { Rss: 4, Anonymous: 4 })].join('\n');

  test('trims malloc and drops each clean file mapping with MADV_DONTNEED', () => {
    const calls: unknown[] = [];
    giveBack({ mallocTrim: () => (calls.push('trim'), true), madvise: (...args) => void calls.push(args) }, () => smaps);
    expect(calls).toEqual([[0x400000, 0x400000, 4], 'trim']);
  });

  test('with --expose-gc, the garbage is collected after the file pages are dropped, malloc trimmed, and what the collection paged in dropped again (smaps read once)', () => {
    const calls: unknown[] = [];
    const read = vi.fn(() => smaps);
    giveBack({ mallocTrim: () => (calls.push('trim'), true), madvise: () => void calls.push('madvise') }, read, () => void calls.push('gc'));
    expect(calls).toEqual(['madvise', 'gc', 'trim', 'madvise']);
    expect(read).toHaveBeenCalledOnce();
  });

  test('an addon without madvise: malloc is trimmed and smaps not read', () => {
    const read = vi.fn(() => smaps);
    const trim = vi.fn(() => false);
    giveBack({ mallocTrim: trim }, read);
    expect(trim).toHaveBeenCalledOnce();
    expect(read).not.toHaveBeenCalled();
  });

  test('a failing madvise or an unreadable smaps is no error', () => {
    const madvise = vi.fn(() => {
      throw Object.assign(new Error('EINVAL'), { code: 'EINVAL' });
    });
    expect(() => giveBack({ mallocTrim: () => true, madvise }, () => smaps)).not.toThrow();
    expect(madvise).toHaveBeenCalledOnce();
    expect(() =>
      giveBack({ mallocTrim: () => true, madvise }, () => {
        throw new Error('ENOENT');
      }),
    ).not.toThrow();
  });
});

describe('Settle', () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  test('acts once, SETTLE_MS after the last of a burst of pokes', () => {
    const action = vi.fn();
    const settle = new Settle(action);
    for (let i = 0; i < 5; i++) {
      settle.poke();
      vi.advanceTimersByTime(SETTLE_MS - 1);
    }
    expect(action).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(action).toHaveBeenCalledOnce();
    vi.advanceTimersByTime(10 * SETTLE_MS);
    expect(action).toHaveBeenCalledOnce();
  });

  test('a later burst acts again; close cancels a pending one', () => {
    const action = vi.fn();
    const settle = new Settle(action, 100);
    settle.poke();
    vi.advanceTimersByTime(100);
    settle.poke();
    vi.advanceTimersByTime(100);
    expect(action).toHaveBeenCalledTimes(2);
    settle.poke();
    settle.close();
    vi.advanceTimersByTime(1000);
    expect(action).toHaveBeenCalledTimes(2);
  });
});
