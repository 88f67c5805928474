// daemontools install-boot into a temporary root: what each init system gets, checked with the
// tools that judge such files (systemd-analyze verify, shellcheck), and the inittab edits.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { PROGRAMS } from '../../src/cli/tools.js';
import { OUR_BIN, ROOT } from '../helpers/paths.js';
import { daemontools } from './daemontools-cli-run.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function root(files: Record<string, string> = {}): string {
  const r = mkdtempSync(join(tmpdir(), 'dt-boot-'));
  roots.push(r);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(r, path, '..'), { recursive: true });
    writeFileSync(join(r, path), text);
  }
  return r;
}

const install = (r: string, ...args: string[]) => daemontools(['install-boot', '--root', r, '--bindir', OUR_BIN, ...args]);
const has = (tool: string): boolean => spawnSync(tool, ['--version']).status === 0;

const TARGETS = [
  ['--systemd', 'etc/systemd/system/daemontools.service', 0o644],
  ['--openrc', 'etc/init.d/daemontools', 0o755],
  ['--rcd', 'usr/local/etc/rc.d/daemontools', 0o755],
] as const;

describe('install-boot', () => {
  test.each(TARGETS)('%s --dry-run prints the file and writes nothing', (flag, target) => {
    const r = root();
    const out = install(r, flag, '--dry-run');
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain(`would write ${join(r, target)}`);
    expect(out.stdout).toContain(`${OUR_BIN}/svscan`);
    expect(out.stdout).toMatch(/[" ]\/service["\n]/);
    expect(out.stdout).not.toMatch(/@[A-Z]+@/);
    expect(out.stdout).toContain(`would create ${join(r, 'service')}`);
    expect(existsSync(join(r, target))).toBe(false);
    expect(existsSync(join(r, 'service'))).toBe(false);
  });

  test.each(TARGETS)('%s writes the file, with its mode, and creates the scan directory', (flag, target, mode) => {
    const r = root();
    const out = install(r, flag);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^wrote .*\nto enable it, run:\n/s);
    expect(statSync(join(r, target)).mode & 0o777).toBe(mode);
    expect(statSync(join(r, 'service')).isDirectory()).toBe(true);
    expect(readFileSync(join(r, target), 'utf8')).not.toMatch(/@[A-Z]+@/);
  });

  test.each([
    ['a Debian-like system', { 'etc/debian_version': '12.0\n' }, '/etc/service'],
    ['any other system', {}, '/service'],
  ])('the scan directory on %s is %s', (_name, files, scandir) => {
    const out = install(root(files), '--systemd', '--dry-run');
    expect(out.stdout).toContain(`ExecStart=${OUR_BIN}/svscan ${scandir}\n`);
  });

  test('--scandir wins', () => {
    expect(install(root(), '--openrc', '--dry-run', '--scandir', '/srv/sv').stdout).toContain('command_args="/srv/sv"');
  });

  test.each([
    ['run/systemd/system/.keep', 'systemd unit'],
    ['sbin/openrc-run', 'OpenRC service'],
    ['etc/inittab', 'SV entry'],
  ])('with no option, %s tells the init system', (marker, note) => {
    expect(install(root({ [marker]: '' }), '--dry-run').stdout).toContain(note);
  });

  test('with no option and nothing to go by: a usage error', () => {
    const out = install(root(), '--dry-run');
    expect(out.stderr).toMatch(/^daemontools: fatal: cannot tell the init system here/);
    expect(out.status).toBe(100);
  });

  test('two init systems at once: a usage error', () => {
    expect(install(root(), '--systemd', '--openrc').status).toBe(100);
  });

  test('--bindir defaults to the PATH directory whose svscan is ours', () => {
    const r = root();
    const linkDir = join(r, 'usr-local-bin');
    mkdirSync(linkDir);
    symlinkSync(join(OUR_BIN, 'svscan'), join(linkDir, 'svscan'));
    const out = daemontools(['install-boot', '--root', r, '--systemd', '--dry-run'], { ...process.env, PATH: `/nonexistent:${linkDir}:${process.env.PATH}` });
    expect(out.stdout).toContain(`ExecStart=${linkDir}/svscan /service\n`);
  });
});

describe('install-boot --inittab', () => {
  const line = `SV:123456:respawn:${OUR_BIN}/svscanboot`;

  test('appends the SV entry, with svscanboot\'s scan directory', () => {
    const r = root({ 'etc/inittab': 'id:2:initdefault:\n1:2345:respawn:/sbin/getty 38400 tty1' });
    const out = install(r, '--inittab');
    expect(out.stdout).toContain('appended the SV entry');
    expect(out.stdout).toContain('telinit q');
    expect(readFileSync(join(r, 'etc/inittab'), 'utf8')).toBe(`id:2:initdefault:\n1:2345:respawn:/sbin/getty 38400 tty1\n${line}\n`);
    expect(statSync(join(r, 'etc/service')).isDirectory()).toBe(true);
  });

  test('replaces only the command of an existing SV entry, keeping the old one as a comment', () => {
    // Debian's daemontools-run puts this line there.
    const before = 'id:2:initdefault:\n#-- daemontools-run begin\nSV:123456:respawn:/usr/bin/svscanboot\n#-- daemontools-run end\n';
    const r = root({ 'etc/inittab': before });
    install(r, '--inittab');
    const after = readFileSync(join(r, 'etc/inittab'), 'utf8');
    expect(after).toBe(before.replace('SV:123456:respawn:/usr/bin/svscanboot\n', `#SV:123456:respawn:/usr/bin/svscanboot\n${line}\n`));
    // id and action unchanged: init leaves the running entry alone (only a changed action kills it).
    const entry = after.split('\n').find((l) => l.startsWith('SV:'))!.split(':');
    expect(entry.slice(0, 3)).toEqual(['SV', '123456', 'respawn']);
  });

  test('a second install changes nothing', () => {
    const r = root({ 'etc/inittab': 'id:2:initdefault:\n' });
    install(r, '--inittab');
    const once = readFileSync(join(r, 'etc/inittab'), 'utf8');
    expect(install(r, '--inittab').stdout).toContain('already in place');
    expect(readFileSync(join(r, 'etc/inittab'), 'utf8')).toBe(once);
  });
});

describe.skipIf(!has('systemd-analyze'))('the systemd unit', () => {
  test('passes systemd-analyze verify, its man pages found', () => {
    const r = root();
    install(r, '--systemd');
    // man:svscan(1) and man:daemontools(7) are looked up: put our pages where man finds them.
    const manpath = join(r, 'man');
    for (const section of ['1', '7']) mkdirSync(join(manpath, `man${section}`), { recursive: true });
    for (const page of new Set([...PROGRAMS.map((p) => `${p}.1`), 'daemontools.1', 'daemontools.7'])) {
      symlinkSync(join(ROOT, 'man', page), join(manpath, `man${page.slice(-1)}`, page));
    }
    const v = spawnSync('systemd-analyze', ['verify', join(r, 'etc/systemd/system/daemontools.service')], {
      encoding: 'utf8',
      env: { ...process.env, MANPATH: manpath, SYSTEMD_LOG_LEVEL: 'notice' },
    });
    expect(v.stderr).toBe('');
    expect(v.status).toBe(0);
  });
});

describe.skipIf(!has('shellcheck'))('the shell scripts', () => {
  // The variables the init system's library reads look unused to shellcheck; rc.subr is not there to follow.
  test.each([
    ['--openrc', 'etc/init.d/daemontools'],
    ['--rcd', 'usr/local/etc/rc.d/daemontools'],
  ])('%s passes shellcheck', (flag, target) => {
    const r = root();
    install(r, flag);
    const s = spawnSync('shellcheck', ['-s', 'sh', '-e', 'SC2034,SC1091', join(r, target)], { encoding: 'utf8' });
    expect(s.stdout).toBe('');
    expect(s.status).toBe(0);
  });
});
