// readState, waitFor(dir, 'ready' | 'exit') and diffStates, against real supervise processes (C's)
// with sidecars written by our encoder; without one, the 18 bytes alone.
import { afterEach, describe, expect, test } from 'vitest';
import { diffStates } from '../../../src/api/events.js';
import { fallbackState, readState, type ServiceState } from '../../../src/api/state.js';
import { readStatus } from '../../../src/api/status.js';
import { waitFor } from '../../../src/api/watch.js';
import { currentStatus, putSidecar } from '../../helpers/sidecar.js';
import { cleanup, HAVE_C, makeService, startC, tempRoot } from './fixture.js';
import { join } from 'node:path';

afterEach(cleanup);

describe.skipIf(!HAVE_C)('readState', () => {
  test('C supervise, no sidecar: up, ready = up, nothing else known', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const s = await readState(dir);
    expect(s).toMatchObject({ up: true, state: 'up', ready: true, sidecar: null, lastExit: null, starts: null });
    expect(s.pid).toBe(currentStatus(dir).pid);
  });

  test('a matching sidecar: its state, readiness and last exit', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const at = Date.now() - 3000;
    putSidecar(dir, { state: 'starting', ready: false, readySince: null, statusText: 'warming', dialect: 'sd-notify', starts: 4, deathsTotal: 3,
      lastExit: { code: 2, signal: null, at, uptimeMs: 1500, reason: 'exit' } });
    const s = await readState(dir);
    expect(s).toMatchObject({ up: true, state: 'starting', ready: false, statusText: 'warming', starts: 4, deathsTotal: 3 });
    expect(s.lastExit).toEqual({ code: 2, signal: null, at: new Date(at), uptime: 1.5, reason: 'exit' });
    expect(s.sidecar?.dialect).toBe('sd-notify');
  });

  test('a stale sidecar (the 18 bytes were written since, as C supervise would): ignored', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const now = currentStatus(dir);
    putSidecar(dir, { status: { ...now, stamp: { seconds: now.stamp.seconds - 5n, nanoseconds: 0 } }, state: 'failed', ready: false });
    expect(await readState(dir)).toMatchObject({ state: 'up', ready: true, sidecar: null });
  });

  test('a sidecar ahead of the 18 bytes (written first, the status follows): believed', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const now = currentStatus(dir);
    putSidecar(dir, { status: { ...now, pid: 0, stamp: { seconds: now.stamp.seconds + 1n, nanoseconds: 0 } }, state: 'backoff', ready: false, nextStartAt: Date.now() + 5000 });
    expect(await readState(dir)).toMatchObject({ up: false, pid: null, state: 'backoff', ready: false });
  });

  test('a torn or foreign status.json: the fallback', async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'supervise', 'status.json'), '{"pid":');
    expect((await readState(dir)).sidecar).toBeNull();
  });
});

describe.skipIf(!HAVE_C)('waitFor ready and exit', () => {
  test("'ready' waits for the sidecar to say so, without polling", async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    putSidecar(dir, { state: 'starting', ready: false, readySince: null, dialect: 's6' });
    let done = false;
    const waiting = waitFor(dir, 'ready', { timeout: 10000 }).then((s) => ((done = true), s));
    // The sidecar is rewritten (a status text) without readiness: still waiting.
    putSidecar(dir, { state: 'starting', ready: false, readySince: null, dialect: 's6', statusText: 'loading' });
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    putSidecar(dir, { state: 'up', ready: true, dialect: 's6' });
    const s = await waiting;
    expect(s).toMatchObject({ ready: true, state: 'up' });
  });

  test("'ready' without a sidecar is 'up'", async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    expect(await waitFor(dir, 'ready', { timeout: 5000 })).toMatchObject({ up: true, ready: true });
  });

  test("'ready' times out with ERR_TIMEOUT while the service is not ready", async () => {
    const dir = makeService(join(tempRoot(), 'web'));
    await startC(dir);
    putSidecar(dir, { state: 'starting', ready: false, readySince: null, dialect: 'ipc' });
    await expect(waitFor(dir, 'ready', { timeout: 300 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });

  test("'exit' waits for ./finish to be done", async () => {
    const dir = makeService(join(tempRoot(), 'web'), { down: true });
    await startC(dir);
    putSidecar(dir, { state: 'finishing', ready: false, readySince: null });
    const waiting = waitFor(dir, 'exit', { timeout: 10000 });
    putSidecar(dir, { state: 'down', ready: false, readySince: null });
    expect(await waiting).toMatchObject({ up: false, state: 'down' });
  });
});

describe.skipIf(!HAVE_C)('diffStates', () => {
  const T = (s: number): Date => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
  let base: ServiceState;
  test('events from pairs of states', async () => {
    const dir = makeService(join(tempRoot(), 'web'), { down: true });
    await startC(dir);
    base = fallbackState(await readStatus(dir));
    const sc = { version: 1 } as unknown as ServiceState['sidecar'];
    const st = (over: Partial<ServiceState>): ServiceState => ({ ...base, sidecar: sc, ...over });
    const down = st({ up: false, pid: null, state: 'down', ready: false, since: T(0) });
    const starting = st({ up: true, pid: 10, state: 'starting', ready: false, since: T(1) });
    const ready = st({ ...starting, state: 'up', ready: true, readySince: T(2) });
    const texted = st({ ...ready, statusText: 'serving' });
    const exited = st({ up: false, pid: null, state: 'backoff', ready: false, since: T(3), nextStartAt: T(7),
      lastExit: { code: null, signal: 'SIGKILL', at: T(3), uptime: 2, reason: 'watchdog' } });
    const failed = st({ ...exited, state: 'failed', nextStartAt: null });
    const pick = (e: ReturnType<typeof diffStates>) => e.map(({ type, pid, code, signal, reason, statusText, nextStartAt }) =>
      JSON.parse(JSON.stringify({ type, pid, code, signal, reason, statusText, nextStartAt })));
    expect(diffStates('web', dir, null, down)).toEqual([]);
    expect(pick(diffStates('web', dir, down, starting))).toEqual([{ type: 'start', pid: 10 }]);
    expect(pick(diffStates('web', dir, starting, ready))).toEqual([{ type: 'ready' }]);
    expect(pick(diffStates('web', dir, ready, texted))).toEqual([{ type: 'status', statusText: 'serving' }]);
    expect(pick(diffStates('web', dir, texted, exited))).toEqual([
      { type: 'exit', pid: 10, code: null, signal: 'SIGKILL', reason: 'watchdog' },
      { type: 'status', statusText: null },
      { type: 'backoff', nextStartAt: T(7).toISOString() },
    ]);
    expect(pick(diffStates('web', dir, exited, failed))).toEqual([{ type: 'failed' }]);
    expect(pick(diffStates('web', dir, ready, ready))).toEqual([]);
    // Without sidecars: start and exit from the pid, ready implied, down only when not wanted up.
    const f = (over: Partial<ServiceState>): ServiceState => ({ ...base, sidecar: null, ...over });
    const fUp = f({ up: true, pid: 20, state: 'up', ready: true, want: 'up' });
    const fDown = f({ up: false, pid: null, state: 'down', ready: false, want: 'up' });
    expect(pick(diffStates('web', dir, fDown, fUp))).toEqual([{ type: 'start', pid: 20 }]);
    expect(pick(diffStates('web', dir, fUp, fDown))).toEqual([{ type: 'exit', pid: 20, code: null, signal: null, reason: null }]);
    expect(pick(diffStates('web', dir, fUp, { ...fDown, want: 'down' }))).toEqual([
      { type: 'exit', pid: 20, code: null, signal: null, reason: null },
      { type: 'down' },
    ]);
  });
});
