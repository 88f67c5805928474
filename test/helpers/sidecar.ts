// Sidecars for tests: made by our own encoder for whatever 18-byte status a real supervise
// (C's or ours) wrote, and put in place the way supervise does it (writeSidecar).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeStatus, type Status } from '../../src/lib/status.js';
import { makeSidecar, type SidecarParts } from '../../src/lib/supervise/ext/sidecar.js';
import { writeSidecar } from '../../src/lib/supervise/ext/sidecar-file.js';

export function currentStatus(dir: string): Status {
  const s = decodeStatus(readFileSync(join(dir, 'supervise', 'status')));
  if (s === null) throw new Error(`${dir}: no status`);
  return s;
}

/** Writes a sidecar matching the service's current 18 bytes, with `over` on top of a plain up/down state. */
export function putSidecar(dir: string, over: Partial<SidecarParts> = {}): void {
  const status = over.status ?? currentStatus(dir);
  const up = status.pid !== 0;
  const parts: SidecarParts = {
    status,
    state: up ? 'up' : 'down',
    ready: up,
    readySince: up ? Date.now() : null,
    statusText: null,
    dialect: null,
    mainPid: null,
    errno: null,
    normallyUp: true,
    starts: up ? 1 : 0,
    deathsTotal: 0,
    lastExit: null,
    deaths: [],
    nextStartAt: null,
    ...over,
  };
  const problem = writeSidecar(dir, makeSidecar(parts));
  if (problem) throw problem.error;
}
