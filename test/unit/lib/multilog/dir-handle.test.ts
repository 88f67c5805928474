// A log directory held open for good (C's fddir, a multilog of its own) or lent (a host of many
// loggers): either way a rotation lands in the very directory the engine opened, renamed or not,
// and a lent one that cannot be found again is a pause and a retry, never another directory.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { parseScript } from '../../../../src/lib/multilog/script.js';
import { fakeIO } from './fake-io.js';

const root = mkdtempSync(join(tmpdir(), 'dt-dirhandle-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;
const sandbox = (): string => {
  const dir = join(root, String(serial++));
  mkdirSync(dir);
  return dir;
};

/** How many of our descriptors are open on `dir` itself. */
function heldOn(dir: string): number {
  const ino = statSync(dir).ino;
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === dir || statSync(`/proc/self/fd/${fd}`).ino === ino;
    } catch {
      return false;
    }
  }).length;
}

const stamped = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('@')).sort();
const read = (file: string): string => readFileSync(file, 'latin1');

describe.skipIf(process.platform !== 'linux').each([
  ['held (a multilog of its own, as C)', true, 1],
  ['lent (hosted in svscan)', false, 0],
])('the directory %s', (_what, hold, descriptors) => {
  test(`holds ${descriptors} descriptor on the directory while it writes`, async () => {
    const cwd = sandbox();
    const engine = await Multilog.open(parseScript(['./d']), fakeIO(), { cwd, holdDirectories: hold });
    await engine.push(Buffer.from('one\n'));
    expect(heldOn(join(cwd, 'd'))).toBe(descriptors);
    await engine.end();
    engine.release();
    expect(heldOn(join(cwd, 'd'))).toBe(0);
  });

  test('a rotation after the directory was renamed lands in it, as with C’s fddir', async () => {
    const cwd = sandbox();
    const io = fakeIO();
    const engine = await Multilog.open(parseScript(['./d']), io, { cwd, holdDirectories: hold });
    await engine.push(Buffer.from('one\n'));
    renameSync(join(cwd, 'd'), join(cwd, 'e'));
    engine.setWaiting(true);
    await engine.rotate();
    engine.setWaiting(false);
    await engine.push(Buffer.from('two\n'));
    await engine.end();
    engine.release();
    expect(existsSync(join(cwd, 'd'))).toBe(false);
    const [old, ...more] = stamped(join(cwd, 'e'));
    expect(more).toEqual([]);
    expect(read(join(cwd, 'e', old!))).toBe('one\n');
    expect(read(join(cwd, 'e', 'current'))).toBe('two\n');
    expect(io.messages).toEqual([]);
  });
});

test.skipIf(process.platform !== 'linux')('lent, and found neither by its lock nor by its name: a pause, a retry, and never the other directory', async () => {
  const cwd = sandbox();
  const io = fakeIO();
  const engine = await Multilog.open(parseScript(['./d']), io, { cwd, holdDirectories: false });
  await engine.push(Buffer.from('one\n'));
  // The lock file goes, the directory moves away, and another takes its name.
  unlinkSync(join(cwd, 'd', 'lock'));
  renameSync(join(cwd, 'd'), join(cwd, 'away'));
  mkdirSync(join(cwd, 'd'));
  // The pause puts the directory back where it was.
  io.sleep = async () => {
    io.pauses++;
    rmdirSync(join(cwd, 'd'));
    renameSync(join(cwd, 'away'), join(cwd, 'd'));
  };
  engine.setWaiting(true);
  await engine.rotate();
  engine.setWaiting(false);
  await engine.push(Buffer.from('two\n'));
  await engine.end();
  engine.release();
  expect(io.pauses).toBe(1);
  expect(io.messages).toEqual(['warning: unable to rename current to previous in directory ./d, pausing: ESTALE']);
  const [old] = stamped(join(cwd, 'd'));
  expect(read(join(cwd, 'd', old!))).toBe('one\n');
  expect(read(join(cwd, 'd', 'current'))).toBe('two\n');
});
