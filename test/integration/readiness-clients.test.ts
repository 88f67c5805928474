// Issue 13 end to end under our svscan: a service that says it is ready through s6's fd, seen by
// `daemontools wait --ready`, `events` and `metrics` (read by a real Prometheus parser), while C's
// svc, svok and svstat drive and read the same directory byte for byte as they would C's.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import parsePrometheus from 'parse-prometheus-text-format';
import { afterEach, expect, test } from 'vitest';
import { readSidecar } from '../../src/lib/supervise/ext/sidecar-file.js';
import { HAVE_C } from '../helpers/paths.js';
import { daemontools, startDaemontools } from './daemontools-cli-run.js';
import { client, killAll, RunningSvscan, ScanBox, svstatShape, until } from './svscan-harness.js';

const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

test.skipIf(!HAVE_C)('under svscan: wait --ready, events, metrics; C svc, svok, svstat on the same directory', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const web = box.service('web', '#!/bin/sh\nuntil [ -e go ]; do sleep 0.02; done\necho >&4\ntrap "echo HUP >> got; exit 0" HUP\nwhile :; do sleep 0.05; done\n');
  writeFileSync(join(web, 'notification-fd'), '4\n');
  writeFileSync(join(web, 'down-signal'), 'HUP\n');
  new RunningSvscan('ours', box.svc, ['.']);
  const pid = await until('web started', () => box.pid(web) || undefined);
  await until('the sidecar', () => readSidecar(web)?.state === 'starting' || undefined);

  // Not ready yet: wait --ready times out (1) naming it.
  const late = daemontools(['wait', '--ready', '--timeout', '0.3', web]);
  expect(late.status).toBe(1);
  expect(late.stderr).toContain(`${web} is not ready`);

  const events = startDaemontools(['events', '--json', web]);
  try {
    await events.until(/"event":"state"/);
    writeFileSync(join(web, 'go'), '');
    expect(daemontools(['wait', '--ready', '--timeout', '20', web]).status).toBe(0);
    await events.until(/"event":"ready"/);
    const ready = events
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { event: string; state: string })
      .find((e) => e.event === 'ready');
    expect(ready).toMatchObject({ event: 'ready', state: 'up', service: web });
  } finally {
    events.child.kill('SIGKILL');
  }

  const metrics = daemontools(['metrics', web]);
  expect(metrics.status).toBe(0);
  const families = parsePrometheus(metrics.stdout) as Array<{ name: string; metrics: Array<{ value: string; labels?: Record<string, string> }> }>;
  const value = (name: string): string | undefined => families.find((f) => f.name === name)?.metrics[0]?.value;
  expect(value('daemontools_service_up')).toBe('1');
  expect(value('daemontools_service_ready')).toBe('1');
  expect(value('daemontools_service_starts_total')).toBe('1');
  expect(value('daemontools_service_deaths_total')).toBe('0');

  // C's clients: svok says a supervisor is there; svstat's bytes are ours' bytes.
  expect(client('c', 'svok', [web], box.root).status).toBe(0);
  const cStat = client('c', 'svstat', [web], box.root).stdout;
  expect(cStat).toMatch(new RegExp(`^${web}: up \\(pid ${pid}\\) \\d+ seconds\\n$`));
  expect(svstatShape(client('ours', 'svstat', [web], box.root).stdout)).toEqual(svstatShape(cStat));
  // C's svc -d: the service's down-signal, then down.
  expect(client('c', 'svc', ['-d', web], box.root).status).toBe(0);
  await until('down', () => box.pid(web) === 0 || undefined);
  expect(readFileSync(join(web, 'got'), 'latin1')).toBe('HUP\n');
  expect(readSidecar(web)).toMatchObject({ state: 'down', want: 'down', lastExit: { reason: 'stopped', code: 0 } });
  expect(client('c', 'svstat', [web], box.root).stdout).toMatch(new RegExp(`^${web}: down \\d+ seconds, normally up\\n$`));
});

test.skipIf(!HAVE_C)('C supervise on a directory with extension files: it ignores them, our clients fall back to the 18 bytes', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dir = box.service('c', '#!/bin/sh\nexec sleep 100\n');
  writeFileSync(join(dir, 'notification-fd'), '4\n');
  writeFileSync(join(dir, 'backoff'), '1 5\n');
  new RunningSvscan('c', box.svc, ['.']);
  const pid = await until('c started', () => box.pid(dir) || undefined);
  expect(readSidecar(dir)).toBeNull();
  expect(svstatShape(client('ours', 'svstat', [dir], box.root).stdout)).toEqual(svstatShape(client('c', 'svstat', [dir], box.root).stdout));
  const r = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli', 'daemontools.js'), 'status', '--json', dir], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(r.stdout).toContain(`"pid":${pid}`);
});

test('a restarted svscan adopts a ready service: the sidecar says up and ready for the same pid, its sd_notify address still works', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const web = box.service('web', '#!/bin/sh\nsystemd-notify --ready --status=first\nuntil [ -e again ]; do sleep 0.05; done\nsystemd-notify --status=second\nexec sleep 100\n');
  writeFileSync(join(web, 'notify-socket'), '');
  const first = new RunningSvscan('ours', box.svc, ['.']);
  const up = await until('ready', () => {
    const s = readSidecar(web);
    return s?.state === 'up' && s.statusText === 'first' ? s : undefined;
  });
  // svscan dies; the service runs on and is adopted by the next one.
  first.remember();
  process.kill(first.pid, 'SIGKILL');
  await first.exited;
  new RunningSvscan('ours', box.svc, ['.']);
  const adopted = await until('adopted', () => {
    const s = readSidecar(web);
    return s !== null && s.starts === 0 && s.state === 'up' ? s : undefined;
  });
  expect(adopted).toMatchObject({ pid: up.pid, ready: true });
  writeFileSync(join(web, 'again'), '');
  await until('STATUS= through the same address', () => readSidecar(web)?.statusText === 'second' || undefined);
  expect(box.pid(web)).toBe(up.pid);
});
