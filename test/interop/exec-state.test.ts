// The program at the end of a chain sees exactly the state the C tools hand it: the probe prints
// that state (signals, mask, every rlimit, descriptors and flags, env in order, cwd, umask,
// credentials, process group) and each case runs once through C daemontools, once through ours.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { fixture, HAVE_C, IS_ROOT, ours as ourBin, theirs } from '../helpers/paths.js';
import { othersCanReach, ReachableCopies } from '../helpers/reachable.js';

const dir = mkdtempSync(join(tmpdir(), 'dt-exec-state-'));
mkdirSync(join(dir, 'env'));
writeFileSync(join(dir, 'env', 'FOO'), 'foo value  \t\nsecond line\n');
writeFileSync(join(dir, 'env', 'HOME'), '');
writeFileSync(join(dir, 'env', 'NEWVAR'), 'a\0b');
// A name and a value in another encoding (latin1 bytes, not UTF-8): handed on as bytes, never decoded.
writeFileSync(Buffer.from(join(dir, 'env', 'CAF\xc9'), 'latin1'), Buffer.from('caf\xe9 \xff', 'latin1'));
const copies = new ReachableCopies();
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  copies.remove();
});

type Tool = (prog: string) => string;
/** A command line, given the way to name a daemontools program. */
interface Case {
  readonly name: string;
  readonly argv: (t: Tool) => string[];
  readonly needsRoot?: boolean;
}

// Cases run the probe, and a fused chain the links after setuidgid, as nobody: copies where
// nobody can reach them, if the checkout is not.
const probe = copies.file(fixture('probe'));
const ours: Tool = othersCanReach(ourBin('envdir')) ? ourBin : (prog) => join(copies.packageRoot(), 'bin', prog);
const lock = join(dir, 'lockfile');

const CASES: readonly Case[] = [
  { name: 'envdir', argv: (t) => [t('envdir'), 'env', probe, 'arg'] },
  { name: 'envuidgid', argv: (t) => [t('envuidgid'), 'nobody', probe] },
  { name: 'setuidgid', argv: (t) => [t('setuidgid'), 'nobody', probe], needsRoot: true },
  { name: 'softlimit (every option)', argv: (t) => [t('softlimit'), '-m', '30000000', '-o', '50', '-p', '40', '-f', '100000', '-c', '0', '-t', '1000', '-r', '20000000', '-l', '65536', '-s', '1000000', probe] },
  { name: 'softlimit =', argv: (t) => [t('softlimit'), '-o', '=', '-d', '=', probe] },
  { name: 'setlock', argv: (t) => [t('setlock'), lock, probe] },
  { name: 'setlock -n', argv: (t) => [t('setlock'), '-n', lock, probe] },
  { name: 'pgrphack', argv: (t) => [t('pgrphack'), probe] },
  { name: 'a fused chain', argv: (t) => [t('envdir'), 'env', t('setuidgid'), 'nobody', t('softlimit'), '-o', '100', probe], needsRoot: true },
  {
    // The inherited environment and the arguments carry bytes that are not UTF-8 (printf makes them).
    name: 'bytes in another encoding, through a fused chain',
    argv: (t) => ['/bin/sh', '-c', `export X="$(printf 'x\\377y')"; exec "$0" env "$1" daemon "$2" "$(printf 'a\\351\\377')" b`, t('envdir'), t('envuidgid'), probe],
  },
  { name: 'a longer chain', argv: (t) => [t('pgrphack'), t('envuidgid'), 'daemon', t('setlock'), lock, t('envdir'), 'env', t('softlimit'), '-m', '40000000', probe] },
];

function run(argv: string[], hostile: boolean): { stdout: string; stderr: string; status: number | null } {
  const [file, ...args] = hostile ? [fixture('hostile'), ...argv] : argv;
  const r = spawnSync(file!, args, { cwd: dir, encoding: 'latin1' }); // bytes as they are, to compare
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

describe.skipIf(!HAVE_C)('exec state equals C daemontools', () => {
  describe.each([
    ['a plain parent', false],
    ['a hostile parent', true],
  ] as const)('under %s', (_parent, hostile) => {
    test.each<Case>(CASES)('$name', ({ argv, needsRoot }) => {
      if (needsRoot && !IS_ROOT) return;
      const c = run(argv(theirs), hostile);
      const o = run(argv(ours), hostile);
      expect(c.status).toBe(0);
      expect(o.stderr).toBe(c.stderr);
      expect(o.status).toBe(c.status);
      expect(o.stdout).toBe(c.stdout);
    });
  });

  test.each<Case>(CASES)('$name, started by C softlimit with a tiny RLIMIT_AS', ({ argv, needsRoot }) => {
    if (needsRoot && !IS_ROOT) return;
    const tiny = [theirs('softlimit'), '-a', '40000000'];
    const c = run([...tiny, ...argv(theirs)], true);
    const o = run([...tiny, ...argv(ours)], true);
    expect(c.status).toBe(0);
    expect(o.stderr).toBe(c.stderr);
    expect(o.stdout).toBe(c.stdout);
  });

  test('the probe sees what it should (the comparison is not vacuous)', () => {
    const o = run([ours('envdir'), 'env', ours('softlimit'), '-o', '77', probe], true).stdout;
    expect(o).toContain('env FOO=foo value\n');
    expect(o).toContain('env NEWVAR=a\nb\n');
    expect(o).toContain('env CAF\xc9=caf\xe9 \xff\n');
    const bytes = CASES.find((c) => c.name.startsWith('bytes'))!;
    const b = run(bytes.argv(ours), false).stdout;
    expect(b).toContain('env X=x\xffy\n');
    expect(b).toContain('argv[1] a\xe9\xff\n');
    expect(o).not.toMatch(/^env HOME=/m);
    expect(o).toMatch(/^rlimit 7 77 /m);
    expect(o).toContain('ignored 1 12\n');
    expect(o).toContain('blocked 10\n');
    expect(o).toMatch(/^fd 5 chr r cloexec=0 nonblock=0/m);
    expect(o).toMatch(/^fd 6 fifo w cloexec=0 nonblock=1/m);
    expect(o).not.toMatch(/^fd 0 /m);
    expect(o).not.toMatch(/DAEMONTOOLS_EXEC_STATE/);
  });
});
