// supervise/owner: who the running ./run is, proven rather than guessed from a pid (pids are
// reused): its pid, its start time (field 22 of /proc/PID/stat, clock ticks since boot), the boot
// it started in (/proc/sys/kernel/random/boot_id) and the stamp the status file got for it. The
// next supervisor of the directory reads it after a crash to adopt the process. C's tools ignore
// the file; supervise/status stays C's 18 bytes.
import { closeSync, constants as fs, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { linuxBranches } from '../../native/platform.js';
import { procStat } from '../proc-stat.js';
import type { Stamp } from '../status.js';
import { inDir, type Problem } from './files.js';

export interface Owner {
  /** 0: nothing was running and nothing to start when the supervisor began (a down service). */
  readonly pid: number;
  /** Start time in clock ticks since boot; null where /proc cannot tell (not Linux). */
  readonly ticks: bigint | null;
  /** The boot it started in; null where unknown. */
  readonly boot: string | null;
  /** The stamp supervise/status got when it started. */
  readonly stamp: Stamp;
}

export interface ProcStart {
  readonly ticks: bigint;
  /** Ended, not yet reaped by its parent. */
  readonly zombie: boolean;
}

/** Field 22 of /proc/PID/stat (and the state, field 3); null when there is no such process. */
export function procStart(pid: number): ProcStart | null {
  const field = procStat(pid);
  const ticks = field?.(22);
  if (field === null || ticks === undefined || !/^[0-9]+$/.test(ticks)) return null;
  return { ticks: BigInt(ticks), zombie: field(3) === 'Z' || field(3) === 'X' };
}

let boot: string | null | undefined;

/** This boot's id; null where the system has none to read. */
export function bootId(): string | null {
  if (boot === undefined) {
    if (!linuxBranches()) return (boot = null);
    try {
      boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
    } catch {
      boot = null;
    }
  }
  return boot;
}

/** The record for a child just started (spawn returns after its execve, so the start time is final). */
export function ownerOf(pid: number, stamp: Stamp): Owner {
  return { pid, ticks: pid === 0 ? null : (procStart(pid)?.ticks ?? null), boot: bootId(), stamp };
}

const stampHex = (s: Stamp): string =>
  `@${s.seconds.toString(16).padStart(16, '0')}${s.nanoseconds.toString(16).padStart(8, '0')}`;

export function encodeOwner(owner: Owner): string {
  return `pid ${owner.pid}\nstart ${owner.ticks ?? '-'}\nboot ${owner.boot ?? '-'}\nstamp ${stampHex(owner.stamp)}\n`;
}

/** Null unless every line is there and well formed. */
export function decodeOwner(text: string): Owner | null {
  const field = (name: string, pattern: RegExp): string | null => {
    const m = new RegExp(`^${name} (${pattern.source})$`, 'm').exec(text);
    return m ? m[1]! : null;
  };
  const pid = field('pid', /0|[1-9][0-9]{0,9}/);
  const ticks = field('start', /[0-9]+|-/);
  const bootText = field('boot', /[0-9a-f-]+/);
  const stamp = field('stamp', /@[0-9a-f]{24}/);
  if (pid === null || ticks === null || bootText === null || stamp === null) return null;
  return {
    pid: Number(pid),
    ticks: ticks === '-' ? null : BigInt(ticks),
    boot: bootText === '-' ? null : bootText,
    stamp: { seconds: BigInt(`0x${stamp.slice(1, 17)}`), nanoseconds: parseInt(stamp.slice(17), 16) },
  };
}

/**
 * Opens (empty) supervise/owner.new ahead of a spawn, so that the record follows the new child
 * within one write(2): a supervisor killed in between leaves an empty owner.new, one killed later
 * a complete one, which readOwner trusts over owner (it is newer). The remaining gap between the
 * fork and that write is closed only by a child that waits for its record (see docs).
 */
export function beginOwner(path: string): number | Problem {
  try {
    return openSync(inDir(path, 'supervise/owner.new'), fs.O_WRONLY | fs.O_NONBLOCK | fs.O_TRUNC | fs.O_CREAT, 0o644);
  } catch (error) {
    return { kind: 'owner', error };
  }
}

/** Writes the record into the owner.new `fd` from beginOwner, then renames it to owner. */
export function finishOwner(path: string, fd: number, owner: Owner): Problem | null {
  try {
    try {
      writeSync(fd, encodeOwner(owner));
    } finally {
      closeSync(fd);
    }
    renameSync(inDir(path, 'supervise/owner.new'), inDir(path, 'supervise/owner'));
  } catch (error) {
    return { kind: 'owner', error };
  }
  return null;
}

/** Writes supervise/owner by way of owner.new, as status is written. */
export function writeOwner(path: string, owner: Owner): Problem | null {
  const fd = beginOwner(path);
  return typeof fd === 'number' ? finishOwner(path, fd, owner) : fd;
}

function readRecord(path: string, name: string): Owner | null {
  try {
    return decodeOwner(readFileSync(inDir(path, name), 'latin1'));
  } catch {
    return null;
  }
}

/** The newest complete record: owner.new if a supervisor died before renaming it, else owner. */
export function readOwner(path: string): Owner | null {
  return readRecord(path, 'supervise/owner.new') ?? readRecord(path, 'supervise/owner');
}

/** Supervision ended cleanly (svc -x): the next supervisor starts as C's would, from the down file. */
export function forgetOwner(path: string): void {
  for (const name of ['supervise/owner.new', 'supervise/owner']) {
    try {
      unlinkSync(inDir(path, name));
    } catch {
      // Never written, or the directory is gone: nothing to forget.
    }
  }
}

/**
 * The recorded process, if it still runs in this boot with the recorded start time. An ended
 * process not yet reaped counts as gone.
 */
export function isRunning(owner: Owner): boolean {
  if (owner.pid === 0 || owner.ticks === null || owner.boot === null || owner.boot !== bootId()) return false;
  const now = procStart(owner.pid);
  return now !== null && now.ticks === owner.ticks && !now.zombie;
}
