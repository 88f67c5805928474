// Reading an environment directory as envdir does: one variable per file not starting with a
// dot, its value the file's first line with trailing blanks cut and NULs read as newlines; an
// empty file removes the variable.
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { native } from '../native/index.js';
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
  private buffer: Buffer = Buffer.alloc(0);

  /** The value for a file whose contents are `content` (null: the file does not exist). */
  next(content: Buffer | null): string | undefined {
    if (content !== null) this.buffer = content;
    let len = this.buffer.length;
    if (len === 0) return undefined;
    const newline = this.buffer.indexOf(NEWLINE);
    if (newline >= 0 && newline < len) len = newline;
    while (len > 0 && (this.buffer[len - 1] === SPACE || this.buffer[len - 1] === TAB)) len--;
    const value = Buffer.from(this.buffer.subarray(0, len));
    for (let i = 0; i < value.length; i++) if (value[i] === NUL) value[i] = NEWLINE;
    this.buffer = Buffer.concat([value, Buffer.from([NUL])]);
    return value.toString('latin1'); // a byte string: the bytes go on as they are
  }
}

/** Reads a whole file as openreadclose does: null when it does not exist. */
export function readEnvFile(path: string | Buffer): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw err;
  }
  try {
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.alloc(4096);
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (err) {
        if (isErrno(err, 'EINTR')) continue;
        throw err;
      }
      if (n === 0) return Buffer.concat(chunks);
      chunks.push(chunk.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
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
function entryNames(dir: string): Buffer[] {
  try {
    return surveyNames(listInto(native().readdirStat, dir, { bytes: Buffer.allocUnsafe(4096), length: 0 }));
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
    const name = raw.toString('latin1'); // a byte string, as the variable's name
    if (name.startsWith('.')) continue;
    let content: Buffer | null;
    try {
      content = readEnvFile(dir === '.' ? raw : Buffer.concat([Buffer.from(`${dir}/`), raw]));
    } catch (err) {
      throw new EnvDirError('read', err, name);
    }
    changes.push([name, values.next(content)]);
  }
  return changes;
}
