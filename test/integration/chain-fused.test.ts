// Whole chains, C's against ours (where ours runs every link in one process and execs once):
// the program must get the same environment, credentials, limits, descriptors, signal state.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ReachableCopies } from '../helpers/reachable.js';
import { isRoot, ROOT, Sandbox, SIDES } from './chain-golden.js';

const box = new Sandbox();
const copies = new ReachableCopies();
afterAll(() => {
  box.remove();
  copies.remove();
});

// Run as nobody at the end of a chain: a copy where nobody can reach it, if the checkout is not.
const PROBE = copies.file(join(ROOT, 'test', 'fixtures', 'bin', 'probe'));
const HOSTILE = join(ROOT, 'test', 'fixtures', 'bin', 'hostile');

mkdirSync(box.file('E'));
writeFileSync(box.file('E', 'FOO'), 'from envdir\n');
writeFileSync(box.file('E', 'HOME'), '');
writeFileSync(box.file('E', 'NEW'), 'new');

const ENV = { HOME: '/root', LANG: 'C', FOO: 'old', Z: 'z' };

describe.runIf(isRoot)('as root', () => {
  test('envdir E setuidgid nobody softlimit -o 100 sh -c ...', () => {
    const argv = ['envdir', 'E', 'setuidgid', 'nobody', 'softlimit', '-o', '100', 'sh', '-c', 'id; echo "$FOO"; ulimit -n; env | sort'];
    const { c, ours } = box.both(argv, { env: ENV });
    expect(c.stdout).toMatch(/^uid=65534\(nobody\) gid=65534\(nogroup\) groups=65534\(nogroup\)\nfrom envdir\n100\n/);
    expect(ours).toEqual(c);
  });

  test('every link, then the probe: the whole state, byte for byte', () => {
    const argv = ['pgrphack', 'envuidgid', 'daemon', 'envdir', 'E', 'setlock', 'lk', 'setuidgid', 'nobody', 'softlimit', '-m', '=', '-o', '50', PROBE];
    const { c, ours } = box.both(argv, { env: ENV });
    expect(c.status).toBe(0);
    expect(ours).toEqual(c);
  });

  test('the same behind a hostile parent (stdin closed, signals ignored and blocked, odd descriptors)', () => {
    const argv = [HOSTILE, 'envdir', 'E', 'setlock', 'lk', 'setuidgid', 'nobody', 'softlimit', '-c', '0', PROBE];
    const { c, ours } = box.both(argv, { env: ENV });
    expect(c.stdout).toMatch(/^ignored 1 12$/m);
    expect(ours).toEqual(c);
  });
});

test('a chain keeps its pid: the program is the process that was started', () => {
  for (const side of SIDES) {
    box.use(side);
    const result = spawnSync(join(box.bin, 'envdir'), ['E', 'softlimit', '-o', '60', 'pgrphack', 'sh', '-c', 'echo $$'], {
      cwd: box.dir,
      env: { PATH: box.path },
      encoding: 'utf8',
    });
    expect(result.stdout).toBe(`${result.pid}\n`);
  }
});

// fghack runs on in the chain's process, loaded apart from the links' start-up bundle: it must
// hand its child what the links left (the environment, and the limit that waits for an execve).
test('a chain that ends in a program of ours run in-process hands it what the links did', () => {
  const argv = ['envdir', 'E', 'softlimit', '-o', '50', 'fghack', PROBE];
  const { c, ours } = box.both(argv, { env: ENV });
  expect(c.status).toBe(0);
  expect(c.stdout).toMatch(/from envdir/);
  expect(ours).toEqual(c);
});

test('a failure deep in the chain is reported by the link that failed', () => {
  const { c, ours } = box.both(['envdir', 'E', 'softlimit', '-o', '60', 'envuidgid', 'no-such-user-x', 'true']);
  expect(c).toMatchObject({ stderr: 'envuidgid: fatal: unknown account no-such-user-x\n', status: 111 });
  expect(ours).toEqual(c);
});

test('PATH set by envdir decides the lookup of the link after next', () => {
  mkdirSync(box.file('P'));
  writeFileSync(box.file('P', 'PATH'), '/nonexistent-dir');
  // envdir itself looks up softlimit on the old PATH; softlimit looks up "true" on the new one.
  const { c, ours } = box.both(['envdir', 'P', 'softlimit', '-o', '60', 'true']);
  expect(c).toMatchObject({ stderr: 'softlimit: fatal: unable to run true: file does not exist\n', status: 111 });
  expect(ours).toEqual(c);
});
