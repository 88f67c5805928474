// DAEMONTOOLS_PROFILE=portable (src/native/platform.ts, native/launcher.c): a Linux build takes the
// branches a FreeBSD or macOS build takes. Seen from outside: a logger is its own Node process,
// svscan starts no pipe keeper, a restarted svscan adopts nothing (it cannot prove who is who) and
// starts the service again, warning, as C's would. The variable reaches a run script exactly as
// svscan was given it, no more: with the default profile nothing of it shows.
import { existsSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { PROFILE_VAR } from '../helpers/profile.js';
import { alive, descendants, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

const RUN = '#!/bin/sh\nenv > env.out\nexec sleep 1000\n';
const LOG = '#!/bin/sh\nexec multilog t ./main\n';

const NODE = realpathSync(process.execPath);
const cmdline = (pid: number): string[] => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');

test.each([
  { profile: 'portable', logger: 'node', seen: `${PROFILE_VAR}=portable`, shows: 'the variable' },
  { profile: undefined, logger: 'stub', seen: undefined, shows: 'nothing of it' },
] as const)('profile $profile: the logger runs as a $logger; the run script sees $shows', async ({ profile, logger, seen }) => {
  const dir = box.service('a', RUN, { log: LOG });
  const env = profile === undefined ? {} : { [PROFILE_VAR]: profile };
  const scan = new RunningSvscan('ours', box.root, ['svc'], env);
  const log = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  await until('the run script ran', () => box.lines('svc/a/env.out').some((l) => l.startsWith('PATH=')) || undefined);
  // Once its log directory has a current, the logger is what it stays: a hosted logger's stub is
  // the launcher itself (bin/multilog), a logger of its own the node the launcher exec'd. (Its
  // command line tells neither: both show multilog's.)
  await until('the logger started', () => existsSync(`${dir}/log/main/current`) || undefined);
  expect(readlinkSync(`/proc/${log}/exe`) === NODE ? 'node' : 'stub').toBe(logger);
  expect(box.lines('svc/a/env.out').find((l) => l.startsWith(`${PROFILE_VAR}=`))).toBe(seen);
  if (profile === 'portable') {
    // No pipe keeper among svscan's processes.
    expect(descendants(scan.pid).filter((pid) => cmdline(pid)[0] === 'daemontools-keeper')).toEqual([]);
  }
});

test('portable: a restarted svscan adopts nothing; it warns for each process still running and starts it again', async () => {
  const dir = box.service('a', '#!/bin/sh\nexec sleep 1000\n', { log: LOG });
  const env = { [PROFILE_VAR]: 'portable' };
  const first = new RunningSvscan('ours', box.root, ['svc'], env);
  const service = await until('a up', () => box.pid(dir) || undefined);
  const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  // Nothing proves identity without /proc: the record has neither start time nor boot.
  expect(readFileSync(`${dir}/supervise/owner`, 'latin1')).toMatch(new RegExp(`^pid ${service}\nstart -\nboot -\nstamp @[0-9a-f]{24}\n$`));
  first.signal('SIGKILL');
  await first.exited;
  const second = new RunningSvscan('ours', box.root, ['svc'], env);
  const again = await until('a started again', () => (box.pid(dir) !== service && box.pid(dir)) || undefined);
  await until('both warnings', () => (second.stderr.split('\n').filter((l) => l.includes('unable to adopt')).length === 2 ? true : undefined));
  expect(again).not.toBe(service);
  expect(alive(service)).toBe(true); // left running beside the new one, as C svscan would
  expect(second.stderr).toContain(`supervise: warning: unable to adopt pid ${service} for a, starting a/run again: system call not available\n`);
  expect(second.stderr).toContain(`supervise: warning: unable to adopt pid ${logger} for log, starting log/run again: system call not available\n`);
});
