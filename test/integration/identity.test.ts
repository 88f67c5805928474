// Our long-running programs are found as C's are: the same comm and /proc/PID/cmdline bytes, so
// pidof, pgrep -x, ps -C and killall find ours as they find C's, run side by side. Other svscans
// may run on the machine: each lookup must include the pid started here, not only it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { C_BIN, HAVE_C, IS_ROOT, OUR_BIN } from '../helpers/paths.js';
import { othersCanReach, UNREACHABLE_REASON } from '../helpers/reachable.js';
import { alive, descendants, until } from './svscan-harness.js';

const root = mkdtempSync(join(tmpdir(), 'dt-identity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SIDES = [
  ['c', C_BIN],
  ['ours', OUR_BIN],
] as const;
type Side = (typeof SIDES)[number][0];

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    const below = descendants(child.pid!);
    for (const pid of [-child.pid!, child.pid!, ...below]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
});

const NODE = realpathSync(process.execPath);

interface Seen {
  comm: string;
  cmdline: string;
  ps: string;
}

const seen = (pid: number): Seen => ({
  comm: readFileSync(`/proc/${pid}/comm`, 'latin1'),
  cmdline: readFileSync(`/proc/${pid}/cmdline`, 'latin1'),
  ps: spawnSync('ps', ['-p', String(pid), '-o', 'comm=,args='], { encoding: 'latin1' }).stdout,
});

/** Runs `shell` with the side's programs first on PATH, their directory in $BIN. */
function start(side: Side, shell: string, cwd: string): ChildProcess {
  const dir = side === 'c' ? C_BIN : OUR_BIN;
  const child = spawn('/bin/sh', ['-c', shell], {
    cwd,
    env: { PATH: `${dir}:/usr/bin:/bin`, BIN: dir },
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  started.push(child);
  return child;
}

/**
 * Waits until the process shows `name` as its comm, ours once it runs as Node (past the launcher).
 * An execve in progress already shows the new comm with an empty cmdline (its arguments not yet
 * mapped): that moment is not the program's, so a sample is taken only once the cmdline is there.
 */
async function settled(side: Side, pid: number, name: string): Promise<Seen> {
  return until(`${side} ${name} settled`, () => {
    try {
      const exe = readlinkSync(`/proc/${pid}/exe`);
      const now = seen(pid);
      return now.comm === `${name}\n` && now.cmdline !== '' && (side === 'c' || exe === NODE) ? now : undefined;
    } catch {
      return undefined;
    }
  });
}

const pidsOf = (cmd: string, args: string[]): number[] =>
  spawnSync(cmd, args, { encoding: 'latin1' })
    .stdout.split(/\s+/)
    .filter((w) => /^[0-9]+$/.test(w))
    .map(Number);

/** Every way a script finds a program by name, each answering whether it found `pid`. */
function finders(name: string, pid: number): Record<string, boolean> {
  const killall = spawnSync('killall', ['-0', '-v', name], { encoding: 'latin1' });
  return {
    pidof: pidsOf('pidof', [name]).includes(pid),
    'pgrep -x': pidsOf('pgrep', ['-x', name]).includes(pid),
    'ps -C': pidsOf('ps', ['-C', name, '-o', 'pid=']).includes(pid),
    'killall -0': killall.stderr.includes(`${name}(${pid})`),
  };
}

/** What the test writes in a fresh directory for each side, the shell line run there, the program looked for. */
interface Case {
  name: string;
  setup: (dir: string) => void;
  shell: string;
}

/** A service directory `svc` that stays down (nothing started). */
function downService(dir: string): void {
  mkdirSync(join(dir, 'svc'));
  writeFileSync(join(dir, 'svc', 'run'), '#!/bin/sh\nexec sleep 100\n', { mode: 0o755 });
  writeFileSync(join(dir, 'svc', 'down'), '');
}

/** An empty env/ and scan/ that nobody can reach. */
function chainDirs(dir: string): void {
  for (const d of [root, dir]) chmodSync(d, 0o755);
  mkdirSync(join(dir, 'env'));
  mkdirSync(join(dir, 'scan'), { mode: 0o755 });
}

const NOBODY_REACHES_US = othersCanReach(join(OUR_BIN, 'svscan'));
const CASES: Array<[string, Case]> = [
  ['svscan DIR', { name: 'svscan', setup: (dir) => mkdirSync(join(dir, 'scan')), shell: 'exec svscan scan' }],
  ['supervise NAME, run alone', { name: 'supervise', setup: downService, shell: 'exec supervise svc' }],
  [
    'multilog, not hosted (its pattern bytes kept)',
    { name: 'multilog', setup: () => undefined, shell: `exec multilog t "$(printf '+\\351*')" ./main` },
  ],
  ['fghack', { name: 'fghack', setup: () => undefined, shell: 'exec fghack cat' }],
  // The end of a chain, run in-process by ours; its credentials changed, so /proc/self/comm is not ours to write.
  // As nobody, ours loads the rest of svscan from the checkout: skipped (below) where nobody cannot reach it.
  ...(IS_ROOT && NOBODY_REACHES_US
    ? ([
        [
          'svscan at the end of envdir and setuidgid nobody',
          { name: 'svscan', setup: chainDirs, shell: 'exec envdir env setuidgid nobody svscan scan' },
        ],
      ] as Array<[string, Case]>)
    : []),
  // argv[0] as given, as C's shows it.
  ['svscan run by its path', { name: 'svscan', setup: (dir) => mkdirSync(join(dir, 'scan')), shell: 'exec "$BIN/svscan" scan' }],
  ['supervise run by its path', { name: 'supervise', setup: downService, shell: 'exec "$BIN/supervise" svc' }],
];

describe.runIf(HAVE_C && process.platform === 'linux')('found as C is found', () => {
  test.each(CASES)('%s: the same comm, cmdline bytes, ps line; pidof, pgrep -x, ps -C, killall find it', async (_what, c) => {
    const results = new Map<Side, { seen: Seen; found: Record<string, boolean> }>();
    for (const [side] of SIDES) {
      const dir = mkdtempSync(join(root, `${c.name}-${side}-`));
      c.setup(dir);
      const child = start(side, c.shell, dir);
      const now = await settled(side, child.pid!, c.name);
      const bin = side === 'c' ? C_BIN : OUR_BIN;
      const seenAs = { comm: now.comm, cmdline: now.cmdline.replace(bin, 'BIN'), ps: now.ps.replace(bin, 'BIN') };
      results.set(side, { seen: seenAs, found: finders(c.name, child.pid!) });
      child.stdin!.end();
    }
    const theirs = results.get('c')!;
    const ours = results.get('ours')!;
    expect(theirs.found).toEqual({ pidof: true, 'pgrep -x': true, 'ps -C': true, 'killall -0': true });
    expect(ours.found).toEqual(theirs.found);
    expect(ours.seen).toEqual(theirs.seen);
  });

  if (IS_ROOT && !NOBODY_REACHES_US) test.skip(`svscan at the end of envdir and setuidgid nobody: skipped, ${UNREACHABLE_REASON}`, () => {});

  test('the bytes are exact: svscan DIR shows svscan\\0DIR\\0, no padding', async () => {
    mkdirSync(join(root, 'exact'));
    const child = start('ours', 'exec svscan .', join(root, 'exact'));
    const now = await settled('ours', child.pid!, 'svscan');
    expect(now.cmdline).toBe('svscan\0.\0');
    expect(alive(child.pid!)).toBe(true);
  });
});

// C's svscanboot is a shell script: comm svscanboot, cmdline `/bin/sh\0SCRIPT\0`. Run in a private
// mount namespace where /usr/local/sbin (on svscanboot's PATH before /usr/bin) holds a svc that
// does nothing, a svscan that sleeps and a readproctitle that reads, so that it stays running.
const BOOT_USABLE =
  HAVE_C && IS_ROOT && process.platform === 'linux' && existsSync('/usr/bin/svscanboot') && existsSync('/usr/local/sbin') && !existsSync('/command');

describe.runIf(BOOT_USABLE)('svscanboot', () => {
  test("shows as C's script does, and the same lookups find it", async () => {
    const fakes = join(root, 'boot-fakes');
    mkdirSync(fakes);
    for (const [name, body] of [
      ['svc', ':'],
      ['svscan', 'exec sleep 100'],
      ['readproctitle', 'exec cat'],
    ]) {
      writeFileSync(join(fakes, name!), `#!/bin/sh\n${body}\n`);
      chmodSync(join(fakes, name!), 0o755);
    }
    const results = new Map<Side, { seen: Seen; found: Record<string, boolean> }>();
    for (const [side, dir] of SIDES) {
      const pidFile = join(root, `boot-${side}.pid`);
      const shell = `mount --bind ${fakes} /usr/local/sbin && { svscanboot & echo $! > ${pidFile}; wait; }`;
      const child = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/sh', '-c', shell], {
        env: { PATH: `${dir}:/usr/bin:/bin` },
        detached: true,
        stdio: 'ignore',
      });
      started.push(child);
      const pid = await until(`${side} svscanboot started`, () => {
        try {
          return Number(readFileSync(pidFile, 'latin1')) || undefined;
        } catch {
          return undefined;
        }
      });
      // Running once it has started its pipeline (ours: once it runs as Node).
      await until(`${side} svscanboot running`, () => descendants(pid).length >= 2 || undefined);
      const now = await settled(side, pid, 'svscanboot');
      const script = side === 'c' ? '/usr/bin/svscanboot' : join(OUR_BIN, 'svscanboot');
      results.set(side, {
        seen: { ...now, cmdline: now.cmdline.replace(script, 'SCRIPT'), ps: now.ps.replace(script, 'SCRIPT') },
        found: { ...finders('svscanboot', pid), 'pidof -x': pidsOf('pidof', ['-x', 'svscanboot']).includes(pid) },
      });
    }
    const theirs = results.get('c')!;
    expect(theirs.seen.cmdline).toBe('/bin/sh\0SCRIPT\0');
    // pidof looks at argv[0] (/bin/sh) unless told -x; the others at comm.
    expect(theirs.found).toEqual({ pidof: false, 'pidof -x': true, 'pgrep -x': true, 'ps -C': true, 'killall -0': true });
    expect(results.get('ours')).toEqual(theirs);
  });
});
