// Reading a process's exec state from /proc: the masks, the limits table, fdinfo's flags, and the
// whole of it for a process whose state we set.
import { closeSync, openSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { native } from '../../../../src/native/index.js';
import { fdinfoFlags, inheritableFds, maskSignals, parseLimits, readProcState } from '../../../../src/lib/proc/state.js';

const INF = 2n ** 64n - 1n;

describe('maskSignals', () => {
  test.each<[string, number[]]>([
    ['0000000000000000', []],
    ['0000000000000001', [1]],
    ['0000000000004002', [2, 15]],
    ['8000000000000000', [64]],
  ])('%s', (hex, signals) => expect(maskSignals(hex)).toEqual(signals));
});

test('parseLimits reads each line as the resource of its position', () => {
  const text = [
    'Limit                     Soft Limit           Hard Limit           Units     ',
    'Max cpu time              unlimited            unlimited            seconds   ',
    'Max file size             1024                 unlimited            bytes     ',
    'Max data size             5                    6                    bytes     ',
    'Max nice priority         0                    0                    ',
    '',
  ].join('\n');
  expect([...parseLimits(text, INF)]).toEqual([
    [0, [INF, INF]],
    [1, [1024n, INF]],
    [2, [5n, 6n]],
    [3, [0n, 0n]],
  ]);
});

test.each<[string, number]>([
  ['pos:\t0\nflags:\t02100002\nmnt_id:\t24\n', 0o2100002],
  ['pos:\t0\nflags:\t0100000\n', 0o100000],
])('fdinfo flags %#', (text, flags) => expect(fdinfoFlags(text)).toBe(flags));

describe.skipIf(process.platform !== 'linux')('a real process', () => {
  const n = native();
  test('what a child was started with is what /proc shows of it', () => {
    const [r, w] = n.pipe();
    const { pid } = n.spawn('/bin/sleep', ['sleep', '30'], [], {
      ignore: [1],
      mask: [10, 12],
      rlimits: [[n.constants.RLIMIT.NOFILE!, 50n, 60n]],
      fds: [['dup2', r, 7], ['close', 0]],
    });
    try {
      const state = readProcState(pid, n.constants);
      expect(state.ignored).toEqual([1]);
      expect(state.blocked).toEqual([10, 12]);
      expect(state.rlimits.get(n.constants.RLIMIT.NOFILE!)).toEqual([50n, 60n]);
      expect(state.fds.find((f) => f.fd === 7)).toEqual({ fd: 7, cloexec: false });
      expect(state.fds.some((f) => f.fd === 0)).toBe(false);
    } finally {
      process.kill(pid, 'SIGKILL');
      n.waitpid(pid, 0);
      n.close(r);
      n.close(w);
    }
  });

  test('inheritableFds: ours without FD_CLOEXEC, not those with it', () => {
    const fd = openSync('/dev/null', 'r'); // Node opens close-on-exec
    try {
      expect(inheritableFds(n)).not.toContain(fd);
      n.fcntl(fd, n.constants.F_SETFD, 0);
      expect(inheritableFds(n)).toContain(fd);
    } finally {
      closeSync(fd);
    }
  });
});
