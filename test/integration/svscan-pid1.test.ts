// svscan as a container's entrypoint: PID 1 of a fresh PID namespace with its own /proc
// (unshare -fp --mount-proc), as under Docker or Kubernetes. Orphaned grandchildren are handed
// to it and reaped; SIGTERM takes every service down, loggers after their services, each log's
// `current` complete to the service's last line; svscan exits 0.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { IS_ROOT, OUR_BIN, ours } from '../helpers/paths.js';
import { alive, descendants, ScanBox, until } from './svscan-harness.js';

const HAVE_UNSHARE = IS_ROOT && spawnSync('unshare', ['-fp', '--mount-proc', 'true']).status === 0;

/** Counts lines; on TERM it says its last word, slowly, so its logger must still be there. */
const COUNTER = '#!/bin/sh\nexec 2>&1\ntrap "sleep 0.3; echo last words; exit 0" TERM\ni=0\nwhile :; do i=$((i+1)); echo "tick $i"; sleep 0.05; done\n';
/** Leaves five grandchildren behind (each subshell exits at once), then idles. */
const ORPHANER = '#!/bin/sh\nfor i in 1 2 3 4 5; do (sleep 2 &); done\nexec sleep 1000\n';
const LOG = '#!/bin/sh\nexec multilog t ./main\n';

let box: ScanBox;
let nsPid = 0;
afterEach(() => {
  if (nsPid) {
    try {
      process.kill(-nsPid, 'SIGKILL');
    } catch {
      // The namespace ended with its PID 1.
    }
  }
  box?.remove();
});

const stateOf = (pid: number): string | undefined => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0];
  } catch {
    return undefined;
  }
};
const ppidOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[1]);
const ppidOrZero = (pid: number): number => {
  try {
    return ppidOf(pid);
  } catch {
    return 0; // gone meanwhile
  }
};
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
};

test.skipIf(!HAVE_UNSHARE)('PID 1: orphans reaped; SIGTERM: services down, then loggers, current complete; exit 0', async () => {
  box = new ScanBox();
  box.service('counter', COUNTER, { log: LOG });
  box.service('orphaner', ORPHANER, { log: LOG });
  const ns = spawn('unshare', ['-fp', '--mount-proc', ours('svscan'), box.svc], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: `${OUR_BIN}:/usr/bin:/bin` },
  });
  nsPid = ns.pid!;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => ns.on('exit', (code, signal) => resolve({ code, signal })));
  const svscan = await until('svscan in the namespace', () => descendants(nsPid)[0]);

  // The grandchildren are svscan's children now, and once they end nothing is left of them.
  const orphans = await until('five orphans handed to svscan', () => {
    const sleeps = descendants(svscan).filter((p) => cmdline(p) === 'sleep 2' && ppidOf(p) === svscan);
    return sleeps.length === 5 ? sleeps : undefined;
  });
  await until('the orphans reaped (no zombies)', () => orphans.every((p) => stateOf(p) === undefined), 2000 + 5000);
  // svscan's own children only: the counter's `sleep 0.05`, a zombie for the moment before its
  // sh waits for it, is the sh's to reap.
  const unreaped = (): number[] => descendants(svscan).filter((p) => stateOf(p) === 'Z' && ppidOrZero(p) === svscan);
  expect(unreaped()).toEqual([]);

  const current = join(box.svc, 'counter', 'log', 'main', 'current');
  await until('the counter logged', () => {
    try {
      return readFileSync(current, 'utf8').includes(' tick 5\n');
    } catch {
      return false;
    }
  });
  const everyone = descendants(svscan);
  process.kill(svscan, 'SIGTERM');
  expect(await exited).toEqual({ code: 0, signal: null });
  expect(everyone.filter(alive)).toEqual([]);
  const lines = readFileSync(current, 'utf8').trimEnd().split('\n');
  // The logger outlived its service: the words said after TERM are in, on a whole last line.
  expect(lines.at(-1)).toMatch(/^@[0-9a-f]{24} last words$/);
  expect(lines.slice(0, -1).every((l) => /^@[0-9a-f]{24} tick \d+$/.test(l))).toBe(true);
}, 60000);
