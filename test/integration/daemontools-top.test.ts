// daemontools top in a real terminal (tmux, on a server of its own): rows for each service, keys
// that drive supervise, the terminal given back as it was after `q` and after SIGINT; and a plain
// table when stdout is not a terminal.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { OUR_BIN } from '../helpers/paths.js';
import { CLI, daemontools } from './daemontools-cli-run.js';
import { alive, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SOCKET = `dt-top-${process.pid}`;
const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
/** Whether the shell has run the command that writes `file` (stty -a's report is never empty). */
const written = (file: string): boolean => existsSync(file) && statSync(file).size > 0;
const screen = (): string => tmux('capture-pane', '-p', '-t', 'top');

let box: ScanBox;
afterEach(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
  killAll();
  box?.remove();
});

const TALKER = '#!/bin/sh\nexec 2>&1\ni=0\nwhile :; do i=$((i+1)); echo "hello $i"; sleep 0.2; done\n';
const LOG = '#!/bin/sh\nexec multilog t ./main\n';

function services(): { svscan: RunningSvscan } {
  box = new ScanBox();
  box.service('alpha', TALKER, { log: LOG });
  box.service('beta', '#!/bin/sh\nexec sleep 1000\n');
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { PATH: `${OUR_BIN}:/usr/bin:/bin` });
  return { svscan };
}

const rowOf = (text: string, name: string): string[] => (text.split('\n').find((l) => l.startsWith(`${name} `)) ?? '').trim().split(/ {2,}/);

test.skipIf(!HAVE_TMUX)('in a terminal: live rows, u/d/r drive supervise, q and SIGINT give the terminal back', async () => {
  services();
  await until('both up', () => box.pid(box.path('svc', 'alpha')) !== 0 && box.pid(box.path('svc', 'beta')) !== 0);
  tmux('new-session', '-d', '-s', 'top', '-x', '120', '-y', '20', 'sh');
  const before = box.path('stty-before');
  tmux('send-keys', '-t', 'top', `stty -a > ${before}; echo MARKER-BEFORE-TOP`, 'Enter');
  await until('the shell', () => screen().includes('MARKER-BEFORE-TOP\n') && written(before));
  const pidFile = box.path('top.pid');
  const run = `sh -c 'echo $$ > ${pidFile}; exec ${process.execPath} ${CLI} top --scandir ${box.svc}'`;
  tmux('send-keys', '-t', 'top', run, 'Enter');

  // Rows with a pid, memory once sampled, and alpha's last log line.
  await until('the live view', () => /^alpha +up +\d+ .*[0-9.]+[KM] +hello \d+$/m.test(screen()) && /^beta +up +\d+/m.test(screen()), 20000, () => `\n${screen()}`);
  const alphaPid = box.pid(box.path('svc', 'alpha'));
  expect(rowOf(screen(), 'alpha')[2]).toBe(String(alphaPid));
  expect(screen()).toContain('u up   d down   r restart   q quit');

  // beta is the second row: j selects it, d takes it down.
  tmux('send-keys', '-t', 'top', 'j', 'd');
  await until('beta down', () => box.pid(box.path('svc', 'beta')) === 0);
  await until('shown down', () => rowOf(screen(), 'beta')[1] === 'down' && screen().includes('beta: down sent'), 10000, () => `\n${screen()}`);
  tmux('send-keys', '-t', 'top', 'u');
  await until('beta up again', () => box.pid(box.path('svc', 'beta')) !== 0);
  // k back to alpha, r restarts it: a new pid, one restart counted.
  tmux('send-keys', '-t', 'top', 'k', 'r');
  await until('alpha restarted', () => ![0, alphaPid].includes(box.pid(box.path('svc', 'alpha'))));
  await until('one restart shown', () => rowOf(screen(), 'alpha')[4] === '1', 10000, () => `\n${screen()}`);

  tmux('send-keys', '-t', 'top', 'q');
  // Keys typed before top has gone would be its input (or flushed with its raw mode): wait for it.
  const topPid = Number(readFileSync(pidFile, 'utf8'));
  await until('top gone after q', () => !alive(topPid));
  const after = box.path('stty-after');
  tmux('send-keys', '-t', 'top', `stty -a > ${after}; echo MARKER-AFTER-TOP`, 'Enter');
  // The marker shows as typed before the command has run: wait for what stty wrote, too.
  await until('back in the shell', () => screen().includes('MARKER-AFTER-TOP\n') && written(after), 10000, () => `\n${screen()}`);
  // The main screen is back as it was: the shell's lines, none of top's.
  expect(screen()).toContain('MARKER-BEFORE-TOP');
  expect(screen()).not.toContain('daemontools top');
  expect(readFileSync(after, 'utf8')).toBe(readFileSync(before, 'utf8'));

  // SIGINT from outside (not a key): the same.
  tmux('send-keys', '-t', 'top', 'clear', 'Enter', run, 'Enter');
  await until('the live view again', () => screen().includes('daemontools top'), 20000);
  const secondTop = Number(readFileSync(pidFile, 'utf8'));
  process.kill(secondTop, 'SIGINT');
  await until('top gone after SIGINT', () => !alive(secondTop));
  const again = box.path('stty-again');
  tmux('send-keys', '-t', 'top', `stty -a > ${again}; echo MARKER-AFTER-SIGINT`, 'Enter');
  await until('back after SIGINT', () => screen().includes('MARKER-AFTER-SIGINT\n') && written(again), 10000, () => `\n${screen()}`);
  expect(screen()).not.toContain('daemontools top');
  expect(readFileSync(again, 'utf8')).toBe(readFileSync(before, 'utf8'));
}, 90000);

test('not a terminal: one plain table', async () => {
  services();
  await until('alpha logged', () => {
    try {
      return readFileSync(join(box.svc, 'alpha', 'log', 'main', 'current'), 'utf8').includes('hello 2');
    } catch {
      return false;
    }
  });
  const r = daemontools(['top', '--scandir', box.svc]);
  expect(r.status).toBe(0);
  expect(r.stdout).not.toMatch(/\x1b/);
  const lines = r.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/^SERVICE +STATE +PID +UPTIME +RESTARTS +CPU% +MEM +LAST LOG LINE$/);
  expect(rowOf(r.stdout, 'alpha')).toEqual(['alpha', 'up', String(box.pid(box.path('svc', 'alpha'))), expect.stringMatching(/^\d+s$/), '0', expect.stringMatching(/^\d+\.\d$/), expect.stringMatching(/^[0-9.]+[KM]$/), expect.stringMatching(/^hello \d+$/)]);
  expect(rowOf(r.stdout, 'beta').slice(0, 2)).toEqual(['beta', 'up']);
  expect(rowOf(r.stdout, 'beta')[7]).toBe('(no multilog log)');
});
