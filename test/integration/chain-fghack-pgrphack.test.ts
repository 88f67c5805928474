// fghack and pgrphack against the C tools: usage, exit codes passed on, crashes, exec failures
// with PATH lookup, the thirty-one copies of fghack's pipe, waiting for background children,
// and pgrphack's new session (and its ignored failure).
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, Sandbox, type Outcome, type RunOptions } from './chain-golden.js';

const box = new Sandbox();
afterAll(() => box.remove());

const PROBE = join(ROOT, 'test', 'fixtures', 'bin', 'probe');
const HOSTILE = join(ROOT, 'test', 'fixtures', 'bin', 'hostile');

function same(argv: string[], options?: RunOptions): { c: Outcome; ours: Outcome } {
  const result = box.both(argv, options);
  expect(result.ours).toEqual(result.c);
  return result;
}

/** Descriptors on which the probe holds a pipe's write end (below 200: the test runner's own parent may leak some up there). */
const pipeFds = (out: string): number[] =>
  out
    .split('\n')
    .filter((l) => / fifo w cloexec=0 nonblock=0 append=0 -$/.test(l))
    .map((l) => Number(l.split(' ')[1]))
    .filter((fd) => fd < 200);
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// A directory on PATH with a non-executable `prog` before one with an executable `prog`.
mkdirSync(box.file('noexec'));
mkdirSync(box.file('exec'));
writeFileSync(box.file('noexec', 'prog'), '#!/bin/sh\necho wrong\n');
writeFileSync(box.file('exec', 'prog'), '#!/bin/sh\necho right "$@"\n');
chmodSync(box.file('exec', 'prog'), 0o755);
writeFileSync(box.file('noexec', 'only'), '#!/bin/sh\necho only\n');

describe.each(['fghack', 'pgrphack'])('%s', (tool) => {
  test.each<[string, string[], Partial<Outcome>, RunOptions?]>([
    ['no arguments', [], { stderr: `${tool}: usage: ${tool} child\n`, status: 100 }],
    ['missing program', ['/nonexistent'], { stderr: `${tool}: fatal: unable to run /nonexistent: file does not exist\n`, status: 111 }],
    ['missing on PATH', ['no-such-program'], { stderr: `${tool}: fatal: unable to run no-such-program: file does not exist\n`, status: 111 }],
    ['a directory', ['/tmp'], { stderr: `${tool}: fatal: unable to run /tmp: access denied\n`, status: 111 }],
    [
      'PATH: past a non-executable file to the next entry',
      ['prog', 'a'],
      { stdout: 'right a\n', status: 0 },
      { env: { PATH: `${box.file('noexec')}:${box.file('exec')}:/usr/bin:/bin` } },
    ],
    [
      'PATH: only a non-executable file',
      ['only'],
      { stderr: `${tool}: fatal: unable to run only: access denied\n`, status: 111 },
      { env: { PATH: `${box.file('noexec')}:${box.file('exec')}:/usr/bin:/bin` } },
    ],
    ['exit code passed on', ['sh', '-c', 'exit 7'], { status: 7 }],
  ])('%s', (_name, args, expected, options) => {
    const { c } = same([tool, ...args], options);
    expect(c).toMatchObject(expected);
  });
});

describe('fghack', () => {
  test.each<[string, string, number]>([
    ['exit 0', 'exit 0', 0],
    ['exit 255', 'exit 255', 255],
  ])('%s', (_name, script, status) => {
    const { c } = same(['fghack', 'sh', '-c', script]);
    expect(c.status).toBe(status);
  });

  test('a child killed by a signal has crashed', () => {
    const { c } = same(['fghack', 'sh', '-c', 'kill -9 $$']);
    expect(c).toMatchObject({ stdout: '', stderr: 'fghack: fatal: child crashed\n', status: 111 });
  });

  test('a parent that ignores SIGCHLD: the child is reaped for fghack, whose wait fails', () => {
    const python = ['/usr/bin/python3', '-c', 'import os, signal, sys; signal.signal(signal.SIGCHLD, signal.SIG_IGN); os.execv(sys.argv[1], sys.argv[1:])'];
    const { c } = same([...python, box.file('bin', 'fghack'), 'sh', '-c', 'exit 5']);
    expect(c).toMatchObject({ stderr: 'fghack: fatal: wait failed: no child processes\n', status: 111 });
    const failed = same([...python, box.file('bin', 'fghack'), '/nonexistent']);
    expect(failed.c).toMatchObject({
      stderr: 'fghack: fatal: unable to run /nonexistent: file does not exist\nfghack: fatal: wait failed: no child processes\n',
      status: 111,
    });
  });

  test('the program holds the pipe at descriptors 3 to 33', () => {
    const { c } = same(['fghack', PROBE]);
    expect(pipeFds(c.stdout)).toEqual(range(3, 33));
  });

  test('around inherited descriptors (hostile parent: 0 closed, 5 and 6 open)', () => {
    const { c } = same([HOSTILE, 'fghack', PROBE]);
    expect(pipeFds(c.stdout)).toEqual([0, 3, 4, ...range(7, 34)]);
  });

  test('fghack waits for what the program left running in the background', () => {
    const script = '(sleep 0.3; echo late > out) >/dev/null 2>&1 & exit 3';
    for (const side of ['c', 'ours'] as const) {
      rmSync(box.file('out'), { force: true });
      expect(box.run(side, ['fghack', 'sh', '-c', script])).toMatchObject({ stderr: '', status: 3 });
      expect(readFileSync(box.file('out'), 'utf8')).toBe('late\n'); // written before fghack returned
    }
  });

  test('after a chain: the environment and the lock reach the program, the pipe goes above the lock', () => {
    mkdirSync(box.file('E'), { recursive: true });
    writeFileSync(box.file('E', 'FOO'), 'bar\n');
    const { c } = same(['envdir', 'E', 'setlock', 'lk', 'softlimit', '-o', '100', 'fghack', PROBE]);
    expect(c.stdout).toContain('env FOO=bar\n');
    expect(c.stdout).toMatch(/^fd 3 file w cloexec=0 nonblock=1 append=1 \$T\/lk locked=1$/m);
    expect(c.stdout).toMatch(/^rlimit 7 100 /m);
    expect(pipeFds(c.stdout)).toEqual(range(4, 34));
  });
});

describe('pgrphack', () => {
  test('the program leads a new session', () => {
    const { c } = same(['pgrphack', PROBE]);
    expect(c.stdout).toContain('pgrp-leader 1 session-leader 1\n');
  });

  test('already a process group leader: setsid fails and pgrphack carries on', () => {
    const python = ['/usr/bin/python3', '-c', 'import os, sys; os.setpgid(0, 0); os.execv(sys.argv[1], sys.argv[1:])'];
    const { c } = same([...python, box.file('bin', 'pgrphack'), PROBE]);
    expect(c.stdout).toContain('pgrp-leader 1 session-leader 0\n');
  });
});
