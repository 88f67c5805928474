// A second svscan on a directory already supervised: each of its supervisors says what C's
// supervise says (the lock is taken) and it tries again on every scan; it takes over once the
// first one is gone.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const SLEEP = '#!/bin/sh\nexec sleep 1000\n';
const LOCKED = [
  'supervise: fatal: unable to acquire a/supervise/lock: temporary failure',
  'supervise: fatal: unable to acquire log/supervise/lock: temporary failure',
  'supervise: fatal: unable to acquire b/supervise/lock: temporary failure',
];

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

test('the second svscan reports the lock error for each service on each scan, and keeps running', async () => {
  box.service('a', SLEEP, { log: SLEEP });
  box.service('b', SLEEP);
  const dirs = ['svc/a', 'svc/a/log', 'svc/b'].map((d) => box.path(d));
  const first = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  const pids = await until('all up', () => (dirs.every((d) => box.pid(d) !== 0) ? dirs.map((d) => box.pid(d)) : undefined));

  const second = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  const lines = (): string[] => second.stderr.split('\n').filter((l) => l !== '');
  await until('two scans of complaints', () => lines().length >= 6, 20000, () => second.stderr);
  expect(lines().slice(0, 6)).toEqual([...LOCKED, ...LOCKED]);
  expect(second.hasExited).toBe(false);
  expect(dirs.map((d) => box.pid(d))).toEqual(pids);
  expect(first.stderr).toBe('');

  first.kill(); // svscan and its services
  await until('the second one supervising', () => dirs.every((d) => ![0, ...pids].includes(box.pid(d))), 20000, () => second.stderr);
});
