// svscan and signals. By default as C svscan: a fatal signal ends svscan alone and the services
// run on, their log pipes intact. With SVSCAN_STOP_ON_TERM=1, or as PID 1, SIGTERM and SIGINT
// bring every service down (services before loggers) and svscan exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { IS_ROOT, ours } from '../helpers/paths.js';
import { alive, client, descendants, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const SLEEP = '#!/bin/sh\nexec sleep 1000\n';
/** Counts a line every 20 ms; says goodbye on SIGTERM. */
const COUNTER = '#!/bin/sh\ntrap "echo bye; exit 0" TERM\ni=0\nwhile :; do i=$((i+1)); echo $i; sleep 0.02; done\n';
const APPENDER = '#!/bin/sh\nexec cat >> ../out\n';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

describe('by default, as C svscan', () => {
  test.each(['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGINT'] as const)('%s ends svscan alone; services and their log pipe live on', async (sig) => {
    box.service('a', COUNTER, { log: APPENDER });
    box.service('b', SLEEP);
    const svscan = new RunningSvscan('ours', box.root, ['svc']);
    const dirs = ['svc/a', 'svc/a/log', 'svc/b'].map((d) => box.path(d));
    const pids = await until('all up', () => (dirs.every((d) => box.pid(d) !== 0) ? dirs.map((d) => box.pid(d)) : undefined));
    svscan.signal(sig);
    expect(await svscan.exited).toEqual({ code: null, signal: sig });
    const before = box.lines('svc/a/out').length;
    await until('the service still logging', () => box.lines('svc/a/out').length > before + 10);
    expect(pids.map(alive)).toEqual([true, true, true]);
    expect(client('ours', 'svstat', ['svc/b'], box.root).stdout).toBe('svc/b: supervise not running\n');
  });

  test('a paused service (stopped) is not sent SIGHUP when svscan dies', async () => {
    box.service('a', '#!/bin/sh\nexec sleep 1000\n');
    const svscan = new RunningSvscan('ours', box.root, ['svc']);
    const pid = await until('a up', () => box.pid(box.path('svc', 'a')) || undefined);
    client('ours', 'svc', ['-p', 'svc/a'], box.root);
    await until('a stopped', () => readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.startsWith('T'));
    svscan.signal('SIGKILL');
    await svscan.exited;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0]).toBe('T');
  });

  test('a signal ignored when svscan started stays ignored', async () => {
    box.service('a', SLEEP);
    const svscan = new RunningSvscan('ours', box.root, ['svc'], {}, ['sh', '-c', 'trap "" HUP; exec "$@"', 'sh']);
    await until('a up', () => box.pid(box.path('svc', 'a')) !== 0);
    svscan.signal('SIGHUP');
    // svscan carries on: it still supervises (svc -d takes effect).
    client('ours', 'svc', ['-d', 'svc/a'], box.root);
    await until('a down', () => box.pid(box.path('svc', 'a')) === 0);
    expect(svscan.hasExited).toBe(false);
  });
});

describe('stop on SIGTERM (SVSCAN_STOP_ON_TERM=1)', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s takes every service down, loggers last, then svscan exits 0', async (sig) => {
    box.service('a', COUNTER, { log: APPENDER });
    box.service('b', SLEEP);
    box.service('c', SLEEP, { down: true });
    const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_STOP_ON_TERM: '1' });
    const dirs = ['svc/a', 'svc/a/log', 'svc/b'].map((d) => box.path(d));
    const pids = await until('all up', () => (dirs.every((d) => box.pid(d) !== 0) ? dirs.map((d) => box.pid(d)) : undefined));
    await until('some lines', () => box.lines('svc/a/out').length > 3);
    svscan.signal(sig);
    expect(await svscan.exited).toEqual({ code: 0, signal: null });
    expect(svscan.stderr).toBe('');
    expect(pids.map(alive)).toEqual([false, false, false]);
    // The service's last words reached its logger, which was stopped only after it.
    expect(box.lines('svc/a/out').at(-1)).toBe('bye');
    const svstat = client('ours', 'svstat', ['svc/a', 'svc/a/log', 'svc/b', 'svc/c'], box.root).stdout;
    expect(svstat.split('\n').filter((l) => l !== '').map((l) => l.replace(/^[^:]*: /, ''))).toEqual(Array(4).fill('supervise not running'));
  });

  test('nothing running: exits 0 at once', async () => {
    const c = box.service('c', SLEEP, { down: true });
    const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_STOP_ON_TERM: '1' });
    await until('c supervised', () => existsSync(join(c, 'supervise', 'status')));
    svscan.signal('SIGTERM');
    expect(await svscan.exited).toEqual({ code: 0, signal: null });
  });
});

const HAVE_UNSHARE = IS_ROOT && spawnSync('unshare', ['-pf', 'true']).status === 0;

test.skipIf(!HAVE_UNSHARE)('as PID 1 (a new PID namespace), SIGTERM takes every service down and svscan exits 0', async () => {
  box.service('a', COUNTER, { log: APPENDER });
  const ns = spawn('unshare', ['-pf', ours('svscan'), 'svc'], { cwd: box.root, detached: true, stdio: 'ignore', env: { PATH: '/usr/bin:/bin' } });
  const exited = new Promise<number | null>((resolve) => ns.on('exit', (code) => resolve(code)));
  try {
    await until('some lines', () => box.lines('svc/a/out').length > 3);
    const svscan = await until('svscan', () => descendants(ns.pid!)[0]);
    process.kill(svscan, 'SIGTERM');
    expect(await exited).toBe(0);
    expect(box.lines('svc/a/out').at(-1)).toBe('bye');
  } finally {
    try {
      process.kill(-ns.pid!, 'SIGKILL');
    } catch {
      // All gone: a PID namespace ends with its first process.
    }
  }
});
