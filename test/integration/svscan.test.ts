// Our svscan on a scan directory: which entries become services, what svstat reports, and a new
// service directory picked up by the directory watch alone (the fallback rescan is an hour away).
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { client, killAll, RunningSvscan, ScanBox, svstatShape, until } from './svscan-harness.js';

const SLEEP = '#!/bin/sh\nexec sleep 1000\n';
const NO_RESCAN = { SVSCAN_RESCAN_SECONDS: '3600' };

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

function svstat(...dirs: string[]): string[] {
  return svstatShape(client('ours', 'svstat', dirs, box.root).stdout);
}

test('every service directory gets a supervisor, a service with log/ gets two', async () => {
  box.service('a', SLEEP);
  box.service('b', SLEEP, { log: SLEEP });
  box.service('c', SLEEP, { down: true });
  const svscan = new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
  const dirs = ['svc/a', 'svc/b', 'svc/b/log', 'svc/c'];
  const expected = ['svc/a: up (pid N) S seconds', 'svc/b: up (pid N) S seconds', 'svc/b/log: up (pid N) S seconds', 'svc/c: down S seconds'];
  await until('all four supervised', () => svstat(...dirs).join('\n') === expected.join('\n'), 20000, () => `\n${svstat(...dirs).join('\n')}\n${svscan.stderr}`);
  expect(svscan.stderr).toBe('');
  expect(svscan.hasExited).toBe(false);
});

describe('entries that are not services', () => {
  test.each([
    ['a dot-directory', () => box.service('.hidden', SLEEP), 'svc/.hidden', 'svc/.hidden: unable to open supervise/ok: file does not exist'],
    // The alias reads a's status: one supervisor, found under both names.
    ['a symlink to a directory already served', () => symlinkSync('a', box.path('svc', 'alias')), 'svc/alias', 'svc/alias: up (pid N) S seconds'],
  ])('%s gets no supervisor of its own', async (_name, make, dir, expected) => {
    box.service('a', SLEEP);
    make();
    const svscan = new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
    await until('a up', () => box.pid(box.path('svc', 'a')) !== 0);
    // svscan reads the whole directory before it starts anything: the rest is decided.
    expect(svstat(dir)).toEqual([expected]);
    expect(svscan.stderr).toBe('');
  });

  test('a symlink to a directory elsewhere is a service', async () => {
    box.service('elsewhere', SLEEP, { where: 'outside' });
    symlinkSync('../outside/elsewhere', box.path('svc', 'linked'));
    new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
    await until('linked up', () => svstat('outside/elsewhere')[0] === 'outside/elsewhere: up (pid N) S seconds');
  });

  test('a dangling symlink is warned about as C svscan does', async () => {
    symlinkSync('nowhere', box.path('svc', 'dangling'));
    box.service('a', SLEEP);
    const svscan = new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
    await until('the warning', () => svscan.stderr.includes('\n') || undefined);
    expect(svscan.stderr.split('\n')[0]).toBe('svscan: warning: unable to stat dangling: file does not exist');
  });
});

test('a new service directory is picked up by the watch, with the rescan an hour away', async () => {
  box.service('a', SLEEP);
  const svscan = new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
  await until('a up', () => box.pid(box.path('svc', 'a')) !== 0);
  // The recommended way: build the directory elsewhere, then move it in.
  box.service('b', SLEEP, { log: SLEEP, where: 'staging' });
  renameSync(box.path('staging', 'b'), box.path('svc', 'b'));
  await until('b and b/log up', () => svstat('svc/b', 'svc/b/log').every((l) => / up \(pid N\)/.test(l)), 20000, () => svscan.stderr);
  // And a directory made in place, run written right after.
  mkdirSync(box.path('svc', 'c'));
  writeFileSync(box.path('svc', 'c', 'run'), SLEEP, { mode: 0o755 });
  await until('c up', () => box.pid(box.path('svc', 'c')) !== 0, 20000, () => svscan.stderr);
});

test('svscan with no argument scans its working directory', async () => {
  box.service('a', SLEEP);
  new RunningSvscan('ours', box.svc, [], NO_RESCAN);
  await until('a up', () => svstat('svc/a')[0] === 'svc/a: up (pid N) S seconds');
});

test("./run missing: supervise's own complaint, once a second, svscan carries on", async () => {
  mkdirSync(box.path('svc', 'norun'));
  const svscan = new RunningSvscan('ours', box.root, ['svc'], NO_RESCAN);
  await until('two complaints', () => svscan.stderr.split('\n').length > 2 || undefined);
  expect(svscan.stderr.split('\n').slice(0, 2)).toEqual([
    'supervise: fatal: unable to start norun/run: file does not exist',
    'supervise: fatal: unable to start norun/run: file does not exist',
  ]);
  expect(svscan.hasExited).toBe(false);
});
