import { expect, test } from 'vitest';
import { raiseOpenFiles, type OpenFilesSyscalls } from '../../../../src/lib/scan/open-files.js';

const NOFILE = 7;

function world(euid: number, limits: [bigint, bigint], ceiling: bigint | null, refuse = false) {
  const calls: Array<[number, bigint, bigint]> = [];
  const sys: OpenFilesSyscalls = {
    geteuid: () => euid,
    getrlimit: () => limits,
    setrlimit(resource, cur, max) {
      if (refuse) throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
      calls.push([resource, cur, max]);
    },
    ceiling: () => ceiling,
  };
  return { sys, calls };
}

test.each([
  ['root below the ceiling: raised to it', 0, [4096n, 4096n], 1048576n, false, [1048576n, 1048576n], 1],
  ['root with a soft limit below its hard one: both to the ceiling', 0, [1024n, 4096n], 1048576n, false, [1048576n, 1048576n], 1],
  ['not root: left as it is', 1000, [4096n, 4096n], 1048576n, false, [4096n, 4096n], 0],
  ['root already at the ceiling: left', 0, [1048576n, 1048576n], 1048576n, false, [1048576n, 1048576n], 0],
  ['no ceiling known: left', 0, [4096n, 4096n], null, false, [4096n, 4096n], 0],
  ['root, but the kernel refuses: left', 0, [4096n, 4096n], 1048576n, true, [4096n, 4096n], 0],
] as const)('%s', (_name, euid, limits, ceiling, refuse, expected, setCalls) => {
  const { sys, calls } = world(euid, [...limits], ceiling, refuse);
  expect(raiseOpenFiles(sys, NOFILE)).toEqual(expected);
  expect(calls).toHaveLength(setCalls);
  if (setCalls > 0) expect(calls[0]).toEqual([NOFILE, ...expected]);
});
