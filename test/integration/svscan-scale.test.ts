// Past C svscan's table of 1,000: as many services as this host's descriptor limit holds (10,000
// where it can) under one svscan all start, C's svstat and svok report every one, and C's
// `svc -dx` stops them all. And logged services under a hard descriptor limit of 4096 (a common one
// for daemons started from inittab): all up, svc -t works, every service still gets 4096; where
// root may raise its hard limit, 400 of them (what C's svscan copes with), since ours then raises
// its own. svscan's RSS and descriptors are printed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { alive, client, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const isRoot = process.geteuid?.() === 0;
/** Descriptors one unlogged service costs our svscan (lock, control and ok FIFOs, their spare ends), with room. */
const PER_SERVICE = 5;
const hardLimit = Number(/^Max open files\s+[0-9]+\s+([0-9]+)/m.exec(readFileSync('/proc/self/limits', 'latin1'))?.[1] ?? 0);
/** Whether this process may raise its hard limit (root with CAP_SYS_RESOURCE; a container may drop it). */
const mayRaise = spawnSync('prlimit', [`--nofile=${hardLimit + 1}:${hardLimit + 1}`, 'true']).status === 0;
const MANY = mayRaise ? 10_000 : Math.min(10_000, Math.floor((hardLimit - 500) / PER_SERVICE));
let box: ScanBox;

beforeAll(() => {
  box = new ScanBox();
});
afterAll(() => {
  killAll();
  box.remove();
}, 180000);

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+([0-9]+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
}

function openFiles(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

function nofile(pid: number): string {
  return /^Max open files\s+([0-9]+\s+[0-9]+)/m.exec(readFileSync(`/proc/${pid}/limits`, 'latin1'))?.[1]?.replace(/\s+/, ' ') ?? '';
}

/** svstat over many directories, in slices (an argv of 10,000 paths is fine, but keep it modest). */
function svstat(dirs: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < dirs.length; i += 2000) {
    out.push(...client('c', 'svstat', dirs.slice(i, i + 2000), box.root).stdout.split('\n').filter((l) => l !== ''));
  }
  return out;
}

const upIn = (lines: readonly string[]): number => lines.filter((l) => / up \(pid [0-9]+\)/.test(l)).length;

test.skipIf(MANY <= 1000)(`${MANY} services start, report through C svstat and svok, and stop on C svc -dx`, { timeout: 600000 }, async () => {
  const count = MANY;
  const where = 'many';
  mkdirSync(box.path(where));
  const names = Array.from({ length: count }, (_, i) => `s${String(i).padStart(5, '0')}`);
  for (const name of names) {
    mkdirSync(box.path(where, name));
    writeFileSync(box.path(where, name, 'run'), '#!/bin/sh\nexec sleep 100000\n', { mode: 0o755 });
  }
  // No rescan during the test: a supervisor ended by -dx is not started again under our feet.
  const svscan = new RunningSvscan('ours', box.path(where), [], { SVSCAN_STOP_ON_TERM: '1', SVSCAN_RESCAN_SECONDS: '86400' });
  const dirs = names.map((n) => join(where, n));
  let last: string[] = [];
  await until('all up', () => upIn((last = svstat(dirs))) === count, 480000, () => `\n${upIn(last)} up\n${svscan.stderr.slice(0, 2000)}`);
  const pids = dirs.map((d) => box.pid(box.path(d)));
  expect(new Set(pids).size).toBe(count);
  expect(svscan.stderr).toBe('');
  const sample = dirs.filter((_, i) => i % 997 === 0);
  expect(client('c', 'svok', [sample[0]!], box.root).status).toBe(0);
  expect(sample.map((d) => client('c', 'svok', [d], box.root).status)).toEqual(sample.map(() => 0));
  console.log(`svscan with ${count} services: RSS ${rssKb(svscan.pid)} kB, ${openFiles(svscan.pid)} descriptors`);

  for (let i = 0; i < dirs.length; i += 2000) expect(client('c', 'svc', ['-dx', ...dirs.slice(i, i + 2000)], box.root).status).toBe(0);
  await until('every service gone', () => pids.filter(alive).length === 0, 120000, () => `\n${pids.filter(alive).length} alive`);
  await until('every supervisor gone', () => svstat(dirs).every((l) => l.endsWith(': supervise not running')), 60000);
  svscan.signal('SIGTERM');
  expect(await svscan.exited).toEqual({ code: 0, signal: null });
  expect(svscan.stderr).toBe('');
});

test.for([
  // Without the raise, one process holds what C spreads over 801: as many as 4096 descriptors hold.
  ['as many as fit', 120, true],
  ['400, as C copes with, once root raised its own limit', 400, isRoot && mayRaise],
] as const)('logged services under a hard limit of 4096 descriptors, %s: all up, svc -t works, the services get 4096', { timeout: 300000 }, async ([, count, runs], { skip }) => {
  if (!runs) skip('this process may not raise its hard descriptor limit (not root, or no CAP_SYS_RESOURCE)');
  const where = `logged${count}`;
  mkdirSync(box.path(where));
  const names = Array.from({ length: count }, (_, i) => `l${String(i).padStart(3, '0')}`);
  for (const name of names) {
    box.service(name, '#!/bin/sh\nexec sleep 100000\n', { where, log: '#!/bin/sh\nexec multilog t ./main\n' });
  }
  const svscan = new RunningSvscan('ours', box.path(where), [], { SVSCAN_STOP_ON_TERM: '1' }, ['prlimit', '--nofile=4096:4096']);
  const dirs = names.flatMap((n) => [join(where, n), join(where, n, 'log')]);
  let last: string[] = [];
  await until('all up', () => upIn((last = svstat(dirs))) === 2 * count, 240000, () => `\n${upIn(last)} up\n${svscan.stderr.slice(0, 2000)}`);
  expect(svscan.stderr).toBe('');
  const pids = dirs.map((d) => box.pid(box.path(d)));
  // What the services and loggers were started with is what svscan was given, not what it took.
  expect([...new Set([pids[0]!, pids[1]!].map(nofile))]).toEqual(['4096 4096']);

  const some = names.slice(0, 10).map((n) => join(where, n));
  const before = some.map((d) => box.pid(box.path(d)));
  expect(client('c', 'svc', ['-t', ...some], box.root).status).toBe(0);
  await until('10 restarted', () => some.every((d, i) => { const p = box.pid(box.path(d)); return p !== 0 && p !== before[i]; }), 30000);
  console.log(`svscan with ${count} logged services: ${openFiles(svscan.pid)} descriptors, limit ${nofile(svscan.pid)}`);
  svscan.signal('SIGTERM');
  expect(await svscan.exited).toEqual({ code: 0, signal: null });
});
