// src/native/platform.ts: the profile is read once, and the portable addon answers as a non-Linux
// build of native/ does (ENOSYS for Linux's calls, "nothing done" for glibc's and the shim's).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { portableBinding } from '../../../src/native/platform.js';
import type { NativeBinding } from '../../../src/native/binding.js';

const ROOT = join(__dirname, '..', '..', '..');

describe('branches()', () => {
  const chosen = (env: NodeJS.ProcessEnv, script = ''): string =>
    execFileSync(process.execPath, ['-e', `${script}const p = require('./dist/native/platform.js'); console.log(p.branches())`], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
    }).trim();

  test.each([
    [{}, process.platform === 'linux' ? 'linux' : 'portable'],
    [{ DAEMONTOOLS_PROFILE: 'portable' }, 'portable'],
    [{ DAEMONTOOLS_PROFILE: 'linux' }, process.platform === 'linux' ? 'linux' : 'portable'],
    [{ DAEMONTOOLS_PROFILE: '' }, process.platform === 'linux' ? 'linux' : 'portable'],
  ])('%o: %s', (env, expected) => {
    expect(chosen(env)).toBe(expected);
  });

  test('read once: a later change of the environment changes nothing', () => {
    const script = "const q = require('./dist/native/platform.js'); q.branches(); process.env.DAEMONTOOLS_PROFILE = 'portable'; ";
    expect(chosen({}, script)).toBe(process.platform === 'linux' ? 'linux' : 'portable');
  });
});

describe('portableBinding', () => {
  const calls: string[] = [];
  const names = ['pidfdOpen', 'pidfdGetfd', 'tee', 'splice', 'setfsuid', 'setfsgid', 'setgroupsThread', 'setgidThread', 'setuidThread', 'getpeercred', 'setChildSubreaper', 'mallocTrim', 'releaseSignals', 'madvise', 'pipe', 'spawn'];
  const real = Object.fromEntries(names.map((name) => [name, () => (calls.push(name), 'real')])) as unknown as NativeBinding;
  const masked = portableBinding(real) as unknown as Record<string, (...a: unknown[]) => unknown>;

  test.each([
    ['pidfdOpen', 'pidfd_open'],
    ['pidfdGetfd', 'pidfd_getfd'],
    ['tee', 'tee'],
    ['splice', 'splice'],
    ['setfsuid', 'setfsuid'],
    ['setfsgid', 'setfsgid'],
    ['setgroupsThread', 'setgroups'],
    ['setgidThread', 'setgid'],
    ['setuidThread', 'setuid'],
    ['getpeercred', 'getsockopt'],
    ['setChildSubreaper', 'prctl'],
  ])('%s throws ENOSYS from %s, as native/ built elsewhere', (name, syscall) => {
    expect(() => masked[name]!(1, 2, 3)).toThrow(expect.objectContaining({ code: 'ENOSYS', syscall }));
  });

  test.each([['mallocTrim'], ['releaseSignals']])('%s does nothing and says so', (name) => {
    expect(masked[name]!()).toBe(false);
  });

  test.each([['madvise'], ['pipe'], ['spawn']])('%s is the real call', (name) => {
    calls.length = 0;
    expect(masked[name]!()).toBe('real');
    expect(calls).toEqual([name]);
  });
});
