// Failures after the start, C multilog and ours side by side: each pauses 5 seconds with C's
// warning and tries again, and loses or doubles nothing. A full disk is a small tmpfs (root only).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { HAVE_C, IS_ROOT } from '../helpers/paths.js';
import { multilogOf, normalize, snapshot, SIDES, type Side, type Tree } from './multilog-golden.js';

const root = mkdtempSync(join(tmpdir(), 'dt-multilog-errors-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync('umount', [m]);
  rmSync(root, { recursive: true, force: true });
});

/** A tmpfs of `kb` kilobytes. */
function smallDisk(name: string, kb: number): string {
  const dir = join(root, name);
  mkdirSync(dir);
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir]);
  if (r.status !== 0) throw new Error(`mount: ${r.stderr}`);
  mounts.push(dir);
  return dir;
}

/** Root in a container may still be refused mount(2). */
const CAN_MOUNT = IS_ROOT && (() => {
  try {
    smallDisk('probe', 16);
    return true;
  } catch {
    return false;
  }
})();

interface Logger {
  readonly stderr: () => string;
  write(text: string): void;
  /** Resolves when stderr has `count` lines. */
  lines(count: number): Promise<void>;
  close(): Promise<{ status: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
}

function start(side: Side, cwd: string, args: readonly string[]): Logger {
  const child = spawn(multilogOf(side), args, { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.setEncoding('latin1').on('data', (d: string) => (err += d));
  const exited = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (status, signal) => resolve({ status, signal })),
  );
  const closed = new Promise((resolve) => child.stderr!.on('close', resolve));
  return {
    stderr: () => normalize(err),
    write: (text) => void child.stdin!.write(text),
    async lines(count) {
      for (let i = 0; i < 600 && err.split('\n').length <= count; i++) await delay(50);
    },
    async close() {
      child.stdin!.end();
      const r = await exited;
      await closed;
      return r;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const LINES = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 90)}\n`).join('');

describe.skipIf(!HAVE_C || !CAN_MOUNT).concurrent('a full disk', () => {
  test.each(SIDES)('%s: current cannot grow; space comes back; every line is there once', async (side) => {
    const disk = smallDisk(`full-${side}`, 64);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(56 * 1024));
    const logger = start(side, disk, ['s16777215', './d']);
    logger.write(LINES);
    await logger.lines(1);
    rmSync(join(disk, 'filler'));
    const exit = await logger.close();
    expect(exit).toEqual({ status: 0, signal: null });
    expect(logger.stderr()).toBe('multilog: warning: unable to write to ./d/current, pausing: out of disk space\n');
    expect(readFileSync(join(disk, 'd', 'current'), 'latin1')).toBe(LINES);
  });

  test.each(SIDES)('%s: the status file cannot be written', async (side) => {
    const disk = smallDisk(`status-${side}`, 16);
    writeFileSync(join(disk, 'filler'), Buffer.alloc(16 * 1024));
    const logger = start(side, disk, ['=st']);
    logger.write('one\n');
    await logger.lines(1);
    rmSync(join(disk, 'filler'));
    expect(await logger.close()).toEqual({ status: 0, signal: null });
    expect(logger.stderr()).toBe('multilog: warning: unable to write st, pausing: out of disk space\n');
    expect(readFileSync(join(disk, 'st'), 'latin1')).toBe(`one${'\n'.repeat(998)}`);
  });
});

interface Ended {
  readonly stderr: string;
  readonly tree: Tree;
  readonly exit: { status: number | null; signal: NodeJS.Signals | null };
}

async function bothSides(run: (side: Side, work: string) => Promise<Ended>): Promise<Record<Side, Ended>> {
  const works = SIDES.map((side) => {
    const w = join(root, `${side}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(w);
    return w;
  });
  const [c, ours] = await Promise.all(SIDES.map((side, i) => run(side, works[i])));
  return { c, ours };
}

describe.skipIf(!HAVE_C).concurrent('pauses', () => {
  test('the log directory removed: rotating cannot rename current', async () => {
    const r = await bothSides(async (side, work) => {
      const logger = start(side, work, ['s4096', './d']);
      logger.write('one\n');
      for (let i = 0; i < 100 && !existsSync(join(work, 'd', 'current')); i++) await delay(50);
      await delay(300);
      rmSync(join(work, 'd'), { recursive: true });
      logger.write(LINES);
      await logger.lines(1);
      await logger.kill();
      return { stderr: logger.stderr(), tree: snapshot(work), exit: { status: null, signal: 'SIGKILL' } };
    });
    expect(r.ours.stderr).toBe(r.c.stderr);
    expect(r.c.stderr).toBe('multilog: warning: unable to rename current to previous in directory ./d, pausing: file does not exist\n');
  });

  test('a processor that fails once is run again', async () => {
    const r = await bothSides(async (side, work) => {
      const logger = start(side, work, ['s4096', '!test -e failed || { touch failed; exit 1; }; tr a-z A-Z', './d']);
      logger.write(LINES.slice(0, 5000));
      await logger.lines(1);
      const exit = await logger.close();
      return { stderr: logger.stderr(), tree: snapshot(work), exit };
    });
    expect(r.ours).toEqual(r.c);
    expect(r.c.stderr).toBe('multilog: warning: processor failed in ./d, pausing\n');
  });

  test('a processor that crashes: the errno C is left with, then "failed"', async () => {
    const r = await bothSides(async (side, work) => {
      const logger = start(side, work, ['s4096', '!test -e crashed || { touch crashed; kill -9 $$; }; cat', './d']);
      logger.write(LINES.slice(0, 5000));
      await logger.lines(2);
      const exit = await logger.close();
      return { stderr: logger.stderr(), tree: snapshot(work), exit };
    });
    expect(r.ours).toEqual(r.c);
    expect(r.c.stderr).toBe(
      'multilog: warning: processor crashed in ./d, pausing: file does not exist\nmultilog: warning: processor failed in ./d, pausing\n',
    );
  });

  test('a processor whose state file went away: the child cannot start it', async () => {
    const r = await bothSides(async (side, work) => {
      const logger = start(side, work, ['s4096', '!cat', './d']);
      logger.write('one\n');
      for (let i = 0; i < 100 && !existsSync(join(work, 'd', 'state')); i++) await delay(50);
      rmSync(join(work, 'd', 'state'));
      logger.write(LINES.slice(0, 5000));
      await logger.lines(2);
      writeFileSync(join(work, 'd', 'state'), '');
      const exit = await logger.close();
      return { stderr: logger.stderr(), tree: snapshot(work), exit };
    });
    expect(r.ours).toEqual(r.c);
    expect(r.c.stderr).toBe(
      'multilog: fatal: unable to run cat: file does not exist\nmultilog: warning: processor failed in ./d, pausing\n',
    );
  });
});
