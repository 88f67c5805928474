// The switch from C daemontools to ours with no service restarted: C svscan runs a service and its
// logger; C svscan and its supervise processes are stopped, `daemontools takeover` records the
// running processes, and our svscan adopts them: same pids, and the log keeps flowing through the
// same pipe, even across a restart of the logger.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { readStatus } from '../../src/api/status.js';
import { isSupervised, sendCommand } from '../../src/api/control.js';
import { waitFor } from '../../src/api/watch.js';
import { C_BIN, ours } from '../helpers/paths.js';
import { HAVE_C, tempRoot, cleanup } from '../unit/api/fixture.js';
import { daemontools } from './daemontools-cli-run.js';

const running: ChildProcess[] = [];
const strays: number[] = [];
afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  for (const pid of strays.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  await cleanup();
});

/** The C supervise processes working in `scandir` (their cwd), found through /proc. */
function cSupervisors(scandir: string): number[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'supervise' && readlinkSync(`/proc/${p}/cwd`).startsWith(scandir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const lines = (file: string): number => {
  try {
    return readFileSync(file, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
};

/** Processes that are not our children give no event to wait on: look every 50 ms, for 10 s at most. */
async function until(ok: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function grows(file: string): Promise<void> {
  const before = lines(file);
  await until(() => lines(file) > before + 3, `${file} to grow past ${before + 3} lines`);
}

describe.skipIf(!HAVE_C || process.platform !== 'linux')('daemontools takeover', () => {
  test('from C svscan to ours: same processes, log pipe intact', async () => {
    const scandir = join(tempRoot(), 'service');
    const web = join(scandir, 'web');
    mkdirSync(join(web, 'log'), { recursive: true });
    writeFileSync(join(web, 'run'), '#!/bin/sh\nwhile :; do echo tick; sleep 0.05; done\n');
    writeFileSync(join(web, 'log', 'run'), '#!/bin/sh\nexec cat >> ../out\n');
    chmodSync(join(web, 'run'), 0o755);
    chmodSync(join(web, 'log', 'run'), 0o755);
    const out = join(web, 'out');

    const cScan = spawn(join(C_BIN, 'svscan'), [scandir], { stdio: 'ignore', env: { PATH: `${C_BIN}:/bin` } });
    running.push(cScan);
    const service = await waitFor(web, 'up', { timeout: 15000 });
    const logger = await waitFor(join(web, 'log'), 'up', { timeout: 15000 });
    strays.push(service.pid!, logger.pid!);
    await grows(out);

    // Not ready while C's supervise still runs.
    expect(daemontools(['takeover', '--scandir', scandir]).status).toBe(1);

    // C svscan first (so it starts no supervise again), then its supervise processes: the
    // service and logger run on, unsupervised.
    cScan.kill('SIGTERM');
    await once(cScan, 'exit');
    const supervisors = cSupervisors(scandir);
    expect(supervisors).toHaveLength(2);
    for (const pid of supervisors) process.kill(pid, 'SIGTERM');
    await until(() => cSupervisors(scandir).length === 0);

    const r = daemontools(['takeover', '--scandir', scandir]);
    expect(r.stdout).toBe(`web: pid ${service.pid} recorded; our svscan will adopt it\nweb/log: pid ${logger.pid} recorded; our svscan will adopt it\n`);
    expect(r.status).toBe(0);

    const ourScan = spawn(ours('svscan'), [scandir], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SVSCAN_STOP_ON_TERM: '1' } });
    running.push(ourScan);
    let warnings = '';
    ourScan.stderr!.setEncoding('utf8').on('data', (t: string) => (warnings += t));
    await waitFor(web, () => isSupervised(web), { timeout: 15000 });
    await waitFor(join(web, 'log'), () => isSupervised(join(web, 'log')), { timeout: 15000 });
    expect((await readStatus(web)).pid).toBe(service.pid);
    expect((await readStatus(join(web, 'log'))).pid).toBe(logger.pid);
    await grows(out);

    // The logger restarted by our supervisor reads the same pipe the service still writes.
    sendCommand(join(web, 'log'), 'term');
    const newLogger = await waitFor(join(web, 'log'), (s) => s.up && s.pid !== logger.pid, { timeout: 15000 });
    strays.push(newLogger.pid!);
    await grows(out);
    expect((await readStatus(web)).pid).toBe(service.pid);
    expect(warnings).toBe('');
  }, 90000);
});
