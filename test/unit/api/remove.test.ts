// removeService's timeout names the supervisor that did not go: here a "supervise" that holds
// its FIFOs open and ignores what it is told.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { RemoveError, removeService } from '../../../src/api/remove.js';

const fds: number[] = [];
let root = '';
afterEach(() => {
  for (const fd of fds.splice(0)) closeSync(fd);
  rmSync(root, { recursive: true, force: true });
});

test('a supervise that stays: ETIMEDOUT, naming it; the service is out of the scan directory all the same', async () => {
  root = mkdtempSync(join(tmpdir(), 'dt-remove-'));
  const scandir = join(root, 'service');
  const dir = join(scandir, 'stubborn');
  mkdirSync(join(dir, 'supervise'), { recursive: true });
  for (const fifo of ['control', 'ok']) {
    execFileSync('mkfifo', [join(dir, 'supervise', fifo)]);
    fds.push(openSync(join(dir, 'supervise', fifo), constants.O_RDONLY | constants.O_NONBLOCK));
  }
  const hidden = join(scandir, '.stubborn');
  const err = await removeService('stubborn', { scandir, purge: true, timeout: 300, interval: 20 }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RemoveError);
  expect((err as RemoveError).code).toBe('ETIMEDOUT');
  expect((err as RemoveError).waiting).toEqual([hidden]);
  expect((err as RemoveError).message).toBe(`supervise still running after 0.3 s in ${hidden}`);
  // It was told d and x, through its control FIFO; and nothing was purged.
  const got = Buffer.alloc(16);
  expect(got.toString('latin1', 0, readSync(fds[0]!, got))).toBe('dx');
});

test.each([['a/b'], ['.x'], ['']])('a bad name %j is refused before anything is done', async (name) => {
  root = mkdtempSync(join(tmpdir(), 'dt-remove-'));
  await expect(removeService(name, { scandir: root, purge: false, timeout: 100 })).rejects.toMatchObject({ code: 'EBADNAME' });
});
