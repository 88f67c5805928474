// pm2 ecosystem apps, shaped like pm2's documentation, turned into add requests.
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { appsOf, importApp, parseJsonWithComments } from '../../../../src/lib/door/ecosystem.js';
import { ROOT } from '../../../helpers/paths.js';

const DIR = join(ROOT, 'test', 'fixtures', 'ecosystem');
const context = { baseDir: DIR, cpus: 6, defaultUser: 'me' };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const apps = appsOf(require(join(DIR, 'ecosystem.config.js')));

describe('importApp', () => {
  test('env, then env_NAME over it with --env NAME', () => {
    expect(Object.fromEntries(importApp(apps[0]!, context).spec.env)).toEqual({ PORT: '3000', NODE_ENV: 'development' });
    expect(Object.fromEntries(importApp(apps[0]!, { ...context, envName: 'production' }).spec.env)).toEqual({ PORT: '80', NODE_ENV: 'production' });
  });

  test('script, interpreter args and args make the command; the file directory is the default cwd', () => {
    const api = importApp(apps[1]!, context);
    expect(api.spec.command).toEqual(['node', '--max-old-space-size=512', 'api.js', '--color', '--name', 'api one']);
    expect(api.spec.cwd).toBe(DIR);
    expect(api.instances).toBe(4);
    expect(api.spec.instanceVars).toEqual(['INSTANCE', 'NODE_APP_INSTANCE']);
  });

  test('every key without an equivalent is listed', () => {
    const keys = importApp(apps[1]!, context).unsupported.map((u) => u.split(':')[0]);
    expect(keys).toEqual(['exec_mode', 'max_memory_restart', 'cron_restart']);
    expect(importApp(apps[0]!, context).unsupported.map((u) => u.split(':')[0])).toEqual(['watch']);
    expect(importApp({ script: 'a.js', frobnicate: 1 }, context).unsupported).toEqual(['frobnicate: unknown to daemontools add']);
  });

  test('the log keys become one multilog log, said in a note', () => {
    expect(importApp(apps[1]!, context).notes).toContainEqual(expect.stringMatching(/^out_file, error_file, log_date_format: one multilog log in log\/main/));
  });

  test('wait_ready, kill_timeout and the restart policy become extension files, each said in a note', () => {
    const api = importApp(apps[1]!, context);
    // The fixture: wait_ready true, kill_timeout 3000, exp_backoff_restart_delay 100, min_uptime '30s', max_restarts 10.
    expect(api.spec).toMatchObject({ ready: 'ipc', killTimeoutMs: 3000, backoff: [1, 15], permanentFailure: [310, 10] });
    expect(api.notes.map((n) => n.split(':')[0])).toEqual(['out_file, error_file, log_date_format', 'wait_ready', 'kill_timeout', 'exp_backoff_restart_delay 100', 'min_uptime/max_restarts']);
    expect(importApp({ script: 'a.js', max_restarts: 3 }, context).spec.permanentFailure).toEqual([6, 3]); // pm2's min_uptime default, 1 s
    expect(importApp({ script: 'a.js', max_restarts: 0 }, context).spec.permanentFailure).toBeUndefined();
    expect(importApp({ script: 'a.js' }, context).spec).not.toHaveProperty('ready');
  });

  test.each<[unknown, number]>([[1500, 1500], ['1500', 1500], ['500ms', 500], ['30s', 30000], ['2m', 120000], ['1h', 3600000]])('kill_timeout %j is %i ms', (v, ms) => {
    expect(importApp({ script: 'a.js', kill_timeout: v }, context).spec.killTimeoutMs).toBe(ms);
  });

  test.each(['soon', '-5', '1.5s', 'ten seconds'])('a duration %j is refused, named', (v) => {
    expect(() => importApp({ name: 'x', script: 'a.js', min_uptime: v }, context)).toThrow(/x: min_uptime: .* is not a duration/);
  });

  test.each<[unknown, number]>([[undefined, 1], [3, 3], ['max', 6], [0, 6], [-1, 5], ['2', 2]])('instances %j -> %i', (instances, n) => {
    expect(importApp({ script: 'a.js', instances }, context).instances).toBe(n);
  });

  test.each<[Record<string, unknown>, string[]]>([
    [{ script: 'npm', args: 'start' }, ['npm', 'start']],
    [{ script: 'app.py', interpreter: 'python3', interpreter_args: ['-u'] }, ['python3', '-u', 'app.py']],
    [{ script: 'server.js', interpreter: 'none' }, ['server.js']],
    [{ script: 'bin/www.mjs', args: ['--a b'] }, ['node', 'bin/www.mjs', '--a b']],
  ])('command of %j', (app, cmd) => expect(importApp(app, context).spec.command).toEqual(cmd));

  test('name defaults to the script without its extension; cwd is read from the file directory; uid is the user', () => {
    const a = importApp({ script: './lib/server.js', cwd: 'srv', uid: 'www-data' }, context);
    expect(a.spec.name).toBe('server');
    expect(a.spec.cwd).toBe(join(DIR, 'srv'));
    expect(a.spec.user).toBe('www-data');
    expect(a.spec.logUser).toBe('www-data');
  });

  test('port with instances: PORT=port+i', () => {
    const w = importApp(apps[2]!, context);
    expect([w.instances, w.port]).toEqual([6, 9000]);
    expect(w.notes).toContain('port: each instance listens on its own port, 9000+i (no shared port)');
  });

  test('errors: no script, no apps', () => {
    expect(() => importApp({ name: 'x' }, context)).toThrow(/an app without a script/);
    expect(() => appsOf({ deploy: {} })).toThrow(/no apps/);
  });
});

test('JSON with comments, as pm2 examples have them, keeps // inside strings', () => {
  expect(parseJsonWithComments('{ // c\n "a": "http://x", /* b */ "b": [1] }')).toEqual({ a: 'http://x', b: [1] });
});
