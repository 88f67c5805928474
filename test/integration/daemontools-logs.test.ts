// daemontools logs: files read in multilog's order, -n, --raw, local time as tai64nlocal shows it,
// --since, several services merged by time, where log/run says the log is, clear words when there
// is none, and -f following a real multilog through many rotations, every line once.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { formatStamp, taiFromUnix } from '../../src/lib/tai64n.js';
import { ours } from '../helpers/paths.js';
import { daemontools, startDaemontools } from './daemontools-cli-run.js';

let root = '';
const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone.
    }
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A scan directory `svc/` with a service `name` whose log/run is `logRun`. */
function service(name: string, logRun = '#!/bin/sh\nexec multilog t ./main\n'): string {
  if (!root) root = mkdtempSync(join(tmpdir(), 'dt-logs-'));
  const dir = join(root, 'svc', name);
  mkdirSync(join(dir, 'log'), { recursive: true });
  writeFileSync(join(dir, 'log', 'run'), logRun, { mode: 0o755 });
  return dir;
}

const stamp = (unix: number, ns = 0): string => formatStamp({ seconds: taiFromUnix(unix), nanoseconds: ns });
const T0 = 1_780_000_000;
const stamped = (lines: Array<[number, string]>): string => lines.map(([t, text]) => `${stamp(T0 + t)} ${text}\n`).join('');
const tai64nlocal = (text: string): string => spawnSync(ours('tai64nlocal'), { input: text, encoding: 'utf8' }).stdout;

describe('reading', () => {
  test('finished files by name then current; -n; --raw; local time as tai64nlocal shows it', () => {
    const dir = service('web');
    const main = join(dir, 'log', 'main');
    mkdirSync(main);
    writeFileSync(join(main, `${stamp(T0 + 5)}.s`), stamped([[3, 'three'], [4, 'four']]));
    writeFileSync(join(main, `${stamp(T0 + 2)}.u`), stamped([[1, 'one'], [2, 'two']]));
    writeFileSync(join(main, 'current'), stamped([[5, 'five'], [6, 'six']]) + 'half a line');
    writeFileSync(join(main, 'state'), '');
    const all = stamped([[1, 'one'], [2, 'two'], [3, 'three'], [4, 'four'], [5, 'five'], [6, 'six']]);
    let r = daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '--raw', '-n', '100']);
    expect(r.stdout).toBe(all);
    r = daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '--raw', '-n', '3']);
    expect(r.stdout).toBe(all.split('\n').slice(3).join('\n'));
    r = daemontools(['logs', '--scandir', join(root, 'svc'), 'web']);
    expect(r.stdout).toBe(tai64nlocal(all));
    expect(r.status).toBe(0);
    r = daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '--raw', '--since', stamp(T0 + 4)]);
    expect(r.stdout).toBe(stamped([[4, 'four'], [5, 'five'], [6, 'six']]));
    r = daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '--raw', '--since', new Date((T0 + 6) * 1000).toISOString()]);
    expect(r.stdout).toBe(stamped([[6, 'six']]));
  });

  test('several services merged by time, with a name column', () => {
    for (const [name, lines] of [
      ['api', [[1, 'a1'], [4, 'a4']]],
      ['worker', [[2, 'w2'], [3, 'w3'], [5, 'w5']]],
    ] as const) {
      const main = join(service(name), 'log', 'main');
      mkdirSync(main);
      writeFileSync(join(main, 'current'), stamped(lines.map(([t, s]) => [t, s])));
    }
    const r = daemontools(['logs', '--scandir', join(root, 'svc'), 'api', 'worker', '--raw']);
    const row = (name: string, t: number, text: string): string => `${name.padEnd(6)} | ${stamp(T0 + t)} ${text}`;
    expect(r.stdout.split('\n').slice(0, -1)).toEqual([row('api', 1, 'a1'), row('worker', 2, 'w2'), row('worker', 3, 'w3'), row('api', 4, 'a4'), row('worker', 5, 'w5')]);
  });

  test.each([
    ['a directory other than ./main, after other actions', '#!/bin/sh\nexec setuidgid nobody multilog t s100000 n5 \'-*debug*\' ./logs/main\n', join('log', 'logs', 'main')],
    ['an absolute directory', '#!/bin/sh\n# the log:\nexec multilog t ABS\n', 'ABS'],
  ])('finds the log from log/run: %s', (_what, run, where) => {
    const dir = service('svc1', run.replace('ABS', join(tmpdir(), 'never')));
    const logdir = where === 'ABS' ? join(root, 'elsewhere') : join(dir, where);
    if (where === 'ABS') writeFileSync(join(dir, 'log', 'run'), run.replace('ABS', logdir));
    mkdirSync(logdir, { recursive: true });
    writeFileSync(join(logdir, 'current'), stamped([[1, 'found']]));
    expect(daemontools(['logs', '--scandir', join(root, 'svc'), 'svc1', '--raw']).stdout).toBe(stamped([[1, 'found']]));
  });

  test.each([
    ['no log service', null, /has no log service \(no log\/run\)/],
    ['a log/run without multilog', '#!/bin/sh\nexec cat > /dev/null\n', /runs no multilog with a log directory/],
  ])('says so: %s', (_what, run, message) => {
    const dir = service('quiet', run ?? '');
    if (run === null) rmSync(join(dir, 'log'), { recursive: true });
    const r = daemontools(['logs', '--scandir', join(root, 'svc'), 'quiet']);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(111);
  });

  test('bad -n and --since are usage errors', () => {
    service('web');
    expect(daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '--since', 'yesterday-ish']).status).toBe(100);
    expect(daemontools(['logs', '--scandir', join(root, 'svc'), 'web', '-n', '-1']).status).toBe(100);
  });
});

test('-f follows a real multilog across rotations: every line once, in order', async () => {
  const dir = service('busy', '#!/bin/sh\nexec multilog t s4096 n100 ./main\n');
  const main = join(dir, 'log', 'main');
  // multilog starts first. Lines logged before logs -f looks are its history (-n covers them all),
  // the rest it follows: either way each must come once.
  const multilog = spawn(ours('multilog'), ['t', 's4096', 'n100', main], { stdio: ['pipe', 'ignore', 'inherit'] });
  started.push(multilog.pid!);
  const follower = startDaemontools(['logs', '--scandir', join(root, 'svc'), 'busy', '-f', '-n', '100000', '--raw']);
  started.push(follower.child.pid!);
  await follower.pid();
  const N = 3000;
  const expected = Array.from({ length: N }, (_, i) => `line ${String(i).padStart(5, '0')} ${'x'.repeat(30)}`);
  // In bursts, so that rotations (every ~90 lines) fall between and within reads.
  for (let i = 0; i < N; i += 250) {
    multilog.stdin!.write(expected.slice(i, i + 250).map((l) => `${l}\n`).join(''));
    await new Promise((r) => setTimeout(r, 20));
  }
  await follower.until(new RegExp(expected.at(-1)!), 60000);
  const shown = follower
    .output()
    .split('\n')
    .filter((l) => l.includes(' line '))
    .map((l) => l.slice(26));
  expect(shown).toEqual(expected);
  multilog.stdin!.end();
}, 90000);
