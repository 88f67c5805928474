// The daemontools command against services run by C's supervise: status as a table and as JSON
// (checked against C svstat), commands by name (checked with C svstat), usage errors, help, version.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { waitFor } from '../../src/api/watch.js';
import { C_BIN, ROOT } from '../helpers/paths.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from '../unit/api/fixture.js';
import { CLI, daemontools } from './daemontools-cli-run.js';

afterEach(cleanup);


const svstat = (dir: string): string => execFileSync(join(C_BIN, 'svstat'), [dir], { encoding: 'utf8' });
const pidOf = (dir: string): number | null => Number(/\(pid (\d+)\)/.exec(svstat(dir))?.[1]) || null;

/** A scan directory: `web` up, `db` down (down file) with a log service that nobody supervises. */
async function scan(): Promise<{ scandir: string; web: string; db: string }> {
  const scandir = join(tempRoot(), 'service');
  const web = makeService(join(scandir, 'web'));
  const db = makeService(join(scandir, 'db'), { down: true, log: true });
  await startC(web);
  await startC(db);
  await waitFor(web, 'up', { timeout: 10000 });
  return { scandir, web, db };
}

describe.skipIf(!HAVE_C)('daemontools status', () => {
  test('a table of the scan directory, services and logs, exit 1 when one cannot be read', async () => {
    const { scandir, web } = await scan();
    const r = daemontools(['status', '--scandir', scandir]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SERVICE +STATE +READY +PID +TIME +LAST EXIT +NOTES$/);
    // C supervise writes no sidecar: state up or down, ready = up, no last exit.
    expect(lines.slice(1).map((l) => l.split(/ {2,}/))).toEqual([
      ['db', 'down', '-', '-', expect.stringMatching(/^\d+s$/), '-'],
      ['db/log', '?', '-', '-', '-', '-', 'supervise not running'],
      ['web', 'up', 'yes', String(pidOf(web)), expect.stringMatching(/^\d+s$/), '-'],
    ]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
  });

  test('named directories, exit 0 when every one was read', async () => {
    const { web, db } = await scan();
    const r = daemontools(['status', web, db]);
    expect(r.stdout).toContain(`${web}  up`);
    expect(r.stdout).toContain(`${db}`);
    expect(r.status).toBe(0);
  });

  test('--json: one object per line per service, agreeing with C svstat', async () => {
    const { scandir, web, db } = await scan();
    const r = daemontools(['status', '--json', '--scandir', scandir]);
    const objects = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects).toEqual([
      { service: 'db', dir: db, up: false, pid: null, since: expect.any(String), seconds: expect.any(Number), paused: false, want: 'down', normallyUp: false, state: 'down', ready: false, sidecar: null },
      { service: 'db/log', dir: join(db, 'log'), error: { code: 'ERR_NOT_SUPERVISED', message: expect.any(String) } },
      { service: 'web', dir: web, up: true, pid: pidOf(web), since: expect.any(String), seconds: expect.any(Number), paused: false, want: 'up', normallyUp: true, state: 'up', ready: true, sidecar: null },
    ]);
    expect(new Date(objects[2]!.since as string).getTime()).toBeLessThanOrEqual(Date.now());
  });

  // script(1) of util-linux gives the command a terminal.
  test.skipIf(process.platform !== 'linux')('colours on a terminal only', async () => {
    const { web } = await scan();
    expect(daemontools(['status', web]).stdout).not.toContain('\x1b[');
    const tty = spawnSync('script', ['-qec', `${process.execPath} ${CLI} status ${web}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', TERM: 'xterm' } });
    expect(tty.stdout).toContain('\x1b[32mup\x1b[0m');
    const noColor = spawnSync('script', ['-qec', `${process.execPath} ${CLI} status ${web}`, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
    expect(noColor.stdout).not.toContain('\x1b[');
  });
});

describe.skipIf(!HAVE_C)('daemontools commands', () => {
  test.each([
    ['down', false, /^down \d+ seconds, normally up$/],
    ['up', true, /^up \(pid \d+\) \d+ seconds, normally down$/],
    ['once', true, /^up \(pid \d+\) \d+ seconds, normally down$/],
  ] as const)('%s --wait: C svstat agrees once it returns', async (command, down, expected) => {
    const dir = makeService(join(tempRoot(), 'svc'), { down });
    await startC(dir);
    const r = daemontools([command, '--wait', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(svstat(dir).slice(dir.length + 2).trimEnd()).toMatch(expected);
  });

  test.each(['pause', 'cont', 'hup', 'alarm', 'interrupt', 'term', 'kill', 'exit'])('%s is sent', async (command) => {
    const dir = makeService(join(tempRoot(), 'svc'), { down: true });
    // A down service takes every signal command without effect; the command must still get there.
    await startC(dir);
    const r = daemontools([command, dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('restart of a running service: a new process, still wanted up', async () => {
    const { web } = await scan();
    const before = pidOf(web);
    const r = daemontools(['restart', '--wait', web]);
    expect(r.status).toBe(0);
    const after = pidOf(web);
    expect(after).not.toBeNull();
    expect(after).not.toBe(before);
    expect(svstat(web)).not.toContain('want down');
  });

  test('restart of a stopped service starts it once', async () => {
    const { db } = await scan();
    const r = daemontools(['restart', '--wait', db]);
    expect(r.status).toBe(0);
    const first = pidOf(db);
    expect(first).not.toBeNull();
    // Had it been sent TERM as well, supervise would kill this process a second after starting it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(pidOf(db)).toBe(first);
  });

  test('a directory without supervise: a warning, the others still done, exit 1', async () => {
    const { web } = await scan();
    const lonely = makeService(join(tempRoot(), 'lonely'));
    const r = daemontools(['down', lonely, web]);
    expect(r.stderr).toBe(`daemontools: warning: unable to control ${lonely}: supervise not running\n`);
    expect(r.status).toBe(1);
    await waitFor(web, 'down', { timeout: 10000 });
  });

  test('--wait gives up after --timeout seconds', async () => {
    // The process ignores TERM (an ignored signal stays ignored across exec), so down never comes.
    const dir = makeService(join(tempRoot(), 'svc'), { run: "trap '' TERM\nexec sleep 1000" });
    await startC(dir);
    await waitFor(dir, 'up', { timeout: 10000 });
    const r = daemontools(['down', '--wait', '--timeout', '0.5', dir]);
    expect(r.stderr).toBe(`daemontools: warning: timed out waiting for ${dir}\n`);
    expect(r.status).toBe(1);
    daemontools(['kill', dir]);
  });
});

describe('daemontools usage, help, version', () => {
  test.each([
    [['up'], /^daemontools: usage: /],
    [['frobnicate'], /^daemontools: usage: /],
    [[], /^daemontools: usage: /],
    [['status', '--bogus'], /^daemontools: usage: /],
  ])('%j is a usage error: exit 100', (args, message) => {
    const r = daemontools(args);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.status).toBe(100);
  });

  test('help lists the seventeen programs', () => {
    const r = daemontools(['help']);
    const names = r.stdout.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim().split(' ')[0]);
    expect(names).toEqual(
      ['envdir', 'envuidgid', 'fghack', 'multilog', 'pgrphack', 'readproctitle', 'setlock', 'setuidgid', 'softlimit', 'supervise', 'svc', 'svok', 'svscan', 'svscanboot', 'svstat', 'tai64n', 'tai64nlocal'],
    );
    expect(r.status).toBe(0);
  });

  test.each(['svc', 'multilog', 'svscan'])('help %s gives its synopsis', (program) => {
    const r = daemontools(['help', program]);
    expect(r.stdout).toMatch(new RegExp(`^usage: ${program} `));
    expect(r.stdout).toContain(`See man ${program}.`);
    expect(r.status).toBe(0);
  });

  test('help of something that is not a program is a usage error', () => {
    expect(daemontools(['help', 'systemctl']).status).toBe(100);
  });

  test('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(daemontools(['--version'])).toEqual({ stdout: `${version}\n`, stderr: '', status: 0 });
  });

  test('--help names every command', () => {
    const r = daemontools(['--help']);
    for (const command of ['status', 'watch', 'wait', 'events', 'metrics', 'restart', 'up', 'down', 'once', 'pause', 'cont', 'hup', 'term', 'kill', 'exit', 'help', 'install-boot', 'completion']) {
      expect(r.stdout).toMatch(new RegExp(`daemontools ${command}\\b`));
    }
    expect(r.status).toBe(0);
  });

  test('shell completion: a script for bash, and the commands and options it offers', () => {
    const script = daemontools(['completion']);
    expect(script.stdout).toContain('complete -o bashdefault -o default -F _daemontools_yargs_completions daemontools');
    expect(spawnSync('bash', ['-n'], { input: script.stdout }).status).toBe(0);
    expect(daemontools(['--get-yargs-completions', 'daemontools', '']).stdout.split('\n')).toEqual(expect.arrayContaining(['status', 'watch', 'restart', 'install-boot']));
    expect(daemontools(['--get-yargs-completions', 'daemontools', 'status', '--']).stdout.split('\n')).toContain('--json');
  });
});
