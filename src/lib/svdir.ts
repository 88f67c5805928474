// The supervise/ directory as supervise's clients use it (svc, svok, svstat, the API, a takeover,
// adoption): the down file looked for, supervise/ok probed for a reader, the 18 bytes of
// supervise/status read, command letters written to supervise/control. The one place these files
// are named and read; supervise's own side of them is supervise/files.ts.
import { closeSync, constants, openSync, readSync, statSync, writeSync } from 'node:fs';
import { decodeStatus, STATUS_SIZE, type Status } from './status.js';

export const DOWN_FILE = 'down';
export const OK_FIFO = 'supervise/ok';
export const STATUS_FILE = 'supervise/status';
export const CONTROL_FIFO = 'supervise/control';

/** `name` inside the service directory `dir` ('.' when we are in it, as the C tools are after chdir). */
export function inDir(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}

/**
 * No down file: supervise starts the service when it starts. Throws Node's error other than ENOENT
 * (which Node reports without making an error: the common case costs a start no error path).
 */
export function normallyUp(dir: string): boolean {
  return statSync(inDir(dir, DOWN_FILE), { throwIfNoEntry: false }) === undefined;
}

/**
 * Returns when a supervise runs in `dir`: opening supervise/ok for writing without blocking
 * succeeds only while a supervise holds it open to read. Throws Node's error otherwise: ENXIO
 * when nobody reads it, ENOENT when it was never made (or `dir` is not there).
 */
export function probeOk(dir: string): void {
  closeSync(openSync(inDir(dir, OK_FIFO), constants.O_WRONLY | constants.O_NONBLOCK));
}

export interface StatusReadOptions {
  /**
   * svstat's quirk: the bytes go into this buffer, which svstat shares across the directories it
   * reports on, and a failed read goes unnoticed (C compares read's -1 as unsigned), so what the
   * buffer held before (another directory's bytes, or zeros) is decoded instead.
   */
  readonly sharedBuffer?: Uint8Array;
}

/**
 * supervise/status in one read of up to 18 bytes, as svstat reads it; null when fewer came
 * (svstat's "bad format"). Throws Node's error (syscall 'open', or 'read').
 */
export function readStatusFile(dir: string, options: StatusReadOptions = {}): Status | null {
  const fd = openSync(inDir(dir, STATUS_FILE), constants.O_RDONLY | constants.O_NONBLOCK);
  const shared = options.sharedBuffer;
  const buffer = shared ?? new Uint8Array(STATUS_SIZE);
  let got: number;
  try {
    got = readSync(fd, buffer, 0, STATUS_SIZE, null);
  } catch (err) {
    if (shared === undefined) throw err;
    got = STATUS_SIZE;
  } finally {
    closeSync(fd);
  }
  return got < STATUS_SIZE ? null : decodeStatus(buffer);
}

/** Blocks the thread briefly: svc writes in blocking mode, so a full FIFO makes it wait. */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens the control FIFO at `path` without waiting for a reader (ENXIO when supervise is not
 * running) and writes all of `letters` in one write, as svc does. Throws Node's errors (syscall
 * 'open' or 'write').
 */
export function writeBatch(path: string, letters: string): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    // One byte per letter, as Buffer.from(letters, 'latin1') would give them: without Buffer's
    // encoding tables, which a start of svc would compile just for this.
    const data = new Uint8Array(letters.length);
    for (let i = 0; i < letters.length; i++) data[i] = letters.charCodeAt(i) & 0xff;
    let done = 0;
    while (done < data.length) {
      try {
        done += writeSync(fd, data, done, data.length - done);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        pause(10);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** {@link writeBatch} to supervise/control in the service directory `dir`. */
export function writeControl(dir: string, letters: string): void {
  writeBatch(inDir(dir, CONTROL_FIFO), letters);
}
