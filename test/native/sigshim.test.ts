// native/sigshim.c, the object the launcher preloads into a standalone multilog's Node, is tied to
// no C library: each build of it (node-gyp's, cmake-js's) names none, and preloaded into a program
// built against glibc and one built against musl it holds SIGTERM and SIGALRM through every kind
// of mask change, cleans the environment, releases on request, and otherwise changes nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/paths.js';

const { elfNeeds } = require('../../scripts/elf-needs.cjs') as { elfNeeds: (file: string) => { needed: string[]; versioned: boolean } };

const SHIMS = (
  [
    ['node-gyp', join(ROOT, 'build', 'Release', 'dt-sigshim.so')],
    ['cmake-js', join(ROOT, 'build-cmake', 'Release', 'dt-sigshim.so')],
  ] as const
).filter(([, file]) => existsSync(file));

const has = (cc: string): boolean => spawnSync('sh', ['-c', `command -v ${cc}`]).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'dt-sigshim-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The probe, built against each C library this machine has a compiler for. */
const LIBCS = (
  [
    ['glibc', 'cc', ''],
    ['musl', 'musl-gcc', 'musl-gcc is not installed (apt-get install musl-tools)'],
  ] as const
).map(([libc, cc, reason]) => {
  if (process.platform !== 'linux' || !has(cc)) return { libc, probe: undefined, reason: reason || 'Linux only' };
  const probe = join(dir, `probe-${libc}`);
  execFileSync(cc, ['-O2', '-o', probe, join(ROOT, 'test', 'fixtures', 'shim-probe.c')]);
  return { libc, probe, reason };
});

function run(probe: string, env: Record<string, string>): string {
  const r = spawnSync(probe, [], { env, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** Per step: the kernel's blocked set agrees with libc's answer; TERM, ALRM, USR1 as libc reports them. */
function steps(out: string): Record<string, string> {
  const steps: Record<string, string> = {};
  for (const [, when, term, alrm, usr1] of out.matchAll(/^(.+): libc TERM=(\d) ALRM=(\d) USR1=(\d)$/gm)) {
    const kernel = BigInt(`0x${new RegExp(`^${when!.replace(/[()]/g, '\\$&')}: kernel ([0-9a-f]+)$`, 'm').exec(out)![1]}`);
    expect([(kernel >> 14n) & 1n, (kernel >> 13n) & 1n, (kernel >> 9n) & 1n].join('')).toBe(`${term}${alrm}${usr1}`);
    steps[when!] = `TERM=${term} ALRM=${alrm} USR1=${usr1}`;
  }
  return steps;
}

test.skipIf(process.platform !== 'linux')('there is a shim to test (it is built on Linux only)', () => {
  expect(SHIMS.length).toBeGreaterThan(0);
});

describe.each(SHIMS)('the shim built by %s', (_build, shim) => {
  test('names no shared library and no symbol version', () => {
    expect(elfNeeds(shim)).toEqual({ needed: [], versioned: false });
  });

  describe.each(LIBCS)('preloaded into a $libc program', ({ probe, reason }) => {
    test.skipIf(!probe)(`holds TERM and ALRM until released, and cleans the environment${probe ? '' : ` (skipped: ${reason})`}`, () => {
      const out = run(probe!, { PROBE_A: '1', LD_PRELOAD: shim, DAEMONTOOLS_LD_PRELOAD: '/lib/own.so', DAEMONTOOLS_HOLD_SIGNALS: '1', PROBE_B: '2' });
      // The program's own LD_PRELOAD is back where the shim's was; neither variable is left.
      expect(out.split('\n').filter((l) => l.startsWith('env '))).toEqual(['env PROBE_A=1', 'env LD_PRELOAD=/lib/own.so', 'env PROBE_B=2']);
      expect(steps(out)).toEqual({
        'sigprocmask SETMASK none': 'TERM=1 ALRM=1 USR1=0',
        'pthread_sigmask BLOCK USR1 TERM': 'TERM=1 ALRM=1 USR1=1',
        'pthread_sigmask UNBLOCK USR1 TERM': 'TERM=1 ALRM=1 USR1=0',
        'sigprocmask SETMASK all': 'TERM=1 ALRM=1 USR1=1',
        'pthread_sigmask SETMASK none': 'TERM=1 ALRM=1 USR1=0',
        released: 'TERM=0 ALRM=0 USR1=0',
        'after: sigprocmask SETMASK none': 'TERM=0 ALRM=0 USR1=0',
      });
      expect(out).toContain('old TERM=1\n');
      expect(out).toContain('release: 1\nrel'); // then "released: ..."
      expect(out).toContain('release again: 0\n');
      // Its LD_PRELOAD goes too when the program had none.
      const alone = run(probe!, { LD_PRELOAD: shim, DAEMONTOOLS_HOLD_SIGNALS: '1' });
      expect(alone.split('\n').filter((l) => l.startsWith('env '))).toEqual([]);
    });

    test.skipIf(!probe)(`not holding, it is the C library's own behaviour, errors included${probe ? '' : ` (skipped: ${reason})`}`, () => {
      const bare = run(probe!, {});
      expect(bare).toContain('sigprocmask bad how: -1 Invalid argument\npthread_sigmask bad how: Invalid argument\n');
      expect(bare).toContain('release: -1\n'); // no shim, no symbol
      const idle = run(probe!, { LD_PRELOAD: shim }).replace(/^env .*\n/gm, '');
      expect(idle).toBe(bare.replace(/^release( again)?: -1$/gm, 'release$1: 0'));
    });
  });
});
