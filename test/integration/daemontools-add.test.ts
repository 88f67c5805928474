// daemontools add and remove: every refusal (nothing written), --dry-run, the run script's quoting
// proven by running it, env/ from --env and --env-file, instances, and a service added to a live
// svscan, logged, then removed.
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { IS_ROOT, OUR_BIN } from '../helpers/paths.js';
import { daemontools } from './daemontools-cli-run.js';
import { alive, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

let box: ScanBox;
afterEach(() => {
  killAll();
  box?.remove();
});

function setup(): { svdir: string; scandir: string; args: (...more: string[]) => string[] } {
  box = new ScanBox();
  const svdir = box.path('svc.d');
  return { svdir, scandir: box.svc, args: (...more) => ['add', '--svdir', svdir, '--scandir', box.svc, ...more] };
}

/** Every path under `dir`, for "nothing was written". */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

describe('add refuses, writing nothing', () => {
  test.each<[string, (s: ReturnType<typeof setup>) => string[], RegExp]>([
    ['a name with /', (s) => s.args('a/b', '--', 'sh'), /a service name cannot hold a \//],
    ['a leading dot', (s) => s.args('.hidden', '--', 'sh'), /cannot start with a dot/],
    ['an unknown user', (s) => s.args('web', '--user', 'no-such-user-h7', '--', 'sh'), /unknown user: no-such-user-h7/],
    ['an unknown log user', (s) => s.args('web', '--log-user', 'no-such-user-h7', '--', 'sh'), /unknown log user: no-such-user-h7/],
    ['a command not on PATH', (s) => s.args('web', '--', 'no-such-program-h7', 'x'), /no-such-program-h7: not found on PATH/],
    ['a relative command not there', (s) => s.args('web', '--', './app.sh'), /\.\/app\.sh: not found \(from /],
    ['no command', (s) => s.args('web'), /no command given/],
    ['a missing scan directory', (s) => ['add', '--svdir', s.svdir, '--scandir', join(s.scandir, 'nope'), 'web', '--', 'sh'], /scan directory .*nope does not exist/],
    ['a bad --env', (s) => s.args('web', '--env', 'NOEQUALS', '--', 'sh'), /--env NOEQUALS: not NAME=VALUE/],
    ['a value envdir would cut', (s) => s.args('web', '--env', 'A=trailing ', '--', 'sh'), /envdir cuts trailing blanks/],
    ['a bad --instances', (s) => s.args('web', '--instances', '0', '--', 'sh'), /--instances takes a whole number/],
    ['a --restart-backoff with MIN > MAX', (s) => s.args('web', '--restart-backoff', '9,3', '--', 'sh'), /--restart-backoff takes MIN,MAX/],
    ['a --restart-backoff that is not two numbers', (s) => s.args('web', '--restart-backoff', '5', '--', 'sh'), /--restart-backoff takes MIN,MAX/],
    ['an unknown --ready', (s) => s.args('web', '--ready', 'telepathy', '--', 'sh'), /ready.*telepathy|Invalid values/],
  ])('%s', (_what, argv, message) => {
    const s = setup();
    const r = daemontools(argv(s));
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(100);
    expect(tree(s.svdir)).toEqual([]);
    expect(tree(s.scandir)).toEqual([]);
  });

  test('an existing name, in the definitions or in the scan directory', () => {
    const s = setup();
    mkdirSync(join(s.svdir, 'web'), { recursive: true });
    let r = daemontools(s.args('web', '--', 'sh'));
    expect(r.stderr).toMatch(/web exists already: .*svc\.d\/web/);
    expect(r.status).toBe(100);
    mkdirSync(join(s.scandir, 'db'));
    r = daemontools(s.args('db', '--', 'sh'));
    expect(r.stderr).toMatch(/db exists already: .*svc\/db/);
    expect(tree(s.svdir)).toEqual(['web']);
    // One taken instance name refuses them all.
    r = daemontools(s.args('web', '--instances', '2', '--', 'sh'));
    expect(r.status).toBe(0);
    r = daemontools(s.args('web', '--instances', '3', '--', 'sh'));
    expect(r.stderr).toMatch(/web-0 exists already/);
    expect(r.stderr).toMatch(/web-1 exists already/);
    expect(existsSync(join(s.svdir, 'web-2'))).toBe(false);
  });

  test('--no-check adds a program that is not there yet', () => {
    const s = setup();
    const r = daemontools(s.args('later', '--no-check', '--', 'no-such-program-h7'));
    expect(r.status).toBe(0);
    expect(readFileSync(join(s.svdir, 'later', 'run'), 'utf8')).toMatch(/exec no-such-program-h7\n$/);
  });
});

test('--dry-run prints every file and the link, and writes nothing', () => {
  const s = setup();
  const r = daemontools(s.args('web', '--dry-run', '--env', 'A=1', '--down', '--log-size', '1000000', '--log-keep', '5', '--', 'sh', '-c', 'echo hi'));
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`${join(s.svdir, 'web', 'run')}  (mode 0755)\n  | #!/bin/sh\n`);
  expect(r.stdout).toContain(`  | exec envdir "$svc"/env sh -c 'echo hi'\n`);
  expect(r.stdout).toContain(`${join(s.svdir, 'web', 'env', 'A')}  (mode 0600)\n  | 1\n`);
  expect(r.stdout).toContain(`${join(s.svdir, 'web', 'down')}  (mode 0644)  (empty)\n`);
  expect(r.stdout).toMatch(/  \| exec setuidgid \S+ multilog t s1000000 n5 \.\/main\n/);
  expect(r.stdout).toContain(`${join(s.scandir, 'web')} -> ${join(s.svdir, 'web')}\n`);
  expect(tree(s.svdir)).toEqual([]);
  expect(tree(s.scandir)).toEqual([]);
});

describe('the definition', () => {
  const HOSTILE = ['two words', "it's", '"dq"', '$HOME', '`id`', 'back\\slash', 'new\nline', '', '--port', '5'];

  test('./run runs the command exactly as given, in --cwd, with env/ from --env and --env-file', () => {
    const s = setup();
    const work = box.path('work dir');
    mkdirSync(work);
    const dotenv = box.path('.env');
    writeFileSync(dotenv, 'export FROM_FILE="multi\\nline"\nOVERRIDE=file # comment\nQUOTED=\'$NOT_EXPANDED\'\n');
    const printer = '/bin/sh';
    const script = 'for a; do printf "[%s]\\n" "$a"; done; echo "pwd=$(pwd)"; echo "FROM_FILE=$FROM_FILE"; echo "OVERRIDE=$OVERRIDE"; echo "QUOTED=$QUOTED"; echo "SPACE=$SPACE"';
    const r = daemontools(s.args('quoting', '--cwd', work, '--env-file', dotenv, '--env', 'OVERRIDE=flag', '--env', 'SPACE=a b', '--', printer, '-c', script, 'sh', ...HOSTILE));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const dir = join(s.svdir, 'quoting');
    expect(readlinkSync(join(s.scandir, 'quoting'))).toBe(dir);
    expect(statSync(join(dir, 'env')).mode & 0o777).toBe(0o700);
    expect(readFileSync(join(dir, 'env', 'FROM_FILE'), 'latin1')).toBe('multi\0line\n');
    const ran = spawnSync('/bin/sh', ['./run'], { cwd: dir, encoding: 'utf8', env: { PATH: `${OUR_BIN}:/usr/bin:/bin` } });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(
      [...HOSTILE.map((a) => `[${a}]`), `pwd=${work}`, 'FROM_FILE=multi\nline', 'OVERRIDE=flag', 'QUOTED=$NOT_EXPANDED', 'SPACE=a b', ''].join('\n'),
    );
  });

  test.skipIf(!IS_ROOT)('--user, limits and the log user reach setuidgid and softlimit; log/main belongs to the log user', () => {
    const s = setup();
    const r = daemontools(s.args('limited', '--user', 'nobody', '--limit-mem', '300000000', '--limit-files', '64', '--limit-procs', '50', '--', '/bin/sh', '-c', 'id -un; ulimit -n; grep "^Max processes" /proc/self/limits'));
    expect(r.status).toBe(0);
    const dir = join(s.svdir, 'limited');
    expect(readFileSync(join(dir, 'run'), 'utf8')).toContain(`exec setuidgid nobody softlimit -m 300000000 -o 64 -p 50 /bin/sh -c 'id -un; ulimit -n; grep "^Max processes" /proc/self/limits'\n`);
    expect(readFileSync(join(dir, 'log', 'run'), 'utf8')).toContain('exec setuidgid nobody multilog t ./main\n');
    expect(lstatSync(join(dir, 'log', 'main')).uid).not.toBe(0);
    const ran = spawnSync('/bin/sh', ['./run'], { cwd: dir, encoding: 'utf8', env: { PATH: `${OUR_BIN}:/usr/bin:/bin` } });
    expect(ran.stdout).toMatch(/^nobody\n64\nMax processes +50 /);
  });

  test('--instances with --port: NAME-i, each with INSTANCE and PORT', () => {
    const s = setup();
    const r = daemontools(s.args('api', '--instances', '3', '--port', '8000', '--', 'sh'));
    expect(r.status).toBe(0);
    expect(readdirSync(s.scandir).sort()).toEqual(['api-0', 'api-1', 'api-2']);
    for (const i of [0, 1, 2]) {
      expect(readFileSync(join(s.svdir, `api-${i}`, 'env', 'INSTANCE'), 'utf8')).toBe(`${i}\n`);
      expect(readFileSync(join(s.svdir, `api-${i}`, 'env', 'PORT'), 'utf8')).toBe(`${8000 + i}\n`);
    }
  });
});

test('--ready, --restart-backoff and --kill-timeout write the extension files supervise reads, and no others', () => {
  const s = setup();
  const files = (name: string): string[] => readdirSync(join(s.svdir, name)).filter((f) => !['run', 'log', 'env'].includes(f)).sort();
  expect(daemontools(s.args('plain', '--', 'sh')).status).toBe(0);
  expect(files('plain')).toEqual([]);
  for (const [ready, file, content] of [['fd', 'notification-fd', '3\n'], ['socket', 'notify-socket', ''], ['ipc', 'notify-ipc', '']] as const) {
    expect(daemontools(s.args(`r-${ready}`, '--ready', ready, '--', 'sh')).status).toBe(0);
    expect(files(`r-${ready}`)).toEqual([file]);
    expect(readFileSync(join(s.svdir, `r-${ready}`, file), 'utf8')).toBe(content);
  }
  expect(daemontools(s.args('policy', '--restart-backoff', '2,30', '--kill-timeout', '4000', '--', 'sh')).status).toBe(0);
  expect(files('policy')).toEqual(['backoff', 'timeout-kill']);
  expect(readFileSync(join(s.svdir, 'policy', 'backoff'), 'utf8')).toBe('2 30\n');
  expect(readFileSync(join(s.svdir, 'policy', 'timeout-kill'), 'utf8')).toBe('4000\n');
});

describe('with svscan running', () => {
  test('--ready ipc: a Node service that calls process.send("ready") is ready for daemontools wait --ready', async () => {
    const s = setup();
    new RunningSvscan('ours', box.root, ['svc']);
    const app = box.path('app.js');
    writeFileSync(app, "setTimeout(() => process.send('ready'), 300); setInterval(() => {}, 1000);\n");
    const r = daemontools(s.args('web', '--ready', 'ipc', '--', process.execPath, app));
    expect(r.status).toBe(0);
    const dir = join(s.scandir, 'web');
    await until('web up', () => box.pid(dir) !== 0);
    const waited = daemontools(['wait', '--ready', '--timeout', '20', dir]);
    expect(waited.stderr).toBe('');
    expect(waited.status).toBe(0);
    const state = JSON.parse(readFileSync(join(dir, 'supervise', 'status.json'), 'utf8')) as { state: string; ready: boolean };
    expect(state).toMatchObject({ state: 'up', ready: true });
  });

  test('add starts it with its log; remove stops both, waits for supervise, keeps or purges', async () => {
    const s = setup();
    const svscan = new RunningSvscan('ours', box.root, ['svc']);
    const r = daemontools(s.args('ticker', '--', '/bin/sh', '-c', 'echo started; exec sleep 1000'));
    expect(r.stdout).toMatch(/^ticker: added .*svc\.d\/ticker, active as .*svc\/ticker\n$/);
    const dir = join(s.svdir, 'ticker');
    const current = join(dir, 'log', 'main', 'current');
    await until('the first line logged', () => existsSync(current) && readFileSync(current, 'utf8').includes(' started\n'));
    const pid = box.pid(dir);
    const logPid = box.pid(join(dir, 'log'));
    expect(alive(pid) && alive(logPid)).toBe(true);

    const kept = daemontools(['remove', '--scandir', s.scandir, 'ticker']);
    expect(kept.stderr).toBe('');
    expect(kept.stdout).toBe(`ticker: removed from ${s.scandir}, supervise gone; kept ${dir}\n`);
    expect(kept.status).toBe(0);
    expect(existsSync(join(s.scandir, 'ticker'))).toBe(false);
    expect(alive(pid) || alive(logPid)).toBe(false);
    expect(existsSync(join(dir, 'run'))).toBe(true);
    expect(svscan.hasExited).toBe(false);

    // Not one of add's: a real directory in the scan directory, purged.
    const plain = box.service('plain', '#!/bin/sh\nexec sleep 1000\n', { log: '#!/bin/sh\nexec cat > /dev/null\n' });
    await until('plain up', () => box.pid(plain) !== 0 && box.pid(join(plain, 'log')) !== 0);
    const purged = daemontools(['remove', '--scandir', s.scandir, '--purge', 'plain']);
    expect(purged.stdout).toBe(`plain: removed from ${s.scandir}, supervise gone; deleted ${join(s.scandir, '.plain')}\n`);
    expect(readdirSync(s.scandir)).toEqual([]);

    const missing = daemontools(['remove', '--scandir', s.scandir, 'ghost']);
    expect(missing.stderr).toBe(`daemontools: fatal: ghost: no service ghost in ${s.scandir}\n`);
    expect(missing.status).toBe(111);
  });
});

describe('import', () => {
  const FIXTURES = join(__dirname, '..', 'fixtures', 'ecosystem');

  test('an ecosystem.config.js with --env production: every app added, each key accounted for on stderr', () => {
    const s = setup();
    const r = daemontools(['import', join(FIXTURES, 'ecosystem.config.js'), '--env', 'production', '--svdir', s.svdir, '--scandir', s.scandir]);
    expect(r.status).toBe(0);
    const names = readdirSync(s.scandir).sort();
    expect(names.filter((n) => !n.startsWith('worker-'))).toEqual(['api-app-0', 'api-app-1', 'api-app-2', 'api-app-3', 'myapp']);
    expect(names.filter((n) => n.startsWith('worker-')).length).toBeGreaterThan(0);
    expect(readFileSync(join(s.svdir, 'myapp', 'env', 'NODE_ENV'), 'utf8')).toBe('production\n');
    expect(readFileSync(join(s.svdir, 'api-app-2', 'env', 'NODE_APP_INSTANCE'), 'utf8')).toBe('2\n');
    expect(readFileSync(join(s.svdir, 'worker-1', 'env', 'PORT'), 'utf8')).toBe('9001\n');
    expect(readFileSync(join(s.svdir, 'api-app-0', 'run'), 'utf8')).toContain(`exec envdir "$svc"/env node --max-old-space-size=512 api.js --color --name 'api one'\n`);
    for (const key of ['watch', 'exec_mode', 'max_memory_restart', 'cron_restart', 'deploy']) {
      expect(r.stderr).toMatch(new RegExp(`^ *(daemontools: warning: )?${key}: `, 'm'));
    }
    for (const key of ['wait_ready', 'kill_timeout', 'exp_backoff_restart_delay', 'min_uptime/max_restarts']) expect(r.stderr).toMatch(new RegExp(`note: api-app: ${key}[: ]`));
    // What they became: the extension files supervise reads (docs/readiness.md).
    expect(['notify-ipc', 'timeout-kill', 'backoff', 'permanent-failure'].map((f) => readFileSync(join(s.svdir, 'api-app-0', f), 'utf8'))).toEqual(['', '3000\n', '1 15\n', '310 10\n']);
    expect(r.stderr).toMatch(/note: api-app: out_file, error_file, log_date_format: one multilog log/);
  });

  test('a .json process file (comments and all), --dry-run: the plan, nothing written', () => {
    const s = setup();
    const r = daemontools(['import', join(FIXTURES, 'process.json'), '--svdir', s.svdir, '--scandir', s.scandir, '--dry-run', '--no-check']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`  | cd /this/is/a/path/to/start/script || exit 111\n  | exec envdir "$svc"/env node --harmony worker.js '--toto=heya coco' -d 1\n`);
    expect(r.stdout).toContain(`${join(s.scandir, 'api-app-3')} -> ${join(s.svdir, 'api-app-3')}\n`);
    expect(r.stderr).toMatch(/pid_file: no pid file/);
    expect(tree(s.svdir)).toEqual([]);
  });

  test('one app refused: nothing written for any', () => {
    const s = setup();
    mkdirSync(join(s.svdir, 'myapp'), { recursive: true });
    const r = daemontools(['import', join(FIXTURES, 'ecosystem.config.js'), '--svdir', s.svdir, '--scandir', s.scandir]);
    expect(r.stderr).toMatch(/fatal: myapp: myapp exists already/);
    expect(r.stderr).toMatch(/nothing was written\n$/);
    expect(r.status).toBe(100);
    expect(tree(s.svdir)).toEqual(['myapp']);
    expect(tree(s.scandir)).toEqual([]);
  });

  test('a file that is not an ecosystem file', () => {
    const s = setup();
    const bad = box.path('bad.json');
    writeFileSync(bad, '{"deploy": {}}');
    const r = daemontools(['import', bad, '--svdir', s.svdir, '--scandir', s.scandir]);
    expect(r.stderr).toBe('daemontools: fatal: no apps: an ecosystem file exports { apps: [...] }\n');
    expect(r.status).toBe(100);
  });
});
