// supervise() inside this process: C's svc, svok and svstat see an ordinary supervise, and a
// directory a C supervise holds is refused.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { supervise, startScanner, type ScannerProblem, type SupervisedService } from '../../../src/api/embed.js';
import { isSupervised } from '../../../src/api/control.js';
import { waitFor } from '../../../src/api/watch.js';
import { native } from '../../../src/native/index.js';
import { C_BIN, ROOT } from '../../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from './fixture.js';

const HAVE_ADDON = existsSync(join(ROOT, 'build', 'Release', 'daemontools.node'));
const ours: SupervisedService[] = [];

afterEach(async () => {
  for (const s of ours.splice(0)) {
    if (s.supervising) await s.exit();
  }
  await cleanup();
});

describe.skipIf(!HAVE_C || !HAVE_ADDON)('supervise() in this process', () => {
  test('C svstat, svc and svok drive it like a supervise process', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    const service = supervise(dir);
    ours.push(service);
    const up = await waitFor(dir, 'up', { timeout: 10000 });
    expect(service.pid).toBe(up.pid);
    expect(execFileSync(join(C_BIN, 'svstat'), [dir], { encoding: 'utf8' })).toMatch(new RegExp(`^${dir}: up \\(pid ${up.pid}\\) \\d+ seconds\\n$`));
    expect(spawnSync(join(C_BIN, 'svok'), [dir]).status).toBe(0);

    execFileSync(join(C_BIN, 'svc'), ['-d', dir]);
    await waitFor(dir, 'down', { timeout: 10000 });
    expect(service.pid).toBeNull();

    execFileSync(join(C_BIN, 'svc'), ['-x', dir]);
    await service.done;
    expect(service.supervising).toBe(false);
    expect(isSupervised(dir)).toBe(false);
  });

  test('exit() takes the service down and ends supervision', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    const service = supervise(dir);
    ours.push(service);
    const { pid } = await waitFor(dir, 'up', { timeout: 10000 });
    await service.exit();
    expect(() => process.kill(pid!, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    expect(isSupervised(dir)).toBe(false);
  });

  test('a directory held by C supervise is ERR_ALREADY_SUPERVISED', async () => {
    const dir = makeService(join(tempRoot(), 'svc'));
    await startC(dir);
    expect(() => supervise(dir)).toThrow(expect.objectContaining({ code: 'ERR_ALREADY_SUPERVISED', service: dir }));
  });

  test('a missing directory is ERR_SYSTEM', () => {
    expect(() => supervise(join(tempRoot(), 'nowhere'))).toThrow(expect.objectContaining({ code: 'ERR_SYSTEM', systemCode: 'ENOENT' }));
  });
});

describe.skipIf(!HAVE_C || !HAVE_ADDON)('startScanner() in this process', () => {
  test('supervises every service and its logger, picks up new ones, and takes all down on close', async () => {
    const scandir = join(tempRoot(), 'service');
    const a = makeService(join(scandir, 'a'), { run: 'echo hello; exec sleep 1000' });
    makeService(join(a, 'log'), { run: 'exec cat > ./got' });
    const problems: unknown[] = [];
    const cwd = process.cwd();
    const scanner = startScanner(scandir, { onProblem: (p) => problems.push(p) });
    try {
      expect(process.cwd()).toBe(cwd);
      const up = await waitFor(a, 'up', { timeout: 10000 });
      await waitFor(join(a, 'log'), 'up', { timeout: 10000 });
      // C svstat sees an ordinary supervise.
      expect(execFileSync(join(C_BIN, 'svstat'), [a], { encoding: 'utf8' })).toContain(`up (pid ${up.pid})`);
      const b = makeService(join(scandir, 'b'));
      await waitFor(b, 'up', { timeout: 10000 });
    } finally {
      await scanner.close();
    }
    for (const dir of ['a', 'a/log', 'b']) expect(isSupervised(join(scandir, dir))).toBe(false);
    expect(readFileSync(join(a, 'log', 'got'), 'utf8')).toBe('hello\n');
    expect(problems).toEqual([]);
  });

  test("lists the scan directory as svscan's rescan does: one survey a scan (names with their stats), stat(2) only for a new service's log/", async () => {
    const scandir = join(tempRoot(), 'service');
    const a = makeService(join(scandir, 'a'));
    symlinkSync(join(scandir, 'nowhere'), join(scandir, 'dangling'));
    const nat = native();
    const surveys = vi.spyOn(nat, 'readdirStat');
    const stats = nat.statId === undefined ? null : vi.spyOn(nat as Required<typeof nat>, 'statId');
    const problems: ScannerProblem[] = [];
    const scanner = startScanner(scandir, { onProblem: (p) => problems.push(p) });
    try {
      await waitFor(a, 'up', { timeout: 10000 });
      const before = surveys.mock.calls.length;
      scanner.rescan();
      expect(surveys.mock.calls.length).toBe(before + 1);
      expect(new Set(surveys.mock.calls.map((c) => c[0]))).toEqual(new Set([scandir]));
      // The dangling symlink's stat came with the listing, failed as stat(2) fails.
      const stat = problems.filter((p) => p.kind === 'scan' && p.problem.kind === 'stat').map((p) => p.kind === 'scan' && p.problem);
      expect(stat[0]).toMatchObject({ kind: 'stat', path: 'dangling', error: { code: 'ENOENT', syscall: 'stat' } });
      if (stats) expect(stats.mock.calls.map((c) => c[0])).toEqual([join(scandir, 'a', 'log')]);
    } finally {
      surveys.mockRestore();
      stats?.mockRestore();
      await scanner.close();
    }
  });

  test('a scan directory that is not there is ERR_SYSTEM', () => {
    expect(() => startScanner(join(tempRoot(), 'nowhere'))).toThrow(expect.objectContaining({ code: 'ERR_SYSTEM', systemCode: 'ENOENT' }));
  });
});
