// C svscan's rules across scans: a supervisor that ended (svc -dx) is started again on the next
// scan; a directory moved out keeps its supervisor but is never restarted once that ends.
// A scan is made observable by moving a new service in and waiting for it to come up.
import { renameSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { alive, client, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const SLEEP = '#!/bin/sh\nexec sleep 1000\n';

let box: ScanBox;
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  box.remove();
});

const svc = (...args: string[]): void => {
  const r = client('ours', 'svc', args, box.root);
  expect(r.stderr).toBe('');
};

/** Moves a fresh service in and waits for it to be up: proof that a scan has happened since. */
let marks = 0;
async function scanHappened(): Promise<void> {
  const name = `mark${marks++}`;
  box.service(name, SLEEP, { where: 'staging' });
  renameSync(box.path('staging', name), box.path('svc', name));
  await until(`${name} up`, () => box.pid(box.path('svc', name)) !== 0);
}

test.each([
  ['a service', 'svc/a'],
  ['a logger', 'svc/a/log'],
])('%s whose supervisor ended after svc -dx is supervised again on the next scan', async (_name, dir) => {
  box.service('a', SLEEP, { log: SLEEP });
  const svscan = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  const first = await until('up', () => box.pid(box.path(dir)) || undefined);
  svc('-dx', dir);
  // Left to that supervisor, the service would stay down (svc -d); up again means a new supervisor.
  const second = await until('up again', () => [box.pid(box.path(dir))].find((p) => p !== 0 && p !== first), 20000, () => svscan.stderr);
  expect(second).not.toBe(first);
  expect(alive(first)).toBe(false);
  expect(svscan.stderr).toBe('');
});

test('the supervisor of a directory moved away keeps running; once it ends, nothing restarts it', async () => {
  const a = box.service('a', SLEEP);
  new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const pid = await until('a up', () => box.pid(a) || undefined);
  renameSync(a, box.path('away'));
  await scanHappened();
  expect(client('ours', 'svok', ['away'], box.root).status).toBe(0);
  expect(box.pid(box.path('away'))).toBe(pid);
  svc('-dx', 'away');
  await until('supervisor gone', () => client('ours', 'svok', ['away'], box.root).status !== 0);
  // Moved back in, it is a service again.
  await scanHappened();
  expect(client('ours', 'svok', ['away'], box.root).status).not.toBe(0);
  renameSync(box.path('away'), a);
  await until('a up again', () => box.pid(a) !== 0 && box.pid(a) !== pid);
});

test('a removed service directory: its service keeps running', async () => {
  const a = box.service('a', SLEEP);
  new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const pid = await until('a up', () => box.pid(a) || undefined);
  rmSync(a, { recursive: true });
  await scanHappened();
  expect(alive(pid)).toBe(true);
});
