// Reading an environment directory as envdir does: one variable per file not starting with a
// dot, its value the file's first line with trailing blanks cut and NULs read as newlines; an
// empty file removes the variable.
import { constants } from 'node:fs';
import { native } from '../native/index.js';
import { byteText, systemBytes, textBytes } from './exec/bytes.js';
import { isErrno } from './errors.js';
import { listInto, surveyNames } from './scan/survey.js';
import type { EnvChange } from './pathexec.js';

const NUL = 0x00;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const TAB = 0x09;

/**
 * Turns file contents into values. Like envdir's one reused buffer, it remembers the last value:
 * a file that vanished between readdir and open (a dangling symlink) gets the previous buffer's
 * text -- that value plus its terminating NUL, which reads as a newline -- cut at its first line.
 */
export class EnvValues {
  private buffer: Uint8Array = new Uint8Array(0);

  /** The value for a file whose contents are `content` (null: the file does not exist). */
  next(content: Uint8Array | null): string | undefined {
    if (content !== null) this.buffer = content;
    let len = this.buffer.length;
    if (len === 0) return undefined;
    const newline = this.buffer.indexOf(NEWLINE);
    if (newline >= 0 && newline < len) len = newline;
    while (len > 0 && (this.buffer[len - 1] === SPACE || this.buffer[len - 1] === TAB)) len--;
    // The value, then its terminating NUL, as C's buffer holds them for the next file.
    const value = new Uint8Array(len + 1);
    value.set(this.buffer.subarray(0, len));
    for (let i = 0; i < len; i++) if (value[i] === NUL) value[i] = NEWLINE;
    value[len] = NUL;
    this.buffer = value;
    return byteText(value, 0, len); // a byte string: the bytes go on as they are
  }
}

/**
 * Reads a whole file as openreadclose does: null when it does not exist. Through the addon, whose
 * calls a chain loads anyway: node:fs's are compiled on their first call.
 */
export function readEnvFile(path: string | Buffer): Uint8Array | null {
  const n = native();
  let fd: number;
  try {
    fd = n.open(path, constants.O_RDONLY | constants.O_NONBLOCK, 0);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  try {
    const chunks: Uint8Array[] = [];
    for (;;) {
      const chunk = new Uint8Array(4096);
      let got: number;
      try {
        got = n.read(fd, chunk, 0, chunk.length);
      } catch (err) {
        if (isErrno(err, 'EINTR')) continue;
        throw err;
      }
      if (got === 0) return joined(chunks);
      chunks.push(chunk.subarray(0, got));
    }
  } finally {
    n.close(fd);
  }
}

/** The chunks one after another (Buffer.concat without Buffer). */
function joined(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const all = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return all;
}

/** Which step of reading the directory failed: listing it (opendir or readdir), or reading an entry. */
export type EnvDirStage = 'opendir' | 'read';

export class EnvDirError extends Error {
  constructor(
    readonly stage: EnvDirStage,
    override readonly cause: unknown,
    /** The entry being read, for stage 'read'. */
    readonly entry?: string,
  ) {
    super(`${stage}${entry === undefined ? '' : ` ${entry}`}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/**
 * The names in `dir` but . and .., in readdir order, as their bytes: one call of the addon's
 * readdirStat (names beginning with a dot are listed without a stat), where Node's opendir would
 * load and compile its fs/dir module in every start. Throws EnvDirError.
 */
function entryNames(dir: string): Uint8Array[] {
  try {
    return surveyNames(listInto(native().readdirStat, dir, { bytes: new Uint8Array(4096), length: 0 }, (size) => new Uint8Array(size)));
  } catch (err) {
    throw new EnvDirError('opendir', err); // opendir's or readdir's error: "unable to read directory" alike
  }
}

/**
 * The environment changes the directory `dir` asks for, in readdir order (which decides the
 * order of new variables in the environment). Throws EnvDirError.
 */
export function readEnvDir(dir: string): EnvChange[] {
  const changes: EnvChange[] = [];
  const values = new EnvValues();
  for (const raw of entryNames(dir)) {
    const name = byteText(raw); // a byte string, as the variable's name
    if (name.startsWith('.')) continue;
    let content: Uint8Array | null;
    try {
      content = readEnvFile(systemBytes(dir === '.' ? name : `${textBytes(dir)}/${name}`));
    } catch (err) {
      throw new EnvDirError('read', err, name);
    }
    changes.push([name, values.next(content)]);
  }
  return changes;
}
