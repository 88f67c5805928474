// svscan in a terminal. A terminal's Ctrl-C goes to its whole foreground process group. C svscan's
// services and loggers share its group, so they all die at once (outside the stop mode we keep
// that). `npm start` (SVSCAN_STOP_ON_TERM=1) promises a clean stop instead: services down first,
// loggers last, no `@...u` left, one `current`, every line once; so there the services run in a
// group of their own and only svscan gets the terminal's signal.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { procStat } from '../../src/lib/proc-stat.js';
import { OUR_BIN, ROOT } from '../helpers/paths.js';
import { alive, descendants, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;

const cleanups: Array<() => void> = [];
afterEach(() => {
  killAll();
  for (const clean of cleanups.splice(0).reverse()) clean();
});

/** A tmux server of our own (its socket in `dir`), one window running a shell in `cwd`. */
function terminal(dir: string, cwd: string): { keys: (...keys: string[]) => void; screen: () => string; shell: number } {
  const socket = join(dir, 'tmux.sock');
  const tmux = (...args: string[]): string => {
    const r = spawnSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tmux ${args[0]}: ${r.stderr}`);
    return r.stdout;
  };
  const env = {
    PATH: `${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: dir,
    TERM: 'xterm',
    npm_config_update_notifier: 'false',
    npm_config_cache: join(dir, 'npm-cache'),
  };
  const r = spawnSync('tmux', ['-S', socket, '-f', '/dev/null', 'new-session', '-d', '-x', '160', '-y', '40', '-c', cwd, 'sh'], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux new-session: ${r.stderr}`);
  const server = Number(tmux('display-message', '-p', '#{pid}').trim());
  const shell = Number(tmux('display-message', '-p', '#{pane_pid}').trim());
  cleanups.push(() => {
    const left = descendants(server);
    spawnSync('tmux', ['-S', socket, 'kill-server']);
    for (const pid of left) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone with the server
      }
    }
  });
  return { keys: (...keys) => void tmux('send-keys', '-t', '0', ...keys), screen: () => tmux('capture-pane', '-p', '-t', '0'), shell };
}

/** A project of its own with the checkout's `start` script, a copy of examples/, and bin/. */
function demoProject(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dt-npm-start-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'demo', version: '1.0.0', private: true, scripts: { start: pkg.scripts.start } }));
  cpSync(join(ROOT, 'examples'), join(dir, 'examples'), { recursive: true });
  symlinkSync(OUR_BIN, join(dir, 'bin'));
  return dir;
}

test.skipIf(process.platform !== 'linux' || !HAVE_TMUX)('Ctrl-C on `npm start` in a terminal stops cleanly: no .u, one current, every line once', async () => {
  const dir = demoProject();
  const term = terminal(dir, dir);
  const main = join(dir, 'examples', 'service', 'clock', 'log', 'main');
  const lines = (): string[] => {
    try {
      return readFileSync(join(main, 'current'), 'latin1').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  };
  term.keys('npm start', 'Enter');
  await until('the clock logged', () => lines().length >= 3, 60_000, () => `\n${term.screen()}`);
  const running = descendants(term.shell);
  term.keys('C-c');
  await until('everything down', () => running.every((pid) => !alive(pid)), 30_000, () => `\n${term.screen()}`);
  term.keys('echo "npm start: $?"', 'Enter');
  await until('the shell back', () => /npm start: [0-9]+/.test(term.screen()), 10_000, () => `\n${term.screen()}`);

  expect(term.screen()).toMatch(/npm start: 0\n/);
  expect(readdirSync(main).sort()).toEqual(['current', 'lock', 'state']);
  expect(statSync(join(main, 'current')).mode & 0o777).toBe(0o744); // complete: multilog ended it
  const logged = lines();
  expect(logged.length).toBeGreaterThanOrEqual(3);
  for (const line of logged) expect(line).toMatch(/^@[0-9a-f]{24} clock: [0-9-]+ [0-9:]+$/);
  expect(new Set(logged.map((l) => l.slice(26))).size).toBe(logged.length);
  const stamps = logged.map((l) => l.slice(0, 25));
  expect([...stamps].sort()).toEqual(stamps);
});

describe.skipIf(process.platform !== 'linux')('process groups', () => {
  const cases = [
    { mode: 'as C svscan', env: {}, own: false },
    { mode: 'with SVSCAN_STOP_ON_TERM=1', env: { SVSCAN_STOP_ON_TERM: '1' }, own: true },
  ];
  test.each(cases)('$mode: services in svscan\'s group, or in one of their own that none of them leads', async ({ env, own }) => {
    const box = new ScanBox();
    cleanups.push(() => box.remove());
    const dir = box.service('s', '#!/bin/sh\nexec sleep 1000\n', { log: '#!/bin/sh\nexec multilog ./main\n' });
    // pgrphack needs a process that is no group leader, as under C supervise.
    const hack = box.service('h', '#!/bin/sh\nexec pgrphack sleep 1000\n');
    const svscan = new RunningSvscan('ours', box.svc, ['.'], env);
    const pids = await until('all up', () => {
      const all = [dir, `${dir}/log`, hack].map((d) => box.pid(d));
      return all.every((p) => p !== 0) ? all : undefined;
    });
    const pgid = (pid: number): number => Number(procStat(pid)?.(5));
    await until('pgrphack has run', () => pgid(pids[2]!) === pids[2]);
    const [service, logger] = [pgid(pids[0]!), pgid(pids[1]!)];
    expect(service).toBe(logger);
    if (own) {
      expect(service).not.toBe(pgid(svscan.pid));
      expect(pids).not.toContain(service);
    } else {
      expect(service).toBe(pgid(svscan.pid));
    }
    expect(svscan.stderr).toBe('');
  });
});
