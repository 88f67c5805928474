// Reading a service's state, as svstat does: the down file, a supervise behind supervise/ok, and
// the 18 bytes of supervise/status, which C's supervise and ours write alike.
import { closeSync, constants, openSync, readSync, statSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoError } from '../lib/errors.js';
import { decodeStatus, STATUS_SIZE, TAI_EPOCH, type Want } from '../lib/status.js';
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

const OK_FLAGS = constants.O_WRONLY | constants.O_NONBLOCK;

/** Milliseconds since the Unix epoch for a TAI64N stamp as supervise writes it. */
function stampToMs(seconds: bigint, nanoseconds: number): number {
  return Number(seconds - TAI_EPOCH) * 1000 + Math.floor(nanoseconds / 1e6);
}

function build(dir: string, bytes: Uint8Array, normallyUp: boolean, now: number): ServiceStatus {
  const status = decodeStatus(bytes);
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
  checkDir(dir);
  try {
    if (!(await stat(dir)).isDirectory()) throw errnoError('ENOTDIR', 'stat', dir);
  } catch (err) {
    throw systemError(dir, `${dir}: unable to open the service directory`, err);
  }
  const normallyUp = await stat(join(dir, 'down')).then(
    () => false,
    (err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return true;
      throw systemError(dir, `${dir}: unable to stat down`, err);
    },
  );
  try {
    await (await open(join(dir, 'supervise', 'ok'), OK_FLAGS)).close();
  } catch (err) {
    throw okError(dir, err);
  }
  const bytes = Buffer.alloc(STATUS_SIZE);
  let got: number;
  try {
    const handle = await open(join(dir, 'supervise', 'status'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      got = (await handle.read(bytes, 0, STATUS_SIZE, null)).bytesRead;
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw systemError(dir, `${dir}: unable to read supervise/status`, err);
  }
  return build(dir, bytes.subarray(0, got), normallyUp, Date.now());
}

/** {@link readStatus}, synchronously. */
export function readStatusSync(dir: string): ServiceStatus {
  checkDir(dir);
  try {
    if (!statSync(dir).isDirectory()) throw errnoError('ENOTDIR', 'stat', dir);
  } catch (err) {
    throw systemError(dir, `${dir}: unable to open the service directory`, err);
  }
  let normallyUp = false;
  try {
    statSync(join(dir, 'down'));
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw systemError(dir, `${dir}: unable to stat down`, err);
    normallyUp = true;
  }
  try {
    closeSync(openSync(join(dir, 'supervise', 'ok'), OK_FLAGS));
  } catch (err) {
    throw okError(dir, err);
  }
  const bytes = Buffer.alloc(STATUS_SIZE);
  let got: number;
  try {
    const fd = openSync(join(dir, 'supervise', 'status'), constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      got = readSync(fd, bytes, 0, STATUS_SIZE, null);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw systemError(dir, `${dir}: unable to read supervise/status`, err);
  }
  return build(dir, bytes.subarray(0, got), normallyUp, Date.now());
}
