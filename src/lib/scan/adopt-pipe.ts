// svscan started again after it was killed: a service and a logger that outlived it still share
// the pipe the dead svscan made. The new svscan takes that pipe back (a read and a write end,
// opened through /proc/PID/fd of the logger's stdin or the service's stdout), so that a later
// restart of either side lands on the same pipe and no line is lost. Where a surviving side holds
// a pipe that cannot be opened, it is restarted, and both sides meet on a new pipe.
import { closeSync, constants as fs, openSync, readlinkSync } from 'node:fs';
import { native } from '../../native/index.js';
import { isRunning, readOwner } from '../supervise/owner.js';

export type PipeRecovery =
  /** Both ends of the pipe the survivors use, close-on-exec and blocking, as pipe2 makes them. */
  | { readonly kind: 'kept'; readonly read: number; readonly write: number }
  /** A survivor's pipe could not be opened: these pids were told to end (TERM, CONT). */
  | { readonly kind: 'lost'; readonly error: unknown; readonly restarted: readonly number[] };

/** The process a supervisor that died left running in `dir`, proven by supervise/owner; else 0. */
function survivor(dir: string): number {
  const owner = readOwner(dir);
  return owner !== null && isRunning(owner) ? owner.pid : 0;
}

/** `pid`'s descriptor `fd` as a path to open, when it is a pipe. */
function pipeLink(pid: number, fd: number): string | null {
  const link = `/proc/${pid}/fd/${fd}`;
  try {
    return readlinkSync(link).startsWith('pipe:') ? link : null;
  } catch {
    return null;
  }
}

/** Opens `link` without blocking (no open(2) of a FIFO may wait), then makes the end blocking. */
function openEnd(link: string, mode: number): number {
  const fd = openSync(link, mode | fs.O_NONBLOCK); // Node adds O_CLOEXEC
  try {
    const n = native();
    const { F_GETFL, F_SETFL, O_NONBLOCK } = n.constants;
    n.fcntl(fd, F_SETFL, n.fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/** Both ends of the pipe at `link`; the read end first, so the write end never meets ENXIO. */
function openPipe(link: string): [read: number, write: number] {
  const read = openEnd(link, fs.O_RDONLY);
  try {
    return [read, openEnd(link, fs.O_WRONLY)];
  } catch (err) {
    closeSync(read);
    throw err;
  }
}

/** Where a pipe is found and how it is opened; the real one reads /proc (a test's fakes it). */
export interface PipeProbe {
  /** A path that opens `pid`'s descriptor `fd`, when that is a pipe; else null. */
  pipeLink(pid: number, fd: number): string | null;
  /** Both ends of the pipe at `link`; throws the open(2) error. */
  openPipe(link: string): [read: number, write: number];
  kill(pid: number, signal: NodeJS.Signals): void;
}

const PROC: PipeProbe = {
  pipeLink,
  openPipe,
  kill: (pid, signal) => process.kill(pid, signal),
};

/**
 * For the service `name` (a directory with log/): the pipe its surviving service and logger use,
 * null when neither survived or neither reads or writes a pipe (svscan makes a new one).
 */
export function recoverLogPipe(name: string): PipeRecovery | null {
  return takeBack(survivor(name), survivor(`${name}/log`), PROC);
}

/** The same for the pids of a surviving service and logger (0: did not survive). */
export function takeBack(service: number, logger: number, probe: PipeProbe): PipeRecovery | null {
  // The logger's stdin is the pipe (the service may have sent its stdout elsewhere); else the
  // service's stdout, whose reader died with the logger.
  const links = [logger !== 0 ? probe.pipeLink(logger, 0) : null, service !== 0 ? probe.pipeLink(service, 1) : null];
  let error: unknown;
  for (const link of links) {
    if (link === null) continue;
    try {
      const [read, write] = probe.openPipe(link);
      return { kind: 'kept', read, write };
    } catch (err) {
      error ??= err;
    }
  }
  if (error === undefined) return null;
  // Left alone, the service would write into a pipe nobody reads again, or the logger read one
  // nobody writes again: both start over on svscan's new pipe.
  const restarted: number[] = [];
  for (const pid of [service, logger]) {
    if (pid === 0) continue;
    for (const sig of ['SIGTERM', 'SIGCONT'] as const) {
      try {
        probe.kill(pid, sig);
      } catch {
        // Gone already.
      }
    }
    restarted.push(pid);
  }
  return { kind: 'lost', error, restarted };
}
