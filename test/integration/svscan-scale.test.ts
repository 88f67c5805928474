// A thousand services (C svscan's whole table) under one svscan: all start, svstat reports every
// one up, and all come down on SIGTERM in stop mode. svscan's RSS is printed for the record.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MAX_SERVICES } from '../../src/lib/scan/scanner.js';
import { alive, client, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const COUNT = MAX_SERVICES;
const names = Array.from({ length: COUNT }, (_, i) => `s${String(i).padStart(4, '0')}`);
let box: ScanBox;

beforeAll(() => {
  box = new ScanBox();
  for (const name of names) {
    mkdirSync(join(box.svc, name));
    writeFileSync(join(box.svc, name, 'run'), '#!/bin/sh\nexec sleep 100000\n', { mode: 0o755 });
  }
});
afterAll(() => {
  killAll();
  box.remove();
});

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+([0-9]+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
}

test(`${COUNT} services start, report and stop`, { timeout: 300000 }, async () => {
  const svscan = new RunningSvscan('ours', box.svc, [], { SVSCAN_STOP_ON_TERM: '1' });
  const dirs = names.map((n) => join('svc', n));
  const upCount = (): number => client('ours', 'svstat', dirs, box.root).stdout.split('\n').filter((l) => / up \(pid [0-9]+\)/.test(l)).length;
  await until('all up', () => upCount() === COUNT, 240000, () => `\n${upCount()} up\n${svscan.stderr.slice(0, 2000)}`);
  const pids = dirs.map((d) => box.pid(box.path(d)));
  expect(new Set(pids).size).toBe(COUNT);
  expect(svscan.stderr).toBe('');
  console.log(`svscan with ${COUNT} services: RSS ${rssKb(svscan.pid)} kB`);

  svscan.signal('SIGTERM');
  expect(await svscan.exited).toEqual({ code: 0, signal: null });
  expect(pids.filter(alive)).toEqual([]);
  const stat = client('ours', 'svstat', dirs, box.root).stdout.split('\n').filter((l) => l !== '');
  expect(stat.filter((l) => !l.endsWith(': supervise not running'))).toEqual([]);
  expect(stat).toHaveLength(COUNT);
});
