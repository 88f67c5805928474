// Which programs get Node flags of their own is data written at install (scripts/install-bin.cjs
// writes bin/.node-flags beside bin/.launch), not a list compiled into the launcher: the launcher
// passes a program's flags to Node before the entry script, and none to a program not listed. A
// line ending in -e has the entry's text evaluated instead (`node FLAGS -e TEXT DIR ARGV0 args`).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const bin = join(ROOT, 'bin');
const launched = readFileSync(join(bin, 'envdir')).subarray(0, 4).toString('latin1') === '\x7fELF';
const work = mkdtempSync(join(tmpdir(), 'dt-node-flags-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const ENTRY_TEXT = "require('the loader');";

/** A bin/ of launchers whose "node" prints the arguments it is given, one a line. */
function fakeBin(flags: string): string {
  const dir = join(work, `bin${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const node = join(dir, 'fake-node');
  writeFileSync(node, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  writeFileSync(join(dir, 'entry.js'), ENTRY_TEXT);
  writeFileSync(join(dir, '.launch'), `${node}\n${join(dir, 'entry.js')}\n`);
  writeFileSync(join(dir, '.node-flags'), flags);
  for (const program of ['svscan', 'supervise', 'envdir', 'multilog', 'svc']) copyFileSync(join(bin, program), join(dir, program));
  return dir;
}

const argsOf = (dir: string, program: string, ...args: string[]): string[] => {
  const r = spawnSync(join(dir, program), args, { encoding: 'utf8', env: { ...process.env, DAEMONTOOLS_PROFILE: 'portable' } });
  return r.stdout.split('\n').slice(0, -1);
};

// V8's --single-threaded one flag at a time (it would make Node reject its own builtin code cache):
// no background thread allocates while the final exec restores a small RLIMIT_AS.
const SINGLE_THREADED = '--single-threaded-gc --no-concurrent-recompilation --no-concurrent-sparkplug --no-lazy-compile-dispatcher --no-parallel-compile-tasks-for-eager-toplevel --no-parallel-compile-tasks-for-lazy'.split(' ');

// Every program run as a main module: Node takes the launcher's entry path as given (it is already
// resolved), not resolving it again on every start.
const COMMON = ['--preserve-symlinks-main'];
// The short-lived programs start-up is measured on evaluate the entry's text instead.
const EVALUATED = new Set(['svc', 'svok', 'svstat', 'envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack']);
const PROGRAMS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
const OWN: Record<string, string[]> = {
  svscan: ['--max-semi-space-size=1', '--expose-gc', '--no-memory-reducer', '--v8-pool-size=1'],
  supervise: ['--max-semi-space-size=1'],
  svscanboot: ['--max-semi-space-size=1'],
  ...Object.fromEntries(['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack'].map((chain) => [chain, SINGLE_THREADED])),
};

describe.skipIf(!launched)('bin/.node-flags', () => {
  test('the install writes it: the short-lived programs evaluate the entry, the others take its path as given; the long-lived supervision programs keep V8 young generation small, svscan one V8 worker, the chain tools run V8 without background threads', () => {
    const line = (program: string) => (EVALUATED.has(program) ? [program, ...(OWN[program] ?? []), '-e'] : [program, ...COMMON, ...(OWN[program] ?? [])]);
    expect(readFileSync(join(bin, '.node-flags'), 'utf8').split('\n')).toEqual([
      ...PROGRAMS.map((program) => line(program).join(' ')),
      '',
    ]);
  });

  test.each([
    ['svscan', [...COMMON, '--max-semi-space-size=1', '--expose-gc', '--no-memory-reducer', '--v8-pool-size=1'], false],
    ['supervise', [...COMMON, '--max-semi-space-size=1'], false],
    ['multilog', COMMON, false],
    ['envdir', SINGLE_THREADED, true],
    ['svc', [], true],
  ])('%s gets the flags the installed file gives it (evaluated: %s)', (program, flags, evaluated) => {
    const dir = fakeBin(readFileSync(join(bin, '.node-flags'), 'utf8'));
    const entry = evaluated ? ['-e', ENTRY_TEXT, dir] : [join(dir, 'entry.js')];
    expect(argsOf(dir, program, 'x')).toEqual([...flags, ...entry, join(dir, program), 'x']);
  });

  test('the file is what counts: other flags, other programs, several flags, or none at all', () => {
    const dir = fakeBin('envdir --a --b=1\nsvscanx --no\nsvc --c -e\n');
    const entry = join(dir, 'entry.js');
    expect(argsOf(dir, 'envdir')).toEqual(['--a', '--b=1', entry, join(dir, 'envdir')]);
    expect(argsOf(dir, 'svscan')).toEqual([entry, join(dir, 'svscan')]);
    expect(argsOf(dir, 'svc', '-u', 'x')).toEqual(['--c', '-e', ENTRY_TEXT, dir, join(dir, 'svc'), '-u', 'x']);
    rmSync(join(dir, '.node-flags'));
    expect(argsOf(dir, 'supervise')).toEqual([entry, join(dir, 'supervise')]);
  });

  test('an entry that cannot be read for evaluating is a fatal error, exit 111', () => {
    const dir = fakeBin('svc -e\n');
    rmSync(join(dir, 'entry.js'));
    const r = spawnSync(join(dir, 'svc'), ['-u', 'x'], { encoding: 'utf8', env: { ...process.env, DAEMONTOOLS_PROFILE: 'portable' } });
    expect([r.status, r.stdout, r.stderr]).toEqual([111, '', `svc: fatal: unable to read ${join(dir, 'entry.js')}: No such file or directory\n`]);
  });
});
