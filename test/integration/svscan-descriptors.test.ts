// What a logged service costs our svscan in descriptors (issue 17): one process holds what C
// spreads over a supervise per service, so under a hard limit it cannot raise, what it spends per
// service is how many services it can run. Counted once every service is up and has logged, less
// the count with no service at all.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { client, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

/**
 * What a logged service costs now: each supervisor's lock, control and ok; the pipe's two ends;
 * the stub's socket and input; the log directory's lock and current (the directory itself is
 * opened only for a rotation). Issue 17's target is 12 (the floor about 11).
 */
const TARGET = 12;
/** Held once for every logger, however many: the tee copy pipe (2), one shared stderr copy, one spare. */
const SHARED = 4;
const SERVICES = 20;
/** A line a second, as the lead measured. */
const TALKER = '#!/bin/sh\nwhile :; do echo hello; sleep 1; done\n';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

const fds = (pid: number): string[] => readdirSync(`/proc/${pid}/fd`).map((fd) => {
  try {
    return readlinkSync(`/proc/${pid}/fd/${fd}`);
  } catch {
    return '';
  }
});

/** The descriptors by what they are (paths with the service's name taken out), for a failure's message. */
function inventory(pid: number): string {
  const kinds = new Map<string, number>();
  for (const target of fds(pid)) {
    const kind = target.replace(/[0-9]+/g, 'N').replace(/\/svc\/s[^/]*/, '/svc/S').replace(/^.*\/svc\//, 'svc/');
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds].sort((a, b) => b[1] - a[1]).map(([k, c]) => `${c} ${k}`).join('\n');
}

const lines = (file: string): number => {
  try {
    return readFileSync(file, 'latin1').split('\n').length - 1;
  } catch {
    return 0;
  }
};

test.skipIf(process.platform !== 'linux')(`svscan holds at most ${TARGET} descriptors per logged service`, { timeout: 180000 }, async () => {
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  // Set up with no service: the log host listens and the scan directory is watched.
  await until('svscan set up', () => {
    const unix = readFileSync('/proc/net/unix', 'latin1');
    return unix.includes(`@daemontools-host/${svscan.pid}`) && fds(svscan.pid).includes('anon_inode:inotify');
  }, 30000, () => svscan.stderr);
  const empty = fds(svscan.pid).length;

  const names = Array.from({ length: SERVICES }, (_, i) => `s${String(i).padStart(2, '0')}`);
  for (const name of names) box.service(name, TALKER, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  const currents = names.map((n) => box.path('svc', n, 'log', 'main', 'current'));
  // Up and logged: every logger wrote two lines (a full read, write and take-out behind it).
  await until('every logger wrote', () => currents.every((c) => lines(c) >= 2), 120000, () => `\n${svscan.stderr}`);
  const dirs = names.flatMap((n) => [join('svc', n), join('svc', n, 'log')]);
  expect(client('c', 'svok', dirs, box.root).status).toBe(0);
  // A logger in the middle of a chunk holds its stub's ledger and bin for it: the least of a few counts.
  const counts: number[] = [];
  for (let i = 0; i < 5; i++) {
    counts.push(fds(svscan.pid).length);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const spent = Math.min(...counts) - empty;
  console.log(`svscan: ${empty} descriptors at 0 services, ${empty + spent} at ${SERVICES} logged services: ${spent / SERVICES} each`);
  expect(spent, inventory(svscan.pid)).toBeLessThanOrEqual(TARGET * SERVICES + SHARED);
  expect(svscan.stderr).toBe('');
});

test.skipIf(process.platform !== 'linux')('out of descriptors (hard limit 1024, 100 logged services): services start whole or wait with a warning, running ones keep working', { timeout: 240000 }, async () => {
  const names = Array.from({ length: 100 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  for (const name of names) box.service(name, TALKER, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' }, ['prlimit', '--nofile=1024:1024']);
  const warning = (name: string): string => `svscan: warning: unable to start ${name}: process cannot open more files\n`;
  const supervised = (dir: string): boolean => client('c', 'svok', [join('svc', dir)], box.root).status === 0;
  // The first scan has been through every name once some are refused (names are scanned in order).
  await until('a service refused', () => svscan.stderr.includes('unable to start'), 60000, () => svscan.stderr);
  const admitted = names.filter((n) => supervised(n));
  const refused = names.filter((n) => !admitted.includes(n));
  expect(admitted.length).toBeGreaterThan(50);
  expect(refused.length).toBeGreaterThan(0);
  // Never a service without its logger, or a logger without its service.
  expect(names.filter((n) => supervised(n) !== supervised(`${n}/log`))).toEqual([]);
  for (const name of refused) await until(`${name} warned about`, () => svscan.stderr.includes(warning(name)), 30000, () => svscan.stderr);
  await until('every admitted logger wrote', () => admitted.every((n) => lines(box.path('svc', n, 'log', 'main', 'current')) >= 1), 120000, () => svscan.stderr);
  // Hosted, every one: none fell back to a Node multilog of its own for want of a descriptor.
  const loggers = admitted.map((n) => box.pid(box.path('svc', n, 'log')));
  expect(loggers.filter((pid) => readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '').endsWith('/node'))).toEqual([]);
  // Commands for running services work: a restart forks.
  const some = admitted.slice(0, 5).map((n) => join('svc', n));
  const before = some.map((d) => box.pid(box.path(d)));
  expect(client('c', 'svc', ['-t', ...some], box.root).status).toBe(0);
  await until('5 restarted', () => some.every((d, i) => { const p = box.pid(box.path(d)); return p !== 0 && p !== before[i]; }), 30000, () => svscan.stderr);
  // Nothing but those warnings was said: no failed fork, no logger's fatal error.
  expect(svscan.stderr.split('\n').filter((l) => l !== '' && !refused.some((n) => `${l}\n` === warning(n)))).toEqual([]);
});

test.skipIf(process.platform !== 'linux')('a service refused for want of descriptors gets C\'s warning once per scan, no more', { timeout: 240000 }, async () => {
  const names = Array.from({ length: 100 }, (_, i) => `s${String(i).padStart(2, '0')}`);
  for (const name of names) box.service(name, TALKER, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  // No timed rescan: a scan happens at the start and when an entry of the scan directory appears.
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '86400' }, ['prlimit', '--nofile=1024:1024']);
  const warning = (name: string): string => `svscan: warning: unable to start ${name}: process cannot open more files\n`;
  const times = (name: string): number => svscan.stderr.split(warning(name)).length - 1;
  // Names are scanned in order, so the last one's warning closes a scan's.
  const last = names.at(-1)!;
  await until('the first scan refused some', () => times(last) === 1, 60000, () => svscan.stderr);
  const refused = names.filter((n) => times(n) > 0);
  expect(refused.length).toBeGreaterThan(0);
  expect(refused.map(times)).toEqual(refused.map(() => 1));
  // A new entry makes one more scan: each refused service is warned once more, the new one once.
  box.service('zz', TALKER, { log: '#!/bin/sh\nexec multilog t ./main\n' });
  await until('the second scan', () => times('zz') === 1, 60000, () => svscan.stderr);
  expect(refused.map(times)).toEqual(refused.map(() => 2));
  expect(svscan.stderr.split('\n').filter((l) => l !== '' && ![...refused, 'zz'].some((n) => `${l}\n` === warning(n)))).toEqual([]);
});
