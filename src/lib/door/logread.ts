// Reading what multilog kept, for `daemontools logs`: where a service logs (the directory its
// log/run hands multilog), its files in order (the @….s and @….u of finished files by name, which
// is by time, then `current`), and lines with their TAI64N stamps read for ordering and `--since`.
import { closeSync, fstatSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseStamp, STAMP_LENGTH, TAI64_UNIX_EPOCH } from '../tai64n.js';
import { splitWords } from './shell.js';

/** One line of a log: its bytes (no newline) and its stamp as nanoseconds of TAI64, when stamped. */
export interface LogLine {
  readonly text: Buffer;
  readonly stamp: bigint | null;
}

export class LogsError extends Error {
  constructor(
    readonly code: 'ENOLOG' | 'ENOMULTILOG' | 'ENOSERVICE',
    message: string,
  ) {
    super(message);
  }
}

/** The first log directory multilog is given in `log/run` of the service in `dir`. */
export function logDirOf(dir: string): string {
  let script: string;
  try {
    script = readFileSync(join(dir, 'log', 'run'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!statSafe(dir)) throw new LogsError('ENOSERVICE', `${dir}: no such service directory`);
      throw new LogsError('ENOLOG', `${dir} has no log service (no log/run): its output goes to svscan's`);
    }
    throw err;
  }
  for (const line of script.replace(/\\\n/g, ' ').split('\n')) {
    if (line.trimStart().startsWith('#')) continue;
    const words = splitWords(line) ?? [];
    const at = words.findIndex((w) => w === 'multilog' || w.endsWith('/multilog'));
    if (at < 0) continue;
    // multilog's actions: a directory is one starting with . or /.
    const target = words.slice(at + 1).find((w) => w.startsWith('.') || w.startsWith('/'));
    if (target === undefined) break;
    return isAbsolute(target) ? target : join(dir, 'log', target);
  }
  throw new LogsError('ENOMULTILOG', `${join(dir, 'log', 'run')} runs no multilog with a log directory: its log is not one daemontools logs can read`);
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

const FINISHED = /^@[0-9a-f]{24}\.[su]$/;

/** The finished files of a log directory, oldest first. */
export function finishedFiles(logdir: string): string[] {
  return readdirSync(logdir).filter((n) => FINISHED.test(n)).sort();
}

/** The stamp at a line's start, as nanoseconds: TAI64 second * 1e9 + nanosecond. */
export function lineStamp(text: Buffer): bigint | null {
  if (text.length < STAMP_LENGTH || text[0] !== 0x40) return null;
  const stamp = parseStamp(text.toString('latin1', 0, STAMP_LENGTH));
  return stamp === null ? null : stamp.seconds * 1_000_000_000n + BigInt(stamp.nanoseconds);
}

/** The stamp key of a Unix time in milliseconds. */
export function stampOfMillis(ms: number): bigint {
  return (TAI64_UNIX_EPOCH + BigInt(Math.floor(ms / 1000))) * 1_000_000_000n + BigInt((ms % 1000) * 1_000_000);
}

/** Splits bytes into lines; the bytes after the last newline are returned as the rest. */
export function splitLines(bytes: Buffer, into: LogLine[], last: { stamp: bigint | null } = { stamp: null }): Buffer {
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    const text = bytes.subarray(start, nl);
    // An unstamped line sorts with the stamped line before it.
    const stamp = lineStamp(text) ?? last.stamp;
    last.stamp = stamp;
    into.push({ text, stamp });
    start = nl + 1;
  }
  return bytes.subarray(start);
}

/** Reads an open file from `offset` to its end. */
export function readFrom(fd: number, offset: number): Buffer {
  const chunks: Buffer[] = [];
  for (let at = offset; ; ) {
    const chunk = Buffer.allocUnsafe(65536);
    const n = readSync(fd, chunk, 0, chunk.length, at);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    at += n;
  }
  return Buffer.concat(chunks);
}

/** What a log holds now: its lines, and `current` left open where reading stopped (for following). */
export interface LogSnapshot {
  readonly lines: LogLine[];
  /** `current` opened before the finished files were listed (-1: there is none yet). */
  readonly fd: number;
  readonly ino: number;
  readonly offset: number;
  /** Bytes after `current`'s last newline, not yet a line. */
  readonly partial: Buffer;
  /** The newest finished file read or skipped ('' when none). */
  readonly newest: string;
  /** Inodes read through a descriptor and not yet met under an @ name (see readFinished). */
  readonly seen: Set<number>;
}

/**
 * Every line of the log in `logdir`, oldest first. `current` is opened first and the finished files
 * listed after, so a rotation in between is seen once (the file `current` became is skipped).
 */
export function snapshot(logdir: string): LogSnapshot {
  let fd = -1;
  let ino = -1;
  try {
    fd = openSync(join(logdir, 'current'), 'r');
    ino = fstatSync(fd).ino;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const lines: LogLine[] = [];
  const last = { stamp: null as bigint | null };
  const seen = new Set([ino]);
  let newest = '';
  try {
    newest = readFinished(logdir, '', seen, lines, last);
  } catch (err) {
    // No directory yet: multilog has not started; following waits for it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let offset = 0;
  let partial = Buffer.alloc(0);
  if (fd >= 0) {
    const bytes = readFrom(fd, 0);
    offset = bytes.length;
    partial = Buffer.from(splitLines(bytes, lines, last));
  }
  return { lines, fd, ino, offset, partial, newest, seen };
}

/**
 * Appends the lines of every finished file named after `after` to `into`, skipping the files
 * whose inode is in `skip` (read through a descriptor already; each is taken out of `skip` once
 * met, as its inode may be reused later). Returns the newest name seen.
 */
export function readFinished(logdir: string, after: string, skip: Set<number>, into: LogLine[], last: { stamp: bigint | null }): string {
  // multilog renames current to `previous`, then (processed or not) to its @ name: a file may be
  // `previous` now and @… a moment later. It is opened first, so it is read once either way.
  let previous = -1;
  try {
    previous = openSync(join(logdir, 'previous'), 'r');
    const ino = fstatSync(previous).ino;
    if (skip.has(ino)) {
      closeSync(previous);
      previous = -1;
    } else skip.add(ino);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let newest = after;
  for (const name of finishedFiles(logdir)) {
    if (name <= after) continue;
    newest = name;
    const path = join(logdir, name);
    let bytes: Buffer;
    try {
      const ino = statSync(path).ino;
      if (skip.delete(ino)) continue;
      bytes = readFileSync(path);
    } catch {
      continue; // deleted by multilog's n since listing
    }
    pushAll(bytes, into, last);
  }
  if (previous >= 0) {
    try {
      pushAll(readFrom(previous, 0), into, last);
    } finally {
      closeSync(previous);
    }
  }
  return newest;
}

/** A whole file's lines, the last one even without its newline. */
function pushAll(bytes: Buffer, into: LogLine[], last: { stamp: bigint | null }): void {
  const rest = splitLines(bytes, into, last);
  if (rest.length > 0) into.push({ text: rest, stamp: lineStamp(rest) ?? last.stamp });
}

/** Closes a snapshot's `current`. */
export function closeSnapshot(s: LogSnapshot): void {
  if (s.fd >= 0) closeSync(s.fd);
}

/** The last whole line of `current` in `logdir` (at most its last 4 KB are read); null when none. */
export function lastLine(logdir: string): Buffer | null {
  let fd: number;
  try {
    fd = openSync(join(logdir, 'current'), 'r');
  } catch {
    return null;
  }
  try {
    const size = fstatSync(fd).size;
    const from = Math.max(0, size - 4096);
    const buf = Buffer.alloc(size - from);
    const n = readSync(fd, buf, 0, buf.length, from);
    const text = buf.subarray(0, n);
    const end = text.lastIndexOf(0x0a);
    if (end < 0) return null;
    return text.subarray(text.lastIndexOf(0x0a, end - 1) + 1, end);
  } finally {
    closeSync(fd);
  }
}
