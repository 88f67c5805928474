// listServices against C svscan itself: C svscan runs over the same scan directory with a stand-in
// `supervise` on its PATH that records what it was started on; our list must name the same.
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { listServices, listServicesSync, type ServiceEntry } from '../../../src/api/services.js';
import { C_BIN } from '../../helpers/paths.js';
import { cleanup, HAVE_C, makeService, tempRoot } from './fixture.js';

afterEach(cleanup);

/** A scan directory with every kind of entry svscan has a rule for. */
function scanDir(): string {
  const root = tempRoot();
  const scan = join(root, 'service');
  mkdirSync(scan);
  makeService(join(scan, 'a'));
  makeService(join(scan, 'b'), { log: true });
  makeService(join(scan, 'c'));
  writeFileSync(join(scan, 'c', 'log'), 'not a directory, but svscan only stats it\n');
  makeService(join(scan, 'd'));
  symlinkSync(join(root, 'nowhere'), join(scan, 'd', 'log'));
  makeService(join(scan, '.hidden'));
  writeFileSync(join(scan, 'file'), '');
  makeService(join(root, 'elsewhere'), { log: true });
  symlinkSync(join(root, 'elsewhere'), join(scan, 'ext'));
  symlinkSync(join(root, 'nowhere'), join(scan, 'dangling'));
  return scan;
}

/** What our list says svscan starts: `name` and `name/log`. */
const started = (list: readonly ServiceEntry[]): string[] => list.flatMap((s) => [s.name, ...(s.log ? [`${s.name}/log`] : [])]).sort();

describe('listServices', () => {
  test.each([
    ['listServices', listServices],
    ['listServicesSync', async (dir: string) => listServicesSync(dir)],
  ] as const)('follows svscan\'s rules (%s)', async (_name, list) => {
    const scan = scanDir();
    const services = await list(scan);
    expect(services).toEqual([
      { name: 'a', dir: join(scan, 'a'), log: null },
      { name: 'b', dir: join(scan, 'b'), log: join(scan, 'b', 'log') },
      { name: 'c', dir: join(scan, 'c'), log: join(scan, 'c', 'log') },
      { name: 'd', dir: join(scan, 'd'), log: null },
      { name: 'ext', dir: join(scan, 'ext'), log: join(scan, 'ext', 'log') },
    ]);
  });

  test('two links to one directory are one service', async () => {
    const scan = scanDir();
    symlinkSync(join(scan, 'a'), join(scan, 'z-link-to-a'));
    symlinkSync(join(scan, 'a'), join(scan, '0-link-to-a'));
    const names = (await listServices(scan)).map((s) => s.name);
    expect(names.filter((n) => n === 'a' || n.endsWith('link-to-a'))).toHaveLength(1);
  });

  test('an unreadable scan directory is ERR_SYSTEM', async () => {
    await expect(listServices(join(tempRoot(), 'nowhere'))).rejects.toMatchObject({ code: 'ERR_SYSTEM', systemCode: 'ENOENT' });
  });

  test.skipIf(!HAVE_C)('names what C svscan starts a supervise for', async () => {
    const scan = scanDir();
    const root = join(scan, '..');
    const fakeBin = join(root, 'fake-bin');
    const record = join(root, 'started');
    mkdirSync(fakeBin);
    writeFileSync(record, '');
    // Records "pid cwd dir", then waits to be killed (so svscan has no reason to start it again).
    writeFileSync(join(fakeBin, 'supervise'), `#!/bin/sh\necho "$$ $(pwd) $1" >> ${record}\nexec sleep 1000\n`);
    chmodSync(join(fakeBin, 'supervise'), 0o755);
    const expected = started(await listServices(scan));

    const svscan = spawn(join(C_BIN, 'svscan'), [scan], { env: { PATH: `${fakeBin}:/usr/bin:/bin` }, stdio: 'ignore' });
    const lines = (): string[] => readFileSync(record, 'utf8').split('\n').filter(Boolean);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => (w.close(), reject(new Error(`svscan started ${lines().length}, not ${expected.length}`))), 15000);
        const w = watch(record, () => {
          if (lines().length < expected.length) return;
          clearTimeout(timer);
          w.close();
          resolve();
        });
        w.emit('change');
      });
      // Anything more C svscan would start comes in the same scan: give it a moment to show.
      await new Promise((r) => setTimeout(r, 500));
      // A log's supervise runs in the service directory, which the shell names by its real path.
      const byRealPath = new Map((await listServices(scan)).map((s) => [realpathSync(s.dir), s.name]));
      const seen = lines()
        .map((l) => l.split(' '))
        .map(([, cwd, dir]) => (dir === 'log' ? `${byRealPath.get(cwd!) ?? cwd}/log` : dir!))
        .sort();
      expect(seen).toEqual(expected);
    } finally {
      svscan.kill('SIGKILL');
      for (const line of lines()) {
        try {
          process.kill(Number(line.split(' ')[0]), 'SIGKILL');
        } catch {
          // Gone.
        }
      }
    }
  });
});
