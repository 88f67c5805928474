// sendCommand and isSupervised: the bytes that reach supervise/control, their effect on a service
// run by C's supervise, and agreement with C's svok.
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, constants, mkdirSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { isSupervised, sendCommand, SERVICE_COMMANDS, type ServiceCommand } from '../../../src/api/control.js';
import { readStatus, type ServiceStatus } from '../../../src/api/status.js';
import { waitFor } from '../../../src/api/watch.js';
import { C_BIN } from '../../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from './fixture.js';

afterEach(cleanup);

async function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}

/** A supervise/control FIFO with this test as its reader; returns a function that reads what came. */
function fakeControl(): { dir: string; received(): string; close(): void } {
  const dir = makeService(join(tempRoot(), 'svc'));
  mkdirSync(join(dir, 'supervise'));
  execFileSync('mkfifo', [join(dir, 'supervise', 'control')]);
  const fd = openSync(join(dir, 'supervise', 'control'), constants.O_RDONLY | constants.O_NONBLOCK);
  return {
    dir,
    received: () => {
      const buf = Buffer.alloc(64);
      const n = readSync(fd, buf, 0, buf.length, null);
      return buf.subarray(0, n).toString('latin1');
    },
    close: () => closeSync(fd),
  };
}

describe('the letters written', () => {
  test.each(Object.entries({ up: 'u', down: 'd', once: 'o', pause: 'p', cont: 'c', hup: 'h', alarm: 'a', interrupt: 'i', term: 't', kill: 'k', exit: 'x' }))(
    '%s is svc -%s',
    (name, letter) => {
      const control = fakeControl();
      try {
        sendCommand(control.dir, name as ServiceCommand);
        expect(control.received()).toBe(letter);
      } finally {
        control.close();
      }
    },
  );

  test.each([
    [['up', 'term'], 'ut'],
    [['down', 'exit'], 'dx'],
    [['up', 'term', 'up', 'term'], 'ut'],
    [['kill', 'cont', 'kill'], 'kc'],
  ] as const)('%j in one write, repeats dropped: %s', (names, letters) => {
    const control = fakeControl();
    try {
      sendCommand(control.dir, ...names);
      expect(control.received()).toBe(letters);
    } finally {
      control.close();
    }
  });

  test('every command is named', () => {
    expect(Object.keys(SERVICE_COMMANDS).sort()).toEqual(['alarm', 'cont', 'down', 'exit', 'hup', 'interrupt', 'kill', 'once', 'pause', 'term', 'up']);
  });
});

describe.skipIf(!HAVE_C)('commands to C supervise', () => {
  const start = async (down = false): Promise<{ dir: string; before: ServiceStatus; child: ChildProcess }> => {
    const dir = makeService(join(tempRoot(), 'svc'), { down });
    const child = await startC(dir);
    return { dir, child, before: await waitFor(dir, down ? () => true : 'up', { timeout: 10000 }) };
  };

  test.each([
    ['up', true, (s: ServiceStatus) => s.up && s.want === 'up'],
    ['once', true, (s: ServiceStatus) => s.up && s.want === 'none'],
    ['down', false, (s: ServiceStatus) => !s.up && s.want === 'down'],
    ['pause', false, (s: ServiceStatus) => s.up && s.paused],
  ] as const)('%s', async (name, down, reached) => {
    const { dir } = await start(down);
    sendCommand(dir, name);
    await expect(waitFor(dir, reached, { timeout: 10000 })).resolves.toMatchObject({ dir });
  });

  test('cont after pause', async () => {
    const { dir } = await start();
    sendCommand(dir, 'pause');
    await waitFor(dir, (s) => s.paused, { timeout: 10000 });
    sendCommand(dir, 'cont');
    await expect(waitFor(dir, (s) => !s.paused, { timeout: 10000 })).resolves.toMatchObject({ up: true });
  });

  // ./run is a sleep, which each of these signals ends: supervise then starts a new one.
  test.each(['hup', 'alarm', 'interrupt', 'term', 'kill'] as const)('%s reaches the process', async (name) => {
    const { dir, before } = await start();
    sendCommand(dir, name);
    const after = await waitFor(dir, (s) => s.up && s.pid !== before.pid, { timeout: 10000 });
    expect(after.pid).not.toBe(before.pid);
  });

  test('exit: supervise leaves once the service is down', async () => {
    const { dir, child } = await start();
    sendCommand(dir, 'down', 'exit');
    // supervise leaves only once the service is down; it may be gone before a watch could see it.
    await exited(child);
    expect(child.exitCode).toBe(0);
    expect(isSupervised(dir)).toBe(false);
    await expect(readStatus(dir)).rejects.toMatchObject({ code: 'ERR_NOT_SUPERVISED' });
  });
});

describe('command errors', () => {
  test('an unknown name is ERR_INVALID_ARG', () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    expect(() => sendCommand(dir, 'restart' as ServiceCommand)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG' }));
  });

  test('a directory never supervised is ERR_NOT_SUPERVISED', () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    expect(() => sendCommand(dir, 'up')).toThrow(expect.objectContaining({ code: 'ERR_NOT_SUPERVISED', service: dir }));
  });

  test('a control FIFO nobody reads is ERR_NOT_SUPERVISED', () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    mkdirSync(join(dir, 'supervise'));
    execFileSync('mkfifo', [join(dir, 'supervise', 'control')]);
    expect(() => sendCommand(dir, 'up')).toThrow(expect.objectContaining({ code: 'ERR_NOT_SUPERVISED' }));
  });

  test('a missing directory is ERR_SYSTEM with ENOENT', () => {
    const dir = join(tempRoot(), 'nowhere');
    expect(() => sendCommand(dir, 'up')).toThrow(expect.objectContaining({ code: 'ERR_SYSTEM', systemCode: 'ENOENT' }));
    expect(() => isSupervised(dir)).toThrow(expect.objectContaining({ code: 'ERR_SYSTEM', systemCode: 'ENOENT' }));
  });
});

describe.skipIf(!HAVE_C)('isSupervised agrees with C svok', () => {
  const svok = (dir: string): number | null => spawnSync(join(C_BIN, 'svok'), [dir]).status;

  test.each([
    ['running', 'running'],
    ['never supervised', 'never'],
    ['supervise gone, files left', 'gone'],
  ] as const)('%s', async (_name, state) => {
    const dir = makeService(join(tempRoot(), 'svc'));
    if (state !== 'never') {
      const child = await startC(dir);
      if (state === 'gone') {
        sendCommand(dir, 'down', 'exit');
        await exited(child);
      }
    }
    expect(isSupervised(dir)).toBe(svok(dir) === 0);
    expect(svok(dir)).toBe(state === 'running' ? 0 : 100);
  });
});
