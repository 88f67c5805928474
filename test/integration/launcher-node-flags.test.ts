// Which programs get Node flags of their own is data written at install (scripts/install-bin.cjs
// writes bin/.node-flags beside bin/.launch), not a list compiled into the launcher: the launcher
// passes a program's flags to Node before the entry script, and none to a program not listed.
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

/** A bin/ of launchers whose "node" prints the arguments it is given, one a line. */
function fakeBin(flags: string): string {
  const dir = join(work, `bin${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir);
  const node = join(dir, 'fake-node');
  writeFileSync(node, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
  writeFileSync(join(dir, '.launch'), `${node}\n/entry.js\n`);
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

// Every program: Node takes the launcher's entry path as given (it is already resolved), not
// resolving it again on every start, reads no OpenSSL configuration file for crypto none uses,
// and works out no global package paths nor Web Crypto globals, which none uses either.
const COMMON = ['--preserve-symlinks-main', '--openssl-config=/dev/null', '--no-global-search-paths', '--no-experimental-global-webcrypto'];
// The programs that exit or exec within milliseconds: one V8 worker thread, not four.
const SHORT_LIVED = ['--v8-pool-size=1'];
const PROGRAMS = Object.keys((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin);
const OWN: Record<string, string[]> = {
  svscan: ['--max-semi-space-size=1', '--expose-gc', '--no-memory-reducer', '--v8-pool-size=1'],
  supervise: ['--max-semi-space-size=1'],
  svscanboot: ['--max-semi-space-size=1'],
  ...Object.fromEntries(['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack'].map((chain) => [chain, [...SINGLE_THREADED, ...SHORT_LIVED]])),
  ...Object.fromEntries(['svc', 'svok', 'svstat'].map((tool) => [tool, SHORT_LIVED])),
};

describe.skipIf(!launched)('bin/.node-flags', () => {
  test('the install writes it: every program takes its entry path as given and skips OpenSSL\'s configuration; the long-lived supervision programs keep V8 young generation small, svscan and the short-lived programs one V8 worker, the chain tools run V8 without background threads', () => {
    expect(readFileSync(join(bin, '.node-flags'), 'utf8').split('\n')).toEqual([
      ...PROGRAMS.map((program) => [program, ...COMMON, ...(OWN[program] ?? [])].join(' ')),
      '',
    ]);
  });

  test.each([
    ['svscan', [...COMMON, '--max-semi-space-size=1', '--expose-gc', '--no-memory-reducer', '--v8-pool-size=1']],
    ['supervise', [...COMMON, '--max-semi-space-size=1']],
    ['multilog', COMMON],
    ['envdir', [...COMMON, ...SINGLE_THREADED, ...SHORT_LIVED]],
    ['svc', [...COMMON, ...SHORT_LIVED]],
  ])('%s gets the flags the installed file gives it', (program, flags) => {
    const dir = fakeBin(readFileSync(join(bin, '.node-flags'), 'utf8'));
    expect(argsOf(dir, program, 'x')).toEqual([...flags, '/entry.js', join(dir, program), 'x']);
  });

  test('the file is what counts: other flags, other programs, several flags, or none at all', () => {
    const dir = fakeBin('envdir --a --b=1\nsvscanx --no\n');
    expect(argsOf(dir, 'envdir')).toEqual(['--a', '--b=1', '/entry.js', join(dir, 'envdir')]);
    expect(argsOf(dir, 'svscan')).toEqual(['/entry.js', join(dir, 'svscan')]);
    rmSync(join(dir, '.node-flags'));
    expect(argsOf(dir, 'supervise')).toEqual(['/entry.js', join(dir, 'supervise')]);
  });
});
