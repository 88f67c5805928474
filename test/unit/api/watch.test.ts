// waitFor and watchStatus on services run by C's supervise: they follow supervise's status renames
// (not a timer), wait through a supervise that has not started yet, and give up by timeout or signal.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { sendCommand } from '../../../src/api/control.js';
import type { ServiceStatus } from '../../../src/api/status.js';
import { waitFor, watchStatus } from '../../../src/api/watch.js';
import { TAI_EPOCH } from '../../../src/lib/status.js';
import { C_BIN } from '../../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from './fixture.js';

afterEach(cleanup);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!HAVE_C)('waitFor', () => {
  test.each([
    ['up', false, [] as const, (s: ServiceStatus) => s.up],
    ['down', false, ['down'] as const, (s: ServiceStatus) => !s.up],
    ['up', true, ['up'] as const, (s: ServiceStatus) => s.up],
  ] as const)('%s (down file: %s, then %j)', async (condition, down, commands, check) => {
    const dir = makeService(join(tempRoot(), 'svc'), { down });
    await startC(dir);
    const waiting = waitFor(dir, condition, { timeout: 10000 });
    if (commands.length) sendCommand(dir, ...commands);
    expect(check(await waiting)).toBe(true);
  });

  test('waits through a supervise that has not started yet', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    const waiting = waitFor(dir, 'up', { timeout: 10000 });
    await sleep(200); // the wait is under way before supervise/ exists
    await startC(dir);
    await expect(waiting).resolves.toMatchObject({ up: true, dir });
  });

  test('a condition never met times out with ERR_TIMEOUT', async () => {
    const dir = makeService(join(tempRoot(), 'svc'), { down: true });
    await startC(dir);
    await expect(waitFor(dir, 'up', { timeout: 300 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT', service: dir });
  });

  test('an abort gives ABORT_ERR, with the reason as cause', async () => {
    const dir = makeService(join(tempRoot(), 'svc'), { down: true });
    await startC(dir);
    const controller = new AbortController();
    const waiting = waitFor(dir, 'up', { signal: controller.signal });
    setTimeout(() => controller.abort('enough'), 100);
    await expect(waiting).rejects.toMatchObject({ code: 'ABORT_ERR', cause: 'enough' });
  });

  test('a signal aborted already rejects at once', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    await expect(waitFor(dir, 'up', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  test('a missing directory is ERR_SYSTEM', async () => {
    await expect(waitFor(join(tempRoot(), 'nowhere'), 'up', { timeout: 5000 })).rejects.toMatchObject({
      code: 'ERR_SYSTEM',
      systemCode: 'ENOENT',
    });
  });
});

describe.skipIf(!HAVE_C)('watchStatus', () => {
  test('reports each change supervise announces, in order', async () => {
    const dir = makeService(join(tempRoot(), 'svc'), { down: true });
    await startC(dir);
    const seen: string[] = [];
    let notify: () => void = () => {};
    const w = watchStatus(dir, {
      onStatus: (s) => {
        const state = s.up ? (s.paused ? 'paused' : 'up') : 'down';
        if (seen.at(-1) !== state) seen.push(state);
        notify();
      },
    });
    const reach = (state: string) =>
      new Promise<void>((resolve) => {
        notify = () => seen.at(-1) === state && resolve();
        notify();
      });
    try {
      await reach('down');
      sendCommand(dir, 'up');
      await reach('up');
      sendCommand(dir, 'pause');
      await reach('paused');
      sendCommand(dir, 'down');
      await reach('down');
      // In between, supervise may be seen with the process still there (TERM sent, not yet dead).
      expect(seen.filter((state, i) => i === 0 || state !== 'up' || seen[i - 1] !== 'paused')).toEqual(['down', 'up', 'paused', 'down']);
    } finally {
      w.close();
    }
  });

  // A poller would read the status again and again; a watcher reads it once, then on change only.
  // This test is supervise itself: it holds supervise/ok and writes status as supervise does.
  test('reads nothing while nothing changes', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    mkdirSync(join(dir, 'supervise'));
    execFileSync('mkfifo', [join(dir, 'supervise', 'ok')]);
    const announce = (pid: number): void => {
      const status = Buffer.alloc(18);
      status.writeBigUInt64BE(TAI_EPOCH + BigInt(Math.floor(Date.now() / 1000)), 0);
      status.writeUInt32LE(pid, 12);
      status[17] = 0x75;
      writeFileSync(join(dir, 'supervise', 'status.new'), status);
      renameSync(join(dir, 'supervise', 'status.new'), join(dir, 'supervise', 'status'));
    };
    announce(0);
    const ok = openSync(join(dir, 'supervise', 'ok'), constants.O_RDONLY | constants.O_NONBLOCK);
    const seen: Array<number | null> = [];
    let sawUp: () => void = () => {};
    const up = new Promise<void>((resolve) => (sawUp = resolve));
    const w = watchStatus(dir, {
      onStatus: (s) => {
        seen.push(s.pid);
        if (s.up) sawUp();
      },
    });
    try {
      await sleep(1500);
      expect(seen).toEqual([null]);
      announce(4321);
      await up;
      expect(seen).toEqual([null, 4321]);
    } finally {
      w.close();
      closeSync(ok);
    }
  });

  test('a service directory whose supervise starts later is picked up', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    const errors: string[] = [];
    const up = new Promise<ServiceStatus>((resolve) => {
      const w = watchStatus(dir, {
        onStatus: (s) => s.up && (w.close(), resolve(s)),
        onError: (e) => errors.push(e.code),
      });
    });
    await sleep(200);
    const child = spawn(join(C_BIN, 'supervise'), [dir], { stdio: 'ignore' });
    try {
      await expect(up).resolves.toMatchObject({ up: true });
      expect(errors[0]).toBe('ERR_NOT_SUPERVISED');
    } finally {
      sendCommand(dir, 'down', 'exit');
      await new Promise((r) => child.once('exit', r));
    }
  });
});
