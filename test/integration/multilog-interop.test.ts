// C daemontools and ours on the same log directories: each continues what the other left (closed
// cleanly or killed mid-rotation), they keep each other out, and C's tai64nlocal reads our stamps.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { parseStamp, stampToUnix } from '../../src/lib/tai64n.js';
import { HAVE_C, theirs } from '../helpers/paths.js';
import { mixedInput, multilogOf, snapshot, type Side } from './multilog-golden.js';

const root = mkdtempSync(join(tmpdir(), 'dt-multilog-interop-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
}

/** Runs one side in `work` with input from a file (so C cuts files at the same places). */
function runIn(work: string, side: Side, args: readonly string[], input: Buffer | string): Run {
  const file = join(root, `input-${process.pid}`);
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  try {
    const r = spawnSync(multilogOf(side), args, { cwd: work, stdio: [fd, 'ignore', 'pipe'], timeout: 60_000 });
    if (r.error) throw r.error;
    return { status: r.status, signal: r.signal, stderr: r.stderr.toString('latin1').replace(/@[0-9a-f]{24}/g, '@STAMP') };
  } finally {
    closeSync(fd);
  }
}

let serial = 0;
const freshWork = (): string => {
  const work = join(root, `w${serial++}`);
  mkdirSync(work);
  return work;
};

const PHASES = [mixedInput(11, 30_000), mixedInput(12, 25_000, false), mixedInput(13, 40_000)];
const ARGS = ['t', 's4096', 'n6', './d'];

describe.skipIf(!HAVE_C)('taking turns on one directory', () => {
  test.each<[string, readonly Side[]]>([
    ['ours, C, ours', ['ours', 'c', 'ours']],
    ['C, ours, C', ['c', 'ours', 'c']],
    ['ours, ours, C', ['ours', 'ours', 'c']],
  ])('%s leave what C, C, C leave', (_name, order) => {
    const mixed = freshWork();
    const pure = freshWork();
    order.forEach((side, i) => {
      const a = runIn(mixed, side, ARGS, PHASES[i]);
      const b = runIn(pure, 'c', ARGS, PHASES[i]);
      expect(a).toEqual(b);
    });
    expect(snapshot(mixed)).toEqual(snapshot(pure));
  });

  test.each<[string, Side, Side]>([
    ['ours killed mid-rotation, C picks up', 'ours', 'c'],
    ['C killed mid-rotation, ours picks up', 'c', 'ours'],
  ])('%s', (_name, killed, next) => {
    // The processor kills its multilog after writing `processed` and `newstate`, before they are marked done.
    const args = ['s4096', 'n4', '!cat; echo st >&5; kill -9 $PPID', './d'];
    const input = mixedInput(21, 20_000);
    const mixed = freshWork();
    const pure = freshWork();
    const a = runIn(mixed, killed, args, input);
    const b = runIn(pure, 'c', args, input);
    expect(a).toEqual(b);
    expect(a.signal).toBe('SIGKILL');
    expect(snapshot(mixed)).toEqual(snapshot(pure));
    const after = ['s4096', 'n4', './d'];
    expect(runIn(mixed, next, after, 'after\n')).toEqual(runIn(pure, 'c', after, 'after\n'));
    expect(snapshot(mixed)).toEqual(snapshot(pure));
  });
});

describe.skipIf(!HAVE_C)('our stamps', () => {
  test("are C's: tai64nlocal reads them, they are taken while we run, in order, microseconds", () => {
    const work = freshWork();
    const from = Date.now() * 1000;
    const r = runIn(work, 'ours', ['t', 's4096', 'n100', './d'], mixedInput(5, 100_000));
    const to = (Date.now() + 1) * 1000;
    expect(r.status).toBe(0);
    const d = join(work, 'd');
    const names = readdirSync(d).filter((n) => n.startsWith('@')).sort();
    expect(names.length).toBeGreaterThan(5);
    const files = [...names, 'current'];
    const text = files.map((n) => readFileSync(join(d, n), 'latin1')).join('');
    const micros = (s: string): number => {
      const stamp = parseStamp(s)!;
      expect(stamp.nanoseconds % 1000).toBe(500);
      const u = stampToUnix(stamp);
      return Number(u.seconds) * 1e6 + (stamp.nanoseconds - 500) / 1000;
    };
    const lineStamps = text
      .split('\n')
      .slice(0, -1)
      .map((line) => micros(line.slice(0, 25)));
    const nameStamps = names.map((n) => micros(n.slice(0, 25)));
    for (const list of [lineStamps, nameStamps]) {
      expect([...list].sort((x, y) => x - y)).toEqual(list);
      expect(list[0]).toBeGreaterThanOrEqual(from);
      expect(list[list.length - 1]).toBeLessThanOrEqual(to);
    }
    const local = spawnSync(theirs('tai64nlocal'), [], { input: text, maxBuffer: 1 << 26 });
    const lines = local.stdout.toString('latin1').split('\n').slice(0, -1);
    expect(lines).toHaveLength(lineStamps.length);
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{9} /);
  });
});

describe.skipIf(!HAVE_C)('the lock', () => {
  test.each<[Side, Side]>([
    ['c', 'ours'],
    ['ours', 'c'],
  ])('%s holds ./d: %s cannot have it', async (holder, other) => {
    const work = freshWork();
    const child = spawn(multilogOf(holder), ['./d'], { cwd: work, stdio: ['pipe', 'ignore', 'ignore'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    try {
      for (let i = 0; i < 100 && !readdirSync(work).includes('d'); i++) await delay(50);
      await delay(300);
      const r = runIn(work, other, ['./d'], 'x\n');
      expect(r).toEqual({ status: 111, signal: null, stderr: 'multilog: fatal: unable to lock directory ./d: temporary failure\n' });
    } finally {
      child.stdin!.end('held\n');
      await exited;
    }
    expect(readFileSync(join(work, 'd', 'current'), 'latin1')).toBe('held\n');
  });
});
