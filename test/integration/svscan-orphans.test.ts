// svscan is a child subreaper: a process a service leaves behind comes to svscan, and svscan reaps
// it when it ends, so no zombie piles up.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

/** ppid and state of a process, or undefined once it is gone entirely. */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

test.skipIf(process.platform !== 'linux')('an orphan is adopted by svscan and reaped when it ends', async () => {
  // ./run starts a daemon that forks away (its parent exits at once), notes its pid, then waits.
  box.service('a', '#!/bin/sh\nsh -c \'sleep 1000 & echo $! > ../daemon.pid\'\nexec sleep 1000\n');
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const daemon = await until('the daemon', () => Number(box.lines('svc/daemon.pid')[0] ?? 0) || undefined);
  await until('the daemon adopted by svscan', () => procStat(daemon)?.ppid === svscan.pid, 20000, () => JSON.stringify(procStat(daemon)));
  svscan.remember();
  process.kill(daemon, 'SIGTERM');
  await until('the daemon reaped', () => procStat(daemon) === undefined, 20000, () => JSON.stringify(procStat(daemon)));
  expect(svscan.stderr).toBe('');
});
