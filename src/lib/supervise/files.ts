// What supervise does on disk in its directory: take the lock, open the FIFOs (keeping a write end
// of control), and write supervise/status the safe way (status.new, then rename). Failures come
// back Node-shaped, named by the step, for supervise's (or svscan's) words.
import { closeSync, constants as fs, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { native } from '../../native/index.js';
import { linuxBranches } from '../../native/platform.js';
import { errnoError } from '../errors.js';
import { encodeStatus, STATUS_SIZE, type Status } from '../status.js';
import { inDir, normallyUp as downFileAbsent } from '../svdir.js';

export { inDir } from '../svdir.js';

/** A step of supervise's start-up that can fail, after which supervise gives up (exit 111). */
export type StartStep = 'chdir' | 'down' | 'lock' | 'control-read' | 'control-write' | 'ok';

export class SuperviseStartError extends Error {
  constructor(
    readonly step: StartStep,
    override readonly cause: unknown,
  ) {
    super(`supervise start-up failed at ${step}`);
  }
}

/** Something supervise warns about and carries on after. */
export type Problem =
  | { readonly kind: 'status-open' | 'status-write' | 'status-rename'; readonly error: unknown }
  | { readonly kind: 'status-partial' }
  /** fork failed: supervise waits a minute. */
  | { readonly kind: 'fork'; readonly error: unknown }
  /** ./run could not be executed: the child said so and exited 111. */
  | { readonly kind: 'exec'; readonly error: unknown }
  /** supervise/owner (see owner.ts) could not be written: this child cannot be adopted later. */
  | { readonly kind: 'owner'; readonly error: unknown }
  /** The ./run a dead supervisor left running could not be adopted: it is started again beside it. */
  | { readonly kind: 'adopt'; readonly pid: number; readonly error: unknown };

export const NO_FD = -1;

/** The descriptors a supervise holds on its directory. */
export interface Held {
  lock: number;
  control: number;
  /** NO_FD when `control` is open for writing too (openControl). */
  controlWrite: number;
  ok: number;
}

export function closeHeld(held: Held): void {
  for (const fd of [held.ok, held.controlWrite, held.control, held.lock]) if (fd !== NO_FD) closeSync(fd);
  held.ok = held.controlWrite = held.control = held.lock = NO_FD;
}

/** Where supervise would chdir: a directory we can get to. */
export function checkDir(path: string): void {
  if (path === '.') return;
  try {
    if (!statSync(path).isDirectory()) throw errnoError('ENOTDIR', 'chdir', path);
  } catch (err) {
    throw new SuperviseStartError('chdir', err);
  }
}

/** No down file: the service is normally up. */
export function normallyUp(path: string): boolean {
  try {
    return downFileAbsent(path);
  } catch (err) {
    throw new SuperviseStartError('down', err);
  }
}

/** supervise/ made (0700) if need be, supervise/lock opened and flock'ed, or start-up fails. */
export function takeLock(path: string, held: Held): void {
  try {
    mkdirSync(inDir(path, 'supervise'), 0o700);
  } catch {
    // Already there, or the lock below says why not.
  }
  const n = native();
  try {
    held.lock = openSync(inDir(path, 'supervise/lock'), fs.O_WRONLY | fs.O_NONBLOCK | fs.O_APPEND | fs.O_CREAT, 0o600);
    n.flock(held.lock, n.constants.LOCK_EX | n.constants.LOCK_NB);
  } catch (err) {
    throw new SuperviseStartError('lock', err);
  }
}

/** Makes the FIFO `name` (0600) unless `make` is false, and opens it without blocking. */
export function openFifo(path: string, name: string, mode: number, step: StartStep, make = true): number {
  if (make) {
    try {
      native().mkfifo(inDir(path, name), 0o600);
    } catch {
      // Already there; opening it tells whether it is usable.
    }
  }
  try {
    return openSync(inDir(path, name), mode | fs.O_NONBLOCK);
  } catch (err) {
    throw new SuperviseStartError(step, err);
  }
}

/**
 * supervise/control made and opened for reading, with a write end held so that it never reads as
 * end-of-file when svc closes it. On Linux one O_RDWR open is both (one descriptor where C holds
 * two: Linux defines O_RDWR on a FIFO, it opens at once and counts as a reader, so svc's open
 * finds one); POSIX leaves that undefined, so elsewhere, or should it fail, the two opens C makes,
 * which also say which step failed in C's words.
 */
export function openControl(path: string, held: Held): void {
  if (linuxBranches()) {
    try {
      native().mkfifo(inDir(path, 'supervise/control'), 0o600);
    } catch {
      // Already there; opening it tells whether it is usable.
    }
    try {
      held.control = openSync(inDir(path, 'supervise/control'), fs.O_RDWR | fs.O_NONBLOCK);
      return;
    } catch {
      // Not openable for both: C's two opens below name the one that fails.
    }
  }
  held.control = openFifo(path, 'supervise/control', fs.O_RDONLY, 'control-read');
  held.controlWrite = openFifo(path, 'supervise/control', fs.O_WRONLY, 'control-write', false);
}

/** Writes supervise/status by way of status.new; what went wrong, if anything. */
export function writeStatus(path: string, status: Status): Problem | null {
  const bytes = encodeStatus(status);
  let fd: number;
  try {
    fd = openSync(inDir(path, 'supervise/status.new'), fs.O_WRONLY | fs.O_NONBLOCK | fs.O_TRUNC | fs.O_CREAT, 0o644);
  } catch (error) {
    return { kind: 'status-open', error };
  }
  let written: number;
  try {
    written = writeSync(fd, bytes);
  } catch (error) {
    return { kind: 'status-write', error };
  } finally {
    closeSync(fd);
  }
  if (written < STATUS_SIZE) return { kind: 'status-partial' };
  try {
    renameSync(inDir(path, 'supervise/status.new'), inDir(path, 'supervise/status'));
  } catch (error) {
    return { kind: 'status-rename', error };
  }
  return null;
}
