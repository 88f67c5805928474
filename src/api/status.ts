// Reading a service's state, as svstat does: the down file, a supervise behind supervise/ok, and
// the 18 bytes of supervise/status, which C's supervise and ours write alike.
import { statSync } from 'node:fs';
import { errnoError } from '../lib/errors.js';
import { TAI_EPOCH, type Status, type Want } from '../lib/status.js';
import { normallyUp, probeOk, readStatusFile } from '../lib/svdir.js';
import { DaemontoolsError, errnoCode, systemError } from './errors.js';

export type { Want } from '../lib/status.js';

/** What supervise reports about one service. */
export interface ServiceStatus {
  /** The service directory, as given. */
  readonly dir: string;
  /** A process is running (svstat's "up"). */
  readonly up: boolean;
  /** The pid of ./run; `null` while the service is down. */
  readonly pid: number | null;
  /** When the service last went up or down (supervise's TAI64N stamp, to the millisecond). */
  readonly since: Date;
  /** Whole seconds from `since` to the moment of reading, as svstat prints them. */
  readonly seconds: number;
  /** Stopped by `pause` (svc -p) and not continued; only ever true while up. */
  readonly paused: boolean;
  /** What supervise keeps the service at: `'up'`, `'down'`, or `'none'` after `once` (svc -o). */
  readonly want: Want;
  /** No `down` file: supervise starts the service when it starts. */
  readonly normallyUp: boolean;
}

/** Milliseconds since the Unix epoch for a TAI64N stamp as supervise writes it. */
function stampToMs(seconds: bigint, nanoseconds: number): number {
  return Number(seconds - TAI_EPOCH) * 1000 + Math.floor(nanoseconds / 1e6);
}

function build(dir: string, status: Status | null, normallyUp: boolean, now: number): ServiceStatus {
  if (status === null) throw new DaemontoolsError('ERR_BAD_STATUS', dir, `${dir}: supervise/status is not 18 bytes long`);
  const ms = stampToMs(status.stamp.seconds, status.stamp.nanoseconds);
  const up = status.pid !== 0;
  return {
    dir,
    up,
    pid: up ? status.pid : null,
    since: new Date(ms),
    seconds: Math.max(0, Math.floor(now / 1000) - Number(status.stamp.seconds - TAI_EPOCH)),
    paused: up && status.paused,
    want: status.want,
    normallyUp,
  };
}

function checkDir(dir: string): void {
  if (typeof dir !== 'string' || dir === '') throw new DaemontoolsError('ERR_INVALID_ARG', undefined, 'a service directory is a non-empty string');
}

/** A missing supervise/ok or one nobody reads: no supervise in this directory. */
function okError(dir: string, err: unknown): DaemontoolsError {
  const code = errnoCode(err);
  if (code === 'ENXIO' || code === 'ENOENT') {
    return new DaemontoolsError('ERR_NOT_SUPERVISED', dir, `${dir}: supervise not running`, { cause: err });
  }
  return systemError(dir, `${dir}: unable to open supervise/ok`, err);
}

/**
 * Reads the status of the service in `dir`.
 * @throws {@link DaemontoolsError} `ERR_NOT_SUPERVISED` when no supervise runs there, `ERR_BAD_STATUS`
 * for a short status file, `ERR_SYSTEM` when the directory or a file cannot be read.
 */
export async function readStatus(dir: string): Promise<ServiceStatus> {
  // Non-blocking opens of a FIFO and of an 18-byte file: done at once, they cost less than a
  // round trip through libuv's thread pool would.
  return readStatusSync(dir);
}

/** {@link readStatus}, synchronously. */
export function readStatusSync(dir: string): ServiceStatus {
  checkDir(dir);
  try {
    if (!statSync(dir).isDirectory()) throw errnoError('ENOTDIR', 'stat', dir);
  } catch (err) {
    throw systemError(dir, `${dir}: unable to open the service directory`, err);
  }
  let up: boolean;
  try {
    up = normallyUp(dir);
  } catch (err) {
    throw systemError(dir, `${dir}: unable to stat down`, err);
  }
  try {
    probeOk(dir);
  } catch (err) {
    throw okError(dir, err);
  }
  let status: Status | null;
  try {
    status = readStatusFile(dir);
  } catch (err) {
    throw systemError(dir, `${dir}: unable to read supervise/status`, err);
  }
  return build(dir, status, up, Date.now());
}
