// The clients of issue 13 (daemontools status, wait, events, metrics) against real supervise
// processes: C's (and ours) writing the 18 bytes, sidecars written by our encoder beside them;
// without a sidecar, the fallback. The Prometheus output is read by a real parser.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import parsePrometheus from 'parse-prometheus-text-format';
import { sendCommands } from '../../src/lib/control.js';
import { ours } from '../helpers/paths.js';
import { currentStatus, putSidecar } from '../helpers/sidecar.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from '../unit/api/fixture.js';
import { daemontools, startDaemontools } from './daemontools-cli-run.js';

const running: ChildProcess[] = [];
const ourSupervise: Array<{ child: ChildProcess; dir: string }> = [];

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited(child);
  }
  for (const { child, dir } of ourSupervise.splice(0)) {
    try {
      sendCommands(join(dir, 'supervise', 'control'), 'dx');
    } catch {
      child.kill('SIGKILL');
    }
    await exited(child);
  }
  await cleanup();
});

/** The daemontools command, asynchronously (the test writes sidecars while it runs). */
function run(args: readonly string[]): { child: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const started = startDaemontools(args);
  running.push(started.child);
  let stderr = '';
  started.child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = exited(started.child).then((status) => ({ status, stdout: started.output().replace(/^pid \d+\n/, '').replace(stderr, ''), stderr }));
  return { child: started.child, done };
}

async function service(name: string, spec: { down?: boolean } = {}): Promise<string> {
  const dir = makeService(join(tempRoot(), name), spec);
  await startC(dir);
  return dir;
}

describe.skipIf(!HAVE_C)('daemontools status with sidecars', () => {
  test('state, readiness, last exit from the sidecar; the fallback for a service without one', async () => {
    const web = await service('web');
    const db = await service('db');
    putSidecar(web, { state: 'starting', ready: false, readySince: null, dialect: 'sd-notify', statusText: 'loading cache', starts: 2, deathsTotal: 1,
      lastExit: { code: null, signal: 'SIGKILL', at: Date.now() - 65000, uptimeMs: 3000, reason: 'watchdog' } });
    const r = daemontools(['status', web, db]);
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split(/ {2,}/));
    expect(rows[0]).toEqual(['SERVICE', 'STATE', 'READY', 'PID', 'TIME', 'LAST EXIT', 'NOTES']);
    expect(rows[1]).toEqual([web, 'starting', 'no', String(currentStatus(web).pid), expect.stringMatching(/^\d+s$/), expect.stringMatching(/^SIGKILL \(watchdog\) 1m\d\ds ago$/), '"loading cache"']);
    expect(rows[2]).toEqual([db, 'up', 'yes', String(currentStatus(db).pid), expect.stringMatching(/^\d+s$/), '-']);
    expect(r.status).toBe(0);
  });

  test('--json carries the sidecar as written', async () => {
    const web = await service('web');
    putSidecar(web, { state: 'up', ready: true, dialect: 's6', starts: 1 });
    const [line] = daemontools(['status', '--json', web]).stdout.trimEnd().split('\n');
    const o = JSON.parse(line!) as Record<string, unknown> & { sidecar: Record<string, unknown> };
    expect(o).toMatchObject({ service: web, up: true, state: 'up', ready: true });
    expect(o.sidecar).toMatchObject({ version: 1, pid: currentStatus(web).pid, state: 'up', dialect: 's6', starts: 1 });
  });

  test('a stale sidecar (C supervise wrote the 18 bytes since) is not shown', async () => {
    const web = await service('web');
    const now = currentStatus(web);
    putSidecar(web, { status: { ...now, pid: 1, stamp: { seconds: now.stamp.seconds - 10n, nanoseconds: 0 } }, state: 'failed', ready: false });
    const o = JSON.parse(daemontools(['status', '--json', web]).stdout) as Record<string, unknown>;
    expect(o).toMatchObject({ state: 'up', ready: true, sidecar: null });
  });
});

describe.skipIf(!HAVE_C)('daemontools wait', () => {
  test('--ready: returns 0 once the sidecar says ready', async () => {
    const web = await service('web');
    putSidecar(web, { state: 'starting', ready: false, readySince: null, dialect: 'ipc' });
    const { done } = run(['wait', '--ready', '--timeout', '20', web]);
    await new Promise((r) => setTimeout(r, 300));
    putSidecar(web, { state: 'up', ready: true, dialect: 'ipc' });
    expect(await done).toMatchObject({ status: 0, stderr: '' });
  });

  test('timeout: exit 1, naming only the services that were not there', async () => {
    const web = await service('web');
    const db = await service('db');
    putSidecar(web, { state: 'starting', ready: false, readySince: null, dialect: 's6' });
    const r = daemontools(['wait', '--ready', '--timeout', '0.5', web, db]);
    expect(r).toEqual({ status: 1, stdout: '', stderr: `daemontools: timed out after 0.5 seconds: ${web} is not ready\n` });
  });

  // A state that holds returns at once (a long timeout never matters); one that does not, at the timeout.
  test.each([
    [['--up'], '30', 0],
    [[], '30', 0],
    [['--ready'], '30', 0],
    [['--down'], '0.3', 1],
    [['--exit'], '0.3', 1],
  ])('C supervise without a sidecar, a running service: wait %j (timeout %s) exits %i', async (flags, timeout, code) => {
    const web = await service('web');
    expect(daemontools(['wait', ...flags, '--timeout', timeout, web]).status).toBe(code);
  });

  test('--down and --exit: a service brought down', async () => {
    const web = await service('web');
    const down = run(['wait', '--down', '--timeout', '20', web]);
    const exit = run(['wait', '--exit', '--timeout', '20', web]);
    await new Promise((r) => setTimeout(r, 300));
    sendCommands(join(web, 'supervise', 'control'), 'd');
    expect((await down.done).status).toBe(0);
    expect((await exit.done).status).toBe(0);
  });

  test('--exit waits while ./finish runs (state finishing)', async () => {
    const web = await service('web', { down: true });
    putSidecar(web, { state: 'finishing', ready: false, readySince: null });
    const { done } = run(['wait', '--exit', '--timeout', '20', web]);
    await new Promise((r) => setTimeout(r, 300));
    putSidecar(web, { state: 'down', ready: false, readySince: null });
    expect((await done).status).toBe(0);
  });

  test('our supervise, no extension files: the fallback, as with C', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    const child = spawn(ours('supervise'), [dir], { stdio: 'ignore' });
    ourSupervise.push({ child, dir });
    expect(daemontools(['wait', '--ready', '--timeout', '20', dir]).status).toBe(0);
    const o = JSON.parse(daemontools(['status', '--json', dir]).stdout) as Record<string, unknown>;
    expect(o).toMatchObject({ up: true, state: 'up', ready: true, sidecar: null });
  });

  test.each([
    [['wait']],
    [['wait', '--up', '--down', 'x']],
    [['wait', '--timeout', '-1', 'x']],
    [['wait', '--timeout', 'soon', 'x']],
  ])('usage: %j exits 100', (args) => {
    const r = daemontools(args);
    expect(r.status).toBe(100);
    expect(r.stderr).toMatch(/^daemontools: usage: /);
  });
});

describe.skipIf(!HAVE_C)('daemontools events', () => {
  test('--json: a state line first, then one line per transition', async () => {
    const web = await service('web');
    putSidecar(web, { state: 'starting', ready: false, readySince: null, dialect: 'sd-notify' });
    const ev = startDaemontools(['events', '--json', web]);
    running.push(ev.child);
    await ev.until(/"event":"state"/);
    putSidecar(web, { state: 'up', ready: true, dialect: 'sd-notify' });
    await ev.until(/"event":"ready"/);
    putSidecar(web, { state: 'up', ready: true, dialect: 'sd-notify', statusText: 'serving' });
    await ev.until(/"event":"status"/);
    const pid = currentStatus(web).pid;
    // The run dies (TERM, as the 18 bytes will show) and supervise backs off: the sidecar first.
    putSidecar(web, { status: { ...currentStatus(web), pid: 0, stamp: { ...currentStatus(web).stamp, seconds: currentStatus(web).stamp.seconds + 1n } },
      state: 'backoff', ready: false, readySince: null, dialect: 'sd-notify', nextStartAt: Date.now() + 60000, deathsTotal: 1,
      lastExit: { code: null, signal: 'SIGTERM', at: Date.now(), uptimeMs: 2000, reason: 'signal' } });
    await ev.until(/"event":"backoff"/);
    const lines = ev.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toEqual(['state', 'ready', 'status', 'exit', 'status', 'backoff']);
    expect(lines[0]).toMatchObject({ service: web, dir: web, state: 'starting', ready: false, pid });
    expect(lines[2]).toMatchObject({ statusText: 'serving' });
    expect(lines[3]).toMatchObject({ pid, code: null, signal: 'SIGTERM', reason: 'signal', state: 'backoff' });
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    ev.child.kill('SIGTERM');
    expect(await exited(ev.child)).toBe(0);
  });

  test('text, C supervise without a sidecar: start and exit from the 18 bytes, down when stopped', async () => {
    const web = await service('web');
    const ev = startDaemontools(['events', web]);
    running.push(ev.child);
    await ev.until(/ state up pid \d+\n/);
    const first = currentStatus(web).pid;
    sendCommands(join(web, 'supervise', 'control'), 't');
    await ev.until(new RegExp(`exit pid ${first}\\n[^\\n]* start pid \\d+\\n`));
    sendCommands(join(web, 'supervise', 'control'), 'd');
    await ev.until(/ down\n/);
    const text = ev.output().split('\n').filter((l) => /^\d{4}-/.test(l)).map((l) => l.replace(/^\S+ /, ''));
    expect(text).toEqual([`${web} state up pid ${first}`, `${web} exit pid ${first}`, expect.stringMatching(new RegExp(`^${web} start pid \\d+$`)),
      expect.stringMatching(new RegExp(`^${web} exit pid \\d+$`)), `${web} down`]);
  });
});

describe.skipIf(!HAVE_C)('daemontools metrics', () => {
  type Family = { name: string; type: string; metrics: Array<{ value: string; labels: Record<string, string> }> };
  const value = (families: Family[], name: string, service: string): string | undefined =>
    families.find((f) => f.name === name)?.metrics.find((m) => m.labels.service === service)?.value;

  test('printed once: every metric, labelled by service, read by a Prometheus text parser', async () => {
    const web = await service('web');
    const db = await service('db');
    putSidecar(web, { state: 'up', ready: true, dialect: 's6', starts: 5, deathsTotal: 4,
      lastExit: { code: null, signal: 'SIGKILL', at: Date.now() - 1000, uptimeMs: 10, reason: 'ready-timeout' } });
    const r = daemontools(['metrics', web, db]);
    expect(r.status).toBe(0);
    const families = parsePrometheus(r.stdout) as Family[];
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['daemontools_service_up', 'GAUGE'],
      ['daemontools_service_ready', 'GAUGE'],
      ['daemontools_service_starts_total', 'COUNTER'],
      ['daemontools_service_deaths_total', 'COUNTER'],
      ['daemontools_service_uptime_seconds', 'GAUGE'],
      ['daemontools_service_last_exit_code', 'GAUGE'],
    ]);
    expect(value(families, 'daemontools_service_up', web)).toBe('1');
    expect(value(families, 'daemontools_service_ready', web)).toBe('1');
    expect(value(families, 'daemontools_service_starts_total', web)).toBe('5');
    expect(value(families, 'daemontools_service_deaths_total', web)).toBe('4');
    expect(value(families, 'daemontools_service_last_exit_code', web)).toBe('137');
    expect(Number(value(families, 'daemontools_service_uptime_seconds', web))).toBeGreaterThanOrEqual(0);
    // C supervise, no sidecar: what the 18 bytes tell, nothing invented.
    expect(value(families, 'daemontools_service_up', db)).toBe('1');
    expect(value(families, 'daemontools_service_ready', db)).toBe('1');
    expect(value(families, 'daemontools_service_starts_total', db)).toBeUndefined();
    expect(value(families, 'daemontools_service_last_exit_code', db)).toBeUndefined();
    // Each line is a HELP, a TYPE or a sample of the family just typed.
    for (const line of r.stdout.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) daemontools_service_\w+ .+|daemontools_service_\w+\{service="[^"]*"\} [0-9.]+)$/);
  });

  test('label values are escaped', async () => {
    const { exposition } = await import('../../src/cli/daemontools/metrics.js');
    const { fallbackState } = await import('../../src/api/state.js');
    const s = fallbackState({ dir: 'x', up: true, pid: 3, since: new Date(), seconds: 0, paused: false, want: 'up', normallyUp: true });
    const text = exposition([{ name: 'we"ird\\na\nme', state: s }]);
    const families = parsePrometheus(text) as Family[];
    expect(families[0]!.metrics[0]!.labels.service).toBe('we"ird\\na\nme');
  });

  test('--listen: served at /metrics until TERM; other paths 404', async () => {
    const web = await service('web');
    const m = startDaemontools(['metrics', '--listen', '127.0.0.1:0', web]);
    running.push(m.child);
    await m.until(/serving http:\/\/127\.0\.0\.1:\d+\/metrics\n/);
    const url = /serving (\S+)/.exec(m.output())![1]!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parsePrometheus(await res.text()) as Family[];
    expect(value(families, 'daemontools_service_up', web)).toBe('1');
    putSidecar(web, { state: 'starting', ready: false, readySince: null, dialect: 'ipc' });
    const again = parsePrometheus(await (await fetch(url)).text()) as Family[];
    expect(value(again, 'daemontools_service_ready', web)).toBe('0');
    expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    m.child.kill('SIGTERM');
    expect(await exited(m.child)).toBe(0);
  });

  test('--listen with a bad address: usage', () => {
    expect(daemontools(['metrics', '--listen', 'nowhere', '/tmp']).status).toBe(100);
  });
});
