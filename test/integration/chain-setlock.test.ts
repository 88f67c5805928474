// setlock against C setlock: usage, open and lock failures with and without -x, -n against a held
// lock, waiting for a lock, and the locked descriptor the program gets (number and flags).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { ROOT, Sandbox, type Outcome } from './chain-golden.js';

const box = new Sandbox();
afterAll(() => box.remove());

const PROBE = join(ROOT, 'test', 'fixtures', 'bin', 'probe');
const HOSTILE = join(ROOT, 'test', 'fixtures', 'bin', 'hostile');
const USAGE = 'setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n';

function same(argv: string[], prepare?: () => void): { c: Outcome; ours: Outcome } {
  const result = box.both(argv, { prepare });
  expect(result.ours).toEqual(result.c);
  return result;
}

/** The probe's lines about descriptors open on regular files (the lock files). */
const fdLines = (out: string): string[] => out.split('\n').filter((l) => /^fd \d+ file /.test(l));

describe('usage', () => {
  test.each<[string, string[], string]>([
    ['no arguments', ['setlock'], USAGE],
    ['no program', ['setlock', 'f'], USAGE],
    ['options only', ['setlock', '-n', '-x'], USAGE],
    ['unknown option', ['setlock', '-y', 'f', 'true'], `setlock: illegal option -- y\n${USAGE}`],
    ['unknown option in a bundle', ['setlock', '-nq', 'f', 'true'], `setlock: illegal option -- q\n${USAGE}`],
  ])('%s', (_name, argv, stderr) => {
    const { c } = same(argv);
    expect(c).toMatchObject({ stdout: '', stderr, status: 100 });
  });
});

describe('failures', () => {
  spawnSync('mkfifo', [box.file('fifo')]);
  test.each<[string, string[], string, number]>([
    ['missing directory', ['setlock', 'no/such/f', 'true'], 'setlock: fatal: unable to open no/such/f: file does not exist\n', 111],
    ['missing directory, -x', ['setlock', '-x', 'no/such/f', 'true'], '', 0],
    ['missing directory, -x then -X', ['setlock', '-xX', 'no/such/f', 'true'], 'setlock: fatal: unable to open no/such/f: file does not exist\n', 111],
    ['a directory', ['setlock', '/tmp', 'true'], 'setlock: fatal: unable to open /tmp: is a directory\n', 111],
    ['a FIFO without a reader (non-blocking open)', ['setlock', 'fifo', 'true'], 'setlock: fatal: unable to open fifo: device not configured\n', 111],
    ['program missing', ['setlock', 'lk', 'no-such-program'], 'setlock: fatal: unable to run no-such-program: file does not exist\n', 111],
    ['program missing, -x does not hide it', ['setlock', '-x', 'lk', '/nonexistent'], 'setlock: fatal: unable to run /nonexistent: file does not exist\n', 111],
  ])('%s', (_name, argv, stderr, status) => {
    const { c } = same(argv);
    expect(c).toMatchObject({ stdout: '', stderr, status });
  });

  test('a lock on the same file inside the chain is refused with -n', () => {
    const { c } = same(['setlock', 'lk', 'setlock', '-n', 'lk', 'echo', 'never']);
    expect(c).toMatchObject({ stdout: '', stderr: 'setlock: fatal: unable to lock lk: temporary failure\n', status: 111 });
  });
});

describe('against a lock held by another process', () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.stdin?.end();
    if (holder?.pid !== undefined && holder.exitCode === null) process.kill(holder.pid);
    holder = undefined;
  });

  /** C setlock holding `file` until its stdin closes; resolves once the lock is held. */
  function hold(file: string, after = ''): Promise<ChildProcess> {
    const child = spawn('/usr/bin/setlock', [file, 'sh', '-c', `echo held; cat >/dev/null; ${after}`], { cwd: box.dir });
    holder = child;
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.stdout!.once('data', () => resolve(child));
    });
  }

  test.each<[string, string[], string, number]>([
    ['-n', ['setlock', '-n', 'held', 'echo', 'never'], 'setlock: fatal: unable to lock held: temporary failure\n', 111],
    ['-nx', ['setlock', '-nx', 'held', 'echo', 'never'], '', 0],
    ['-xn after -N: still -n', ['setlock', '-N', '-xn', 'held', 'echo', 'never'], '', 0],
  ])('%s', async (_name, argv, stderr, status) => {
    await hold('held');
    const { c } = same(argv);
    expect(c).toMatchObject({ stdout: '', stderr, status });
  });

  test('without -n, setlock waits for the lock', async () => {
    for (const side of ['c', 'ours'] as const) {
      rmSync(box.file('log'), { force: true });
      const child = await hold('wait', 'echo released >> log');
      box.use(side);
      const waiter = spawn(join(box.bin, 'setlock'), ['-nN', 'wait', 'sh', '-c', 'echo got >> log'], { cwd: box.dir, stdio: 'ignore' });
      const done = new Promise<number | null>((resolve) => waiter.once('exit', resolve));
      child.stdin!.end(); // the holder writes "released" and exits, which frees the lock
      expect(await done).toBe(0);
      expect(readFileSync(box.file('log'), 'utf8')).toBe('released\ngot\n');
    }
  });
});

describe('the descriptor the program holds', () => {
  const fresh = (): void => rmSync(box.file('lk'), { force: true });

  test('the lowest free number, open for appending, non-blocking, locked', () => {
    const { c } = same(['setlock', 'lk', PROBE], fresh);
    expect(fdLines(c.stdout)).toEqual(['fd 3 file w cloexec=0 nonblock=1 append=1 $T/lk locked=1']);
  });

  test('with stdin closed it is descriptor 0', () => {
    const { c } = same([HOSTILE, 'setlock', 'lk', PROBE], fresh);
    expect(fdLines(c.stdout)).toEqual(['fd 0 file w cloexec=0 nonblock=1 append=1 $T/lk locked=1']);
  });

  test('two locks in a chain are 3 and 4', () => {
    const { c } = same(['setlock', 'lk', 'setlock', '-n', 'lk2', PROBE], fresh);
    expect(fdLines(c.stdout)).toEqual([
      'fd 3 file w cloexec=0 nonblock=1 append=1 $T/lk locked=1',
      'fd 4 file w cloexec=0 nonblock=1 append=1 $T/lk2 locked=1',
    ]);
  });

  test('a file named by bytes that are not UTF-8 is locked by that name, and named so in errors', () => {
    const name = Buffer.from(box.file('lk\xe9'), 'latin1');
    for (const side of ['c', 'ours'] as const) {
      rmSync(name, { force: true });
      expect(box.run(side, ['/bin/sh', '-c', `exec setlock "$(printf 'lk\\351')" true`]).status).toBe(0);
      expect(statSync(name).mode & 0o777).toBe(0o600);
    }
    const { c } = same(['/bin/sh', '-c', `exec setlock "$(printf 'no/such\\351')" true`]);
    expect(c).toMatchObject({ stderr: 'setlock: fatal: unable to open no/such\xe9: file does not exist\n', status: 111 });
  });

  test('the file is created with mode 0600 and left with its contents', () => {
    for (const side of ['c', 'ours'] as const) {
      fresh();
      box.run(side, ['setlock', 'lk', 'true']);
      expect(statSync(box.file('lk')).mode & 0o777).toBe(0o600);
    }
    const { c } = same(['setlock', 'lk', 'sh', '-c', 'echo data >&3; cat lk'], fresh);
    expect(c).toMatchObject({ stdout: 'data\n', status: 0 });
  });
});
