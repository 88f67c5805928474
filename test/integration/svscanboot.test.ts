// svscanboot against Debian's script, in a private mount namespace: /etc/service and
// /usr/local/sbin (on svscanboot's PATH before /usr/bin) are bound to a sandbox whose svc, svscan
// and readproctitle record their arguments, environment, descriptors and input. The host may have
// neither directory (Debian has /etc/service only with daemontools-run): /etc and /usr get a
// copy-on-write layer in the namespace, so the mount points are made there, and the host's own
// programs earlier on that PATH (/command, /usr/local/bin) are set aside the same way.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { HAVE_C, IS_ROOT, ours, theirs } from '../helpers/paths.js';

function canUnshare(): boolean {
  return IS_ROOT && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
}

const USABLE = HAVE_C && existsSync('/usr/bin/svscanboot') && canUnshare();
const box = mkdtempSync(join(tmpdir(), 'dt-svscanboot-'));
afterAll(() => rmSync(box, { recursive: true, force: true }));

/** A fake that writes down how it was run, then does `then`. */
function fake(dir: string, name: string, then: string): void {
  const log = join(box, 'log', name);
  const record = [
    `echo "argv: $*"`,
    `env | grep -v '^PWD=' | sort`,
    `for f in 0 1 2; do echo "fd$f: $(readlink /proc/$$/fd/$f | sed 's/:\\[.*//')"; done`,
  ].join('; ');
  writeFileSync(join(dir, name), `#!/bin/sh\n{ ${record}; } > ${log}\n${then}\n`);
  chmodSync(join(dir, name), 0o755);
}

interface Setup {
  readonly fakes: readonly string[];
  /** A program in /usr/bin hidden behind /dev/null (found, but not executable). */
  readonly hide?: string;
  readonly env?: Record<string, string>;
  /** Start svscanboot with no PATH at all. */
  readonly noPath?: boolean;
}

function runBoot(prog: string, setup: Setup): Record<string, string> {
  const fakes = join(box, 'fakes');
  const services = join(box, 'service');
  rmSync(join(box, 'log'), { recursive: true, force: true });
  rmSync(fakes, { recursive: true, force: true });
  mkdirSync(join(box, 'log'));
  mkdirSync(fakes);
  const actions: Record<string, string> = {
    svc: ':',
    svscan: 'echo "to stdout"; echo "to stderr" >&2',
    readproctitle: `{ echo "input:"; cat; } >> ${join(box, 'log', 'readproctitle')}; exit 7`,
  };
  for (const name of setup.fakes) fake(fakes, name, actions[name]!);
  const layers = join(box, 'layers');
  mkdirSync(layers, { recursive: true });
  const script = [
    // Writes below /etc and /usr land on a tmpfs of the namespace's own, never on the host.
    `mount -t tmpfs tmpfs ${layers}`,
    ...['etc', 'usr'].map((d) => `mkdir ${layers}/${d} ${layers}/${d}.work && mount -t overlay overlay -o lowerdir=/${d},upperdir=${layers}/${d},workdir=${layers}/${d}.work /${d}`),
    `{ [ ! -d /command ] || mount -t tmpfs tmpfs /command; }`,
    `rm -f /usr/local/bin/svc /usr/local/bin/svscan /usr/local/bin/readproctitle`,
    `mkdir -p /usr/local/sbin /etc/service`,
    `mount --bind ${fakes} /usr/local/sbin`,
    `mount --bind ${services} /etc/service`,
    setup.hide ? `mount --bind /dev/null /usr/bin/${setup.hide}` : ':',
  ].join(' && ');
  const boot = `${setup.noPath ? '/usr/bin/env -u PATH ' : ''}"$0"; echo "status: $?" > ${join(box, 'log', 'status')}`;
  // A set-up that fails must fail the test, not give C and ours the same wrong start.
  const r = spawnSync('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', `(PATH=/usr/bin:/bin; ${script}) || exit 99; ${boot}`, prog], {
    env: { PATH: '/usr/bin:/bin', ...setup.env },
    encoding: 'utf8',
    timeout: 20000,
  });
  if (r.error) throw r.error;
  if (r.status === 99) throw new Error(`the namespace could not be set up: ${r.stderr}`);
  const logs: Record<string, string> = {};
  for (const name of readdirSync(join(box, 'log'))) logs[name] = readFileSync(join(box, 'log', name), 'latin1');
  return logs;
}

describe.runIf(USABLE)('svscanboot, golden', () => {
  for (const dir of ['a/log', 'a-b/log', 'b', '.hidden/log']) mkdirSync(join(box, 'service', dir), { recursive: true });

  test.each<[string, Setup]>([
    ['svc -dx, then svscan 2>&1 | readproctitle', { fakes: ['svc', 'svscan', 'readproctitle'] }],
    ['no PATH in the environment', { fakes: ['svc', 'svscan', 'readproctitle'], noPath: true }],
    ['an empty PATH', { fakes: ['svc', 'svscan', 'readproctitle'], env: { PATH: '' } }],
    ['svscan cannot be run: env says so into the pipe', { fakes: ['svc', 'readproctitle'], hide: 'svscan' }],
    ['... in a UTF-8 locale', { fakes: ['svc', 'readproctitle'], hide: 'svscan', env: { LANG: 'C.UTF-8' } }],
    ['readproctitle cannot be run: 126', { fakes: ['svc', 'svscan'], hide: 'readproctitle' }],
  ])('%s', (_name, setup) => {
    const c = runBoot(theirs('svscanboot'), setup);
    const o = runBoot(ours('svscanboot'), setup);
    expect(o).toEqual(c);
    expect(Object.keys(c)).toContain('status');
  });

  test('what the fakes saw, once spelled out', () => {
    const c = runBoot(theirs('svscanboot'), { fakes: ['svc', 'svscan', 'readproctitle'] });
    expect(c.status).toBe('status: 7\n');
    expect(c.svc).toMatch(/^argv: -dx \/etc\/service\/a \/etc\/service\/a-b \/etc\/service\/b \/etc\/service\/a-b\/log \/etc\/service\/a\/log\n/);
    // (fd 1 is the fake's own log file while it records)
    expect(c.svscan).toMatch(
      /^argv: \/etc\/service\nPATH=\/command:\/usr\/local\/bin:\/usr\/local\/sbin:\/bin:\/sbin:\/usr\/bin:\/usr\/sbin:\/usr\/X11R6\/bin\nfd0: \/dev\/null\nfd1: .*\nfd2: pipe\n$/,
    );
    expect(c.readproctitle).toContain(`argv: service errors: ${'.'.repeat(400)}\n`);
    expect(c.readproctitle).toContain('input:\nto stdout\nto stderr\n');
  });
});
