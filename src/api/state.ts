// A service's state with what supervise/status.json adds (readiness, last exit, deaths, backoff),
// read beside the 18-byte status and trusted only while it matches it; without a sidecar (C
// supervise, or no extension files) everything falls back to the 18 bytes: up or down, ready = up.
import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeStatus, STATUS_SIZE, type Status } from '../lib/status.js';
import { checkSidecar, decodeSidecar, SIDECAR_NAME, type Sidecar, type StateName } from '../lib/supervise/ext/sidecar.js';
import type { ExitReason } from '../lib/supervise/ext/policy.js';
import { readStatus, type ServiceStatus } from './status.js';

export type { Sidecar, SidecarDeath, SidecarExit, StateName } from '../lib/supervise/ext/sidecar.js';
export type { ExitReason } from '../lib/supervise/ext/policy.js';

export interface ServiceExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: Date;
  /** Seconds the run lasted. */
  readonly uptime: number;
  readonly reason: ExitReason;
}

/** {@link ServiceStatus} and the extended state. */
export interface ServiceState extends ServiceStatus {
  /** down, starting (up, not ready), up (ready, or no readiness dialect), stopping, finishing, backoff, failed. */
  readonly state: StateName;
  /** Ready as the service said (a readiness dialect), else the same as `up`. */
  readonly ready: boolean;
  readonly readySince: Date | null;
  readonly statusText: string | null;
  /** Starts and deaths since the supervisor began; null without a sidecar. */
  readonly starts: number | null;
  readonly deathsTotal: number | null;
  readonly lastExit: ServiceExit | null;
  readonly deaths: ReadonlyArray<{ readonly at: Date; readonly code: number | null; readonly signal: string | null }>;
  readonly nextStartAt: Date | null;
  /** supervise/status.json as read (and found to match the 18 bytes), or null: the fallback. */
  readonly sidecar: Sidecar | null;
}

const date = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

async function readRaw(dir: string): Promise<Status | null> {
  const bytes = Buffer.alloc(STATUS_SIZE);
  const handle = await open(join(dir, 'supervise', 'status'), constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const { bytesRead } = await handle.read(bytes, 0, STATUS_SIZE, 0);
    return decodeStatus(bytes.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

async function readJson(dir: string): Promise<Sidecar | null> {
  try {
    return decodeSidecar(await readFile(join(dir, 'supervise', SIDECAR_NAME), 'utf8'));
  } catch {
    return null;
  }
}

/** The state as the 18 bytes alone tell it. */
export function fallbackState(status: ServiceStatus): ServiceState {
  return {
    ...status,
    state: status.up ? 'up' : 'down',
    ready: status.up,
    readySince: null,
    statusText: null,
    starts: null,
    deathsTotal: null,
    lastExit: null,
    deaths: [],
    nextStartAt: null,
    sidecar: null,
  };
}

/** The state a matching sidecar tells, over the 18-byte status read with it. */
export function sidecarState(status: ServiceStatus, s: Sidecar): ServiceState {
  const up = s.pid !== 0;
  return {
    ...status,
    up,
    pid: up ? s.pid : null,
    since: new Date(s.since),
    seconds: Math.max(0, Math.floor((Date.now() - Date.parse(s.since)) / 1000)),
    paused: s.paused,
    want: s.want,
    state: s.state,
    ready: s.ready,
    readySince: date(s.readySince),
    statusText: s.statusText,
    starts: s.starts,
    deathsTotal: s.deathsTotal,
    lastExit: s.lastExit && { ...s.lastExit, at: new Date(s.lastExit.at) },
    deaths: s.deaths.map((d) => ({ ...d, at: new Date(d.at) })),
    nextStartAt: date(s.nextStartAt),
    sidecar: s,
  };
}

/**
 * Reads the state of the service in `dir`: {@link readStatus}'s checks and fields, and the
 * sidecar's when it is there and matches (or is ahead of) the 18-byte status.
 * @throws {@link DaemontoolsError} as {@link readStatus}.
 */
export async function readState(dir: string): Promise<ServiceState> {
  const status = await readStatus(dir);
  // The 18 bytes first, then the sidecar: supervise writes them the other way round, so a
  // sidecar read after a status is never older than it unless it is stale.
  let raw: Status | null;
  try {
    raw = await readRaw(dir);
  } catch {
    return fallbackState(status);
  }
  const sidecar = await readJson(dir);
  if (raw === null || sidecar === null || checkSidecar(sidecar, raw) === 'stale') return fallbackState(status);
  return sidecarState(status, sidecar);
}
