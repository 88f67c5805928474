// One of multilog's log directories on disk: taking it over at start (lock, recovering from a crash),
// writing `current`, rotating it into @<tai64n>.s (through the processor, if any), keeping at most
// `num` files, and closing it complete (mode 0744). Every failure after the start pauses and retries,
// as C multilog does; nothing accepted is lost or written twice.
import { closeSync, constants, fstatSync, ownFs, type MultilogFs, type Stats } from './fs.js';
import { STAMP_LENGTH, formatStamp, stampFromMicros } from '../tai64n.js';
import { linuxBranches } from '../../native/platform.js';
import { ErrnoTrace, MultilogFatal } from './errors.js';
import type { MultilogIO } from './io.js';
import type { LogDirSpec } from './script.js';
import { heldDir, lentDir, type DirHandle } from './dir-handle.js';
import { LogStream } from './stream.js';

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT, O_TRUNC, O_DIRECTORY } = constants;
/** djb's open_read, open_append, open_trunc. */
const OPEN_READ = O_RDONLY | O_NONBLOCK;
const OPEN_APPEND = O_WRONLY | O_NONBLOCK | O_APPEND | O_CREAT;
const OPEN_TRUNC = O_WRONLY | O_NONBLOCK | O_TRUNC | O_CREAT;

/** deepsleep(5) */
export const PAUSE_MS = 5000;
const MODE_OPEN = 0o644;
const MODE_COMPLETE = 0o744;
const EXECUTABLE = 0o100;

/** Finished files: `@`, 24 hex digits, and (after a dot) s or u; only the first 25 bytes count. */
const OLD_PREFIX = STAMP_LENGTH;
const AT = 0x40;

export const enum Fit {
  Fits,
  Removed,
  Unreadable,
}

export class LogDir {
  readonly stream: LogStream;
  private fdCurrent: number;
  /** The file system calls, as the logger makes them. */
  private readonly fs: MultilogFs;

  private constructor(
    readonly spec: LogDirSpec,
    private readonly io: MultilogIO,
    private readonly errno: ErrnoTrace,
    /** Reaches the directory we opened, even if it is renamed (dir-handle.ts). */
    private dir: DirHandle,
    private readonly fdLock: number,
  ) {
    this.fs = io.fs ?? ownFs;
    this.fdCurrent = -1;
    this.stream = new LogStream(spec.size, 0);
  }

  /**
   * C multilog's restart(): opens, locks and recovers the directory; fatal errors throw
   * MultilogFatal. With `hold` false (a host of many loggers) the directory's descriptor is let go
   * once it is recovered and opened again only when a rotation or a clean-up needs it.
   */
  static async open(spec: LogDirSpec, start: string, io: MultilogIO, errno: ErrnoTrace, resume = false, hold = true): Promise<LogDir> {
    const fs = io.fs ?? ownFs;
    const name = spec.path;
    const path = name.startsWith('/') ? name : `${start}/${name}`;
    errno.attempt(() => fs.mkdirSync(path, 0o700));
    let fdDir: number;
    try {
      fdDir = fs.openSync(path, OPEN_READ | O_DIRECTORY);
    } catch (err) {
      throw new MultilogFatal(`unable to open directory ${name}: `, err);
    }
    const base = procPath(fdDir, fs) ?? path;
    let fdLock: number;
    try {
      fdLock = fs.openSync(`${base}/lock`, OPEN_APPEND, 0o600);
    } catch (err) {
      throw new MultilogFatal(`unable to lock directory ${name}: `, err);
    }
    try {
      io.lock(fdLock);
    } catch (err) {
      throw new MultilogFatal(`unable to lock directory ${name}: `, err);
    }
    const dir = new LogDir(spec, io, errno, heldDir(fdDir, base), fdLock);
    await dir.recover(resume);
    if (!hold && base !== path) dir.dir = lentDir(fdDir, fdLock, fs) ?? dir.dir;
    return dir;
  }

  /**
   * `current` as it is now: its path as the script names it (relative to the logger's starting
   * directory) and its size; null when it is not open. For a host's ledger (multilog/peek.ts).
   */
  currentFile(): { path: string; size: number } | null {
    if (this.fdCurrent < 0) return null;
    try {
      return { path: `${this.spec.path}/current`, size: fstatSync(this.fdCurrent).size };
    } catch {
      return null;
    }
  }

  /** Where the directory is now (a child cannot use our /proc/self/fd path). */
  private realPath(): string {
    const base = this.dir.path();
    try {
      return base.startsWith('/proc/') ? this.fs.readlinkSync(base) : base;
    } catch {
      return base;
    }
  }

  private at(file: string): string {
    return `${this.dir.path()}/${file}`;
  }

  private async recover(resume: boolean): Promise<void> {
    const name = this.spec.path;
    const current = this.statOrNull('current', `unable to stat ${name}/current: `);
    const idle = (): boolean => !this.exists('processed') && !this.exists('previous');
    if (current && (current.mode & EXECUTABLE || (resume && idle()))) {
      // Complete when we left it: go on appending.
      this.fdCurrent = this.openFatal('current', OPEN_APPEND, 0o600, `unable to append to ${name}/current: `);
      this.chmodCurrentFatal();
      this.stream.bytes = current.size;
      return;
    }
    this.errno.attempt(() => this.fs.unlinkSync(this.at('state')));
    this.errno.attempt(() => this.fs.unlinkSync(this.at('newstate')));
    const processed = this.statOrNull('processed', `unable to stat ${name}/processed: `);
    if (processed && processed.mode & EXECUTABLE) {
      this.errno.attempt(() => this.fs.unlinkSync(this.at('previous')));
      await this.finish('processed', 's');
    } else {
      this.errno.attempt(() => this.fs.unlinkSync(this.at('processed')));
      await this.finish('previous', 'u');
    }
    await this.finish('current', 'u');
    closeSync(this.openFatal('state', OPEN_TRUNC, 0o644, `unable to write to ${name}/state: `));
    this.fdCurrent = this.openFatal('current', OPEN_APPEND, 0o600, `unable to write to ${name}/current: `);
    this.chmodCurrentFatal();
    this.stream.bytes = 0;
  }

  private exists(file: string): boolean {
    try {
      this.fs.statSync(this.at(file));
      return true;
    } catch {
      return false;
    }
  }

  private statOrNull(file: string, parts: string): Stats | null {
    try {
      return this.fs.statSync(this.at(file));
    } catch (err) {
      this.errno.last = err;
      if ((err as { code?: string }).code === 'ENOENT') return null;
      throw new MultilogFatal(parts, err);
    }
  }

  private openFatal(file: string, flags: number, mode: number, parts: string): number {
    try {
      return this.fs.openSync(this.at(file), flags, mode);
    } catch (err) {
      throw new MultilogFatal(parts, err);
    }
  }

  private chmodCurrentFatal(): void {
    try {
      this.fs.fchmodSync(this.fdCurrent, MODE_OPEN);
    } catch (err) {
      throw new MultilogFatal(`unable to set mode of ${this.spec.path}/current: `, err);
    }
  }

  /** Writes what the stream holds, rotating where C would have; leaves the stream empty. */
  async writeOut(): Promise<void> {
    const stream = this.stream;
    let from = 0;
    for (let i = 0; i < stream.rotations.length; i++) {
      const to = stream.rotations[i];
      await this.writeCurrent(stream.out, from, to);
      from = to;
      await this.rotate();
    }
    await this.writeCurrent(stream.out, from, stream.length);
    stream.clear();
  }

  private async writeCurrent(buf: Buffer, from: number, to: number): Promise<void> {
    let at = from;
    while (at < to) {
      let err: unknown = this.errno.last;
      try {
        const w = this.io.write(this.fdCurrent, buf, at, to - at, null);
        if (w > 0) {
          at += w;
          continue;
        }
      } catch (e) {
        err = e;
      }
      await this.pause(`unable to write to ${this.spec.path}/current, pausing: `, err);
    }
  }

  /** End of input: `current` is made safe and marked complete (C's c_quit). */
  async close(): Promise<void> {
    const name = this.spec.path;
    await this.retry(() => this.io.fsync(this.fdCurrent), `unable to write ${name}/current to disk, pausing: `);
    await this.retry(() => this.fs.fchmodSync(this.fdCurrent, MODE_COMPLETE), `unable to set mode of ${name}/current, pausing: `);
  }

  /** Releases the descriptors (the lock with them); for a host that goes on living. */
  release(): void {
    this.dir.release();
    for (const fd of [this.fdCurrent, this.fdLock]) {
      try {
        closeSync(fd);
      } catch {
        // already gone
      }
    }
    this.fdCurrent = -1;
  }

  /** C's fullcurrent(): `current` becomes `previous`, then (processed) an @ file. */
  private async rotate(): Promise<void> {
    const name = this.spec.path;
    await this.retry(() => this.io.fsync(this.fdCurrent), `unable to write ${name}/current to disk, pausing: `);
    closeSync(this.fdCurrent);
    await this.retry(
      () => this.fs.renameSync(this.at('current'), this.at('previous')),
      `unable to rename current to previous in directory ${name}, pausing: `,
    );
    this.fdCurrent = await this.retry(
      () => this.fs.openSync(this.at('current'), OPEN_APPEND, 0o600),
      `unable to create ${name}/current, pausing: `,
    );
    await this.retry(() => this.fs.fchmodSync(this.fdCurrent, MODE_OPEN), `unable to set mode of ${name}/current, pausing: `);
    await this.retry(() => this.fs.chmodSync(this.at('previous'), MODE_COMPLETE), `unable to set mode of ${name}/previous, pausing: `);
    if (this.spec.processor === null) {
      await this.finish('previous', 's');
      return;
    }
    await this.process(this.spec.processor);
    const processed = await this.retry(
      () => this.fs.openSync(this.at('processed'), OPEN_APPEND, 0o600),
      `unable to create ${name}/processed, pausing: `,
    );
    await this.retry(() => this.io.fsync(processed), `unable to write ${name}/processed to disk, pausing: `);
    await this.retry(() => this.fs.fchmodSync(processed, MODE_COMPLETE), `unable to set mode of ${name}/processed, pausing: `);
    closeSync(processed);
    const newstate = await this.retry(
      () => this.fs.openSync(this.at('newstate'), OPEN_APPEND, 0o600),
      `unable to create ${name}/newstate, pausing: `,
    );
    await this.retry(() => this.io.fsync(newstate), `unable to write ${name}/newstate to disk, pausing: `);
    closeSync(newstate);
    await this.retry(() => this.fs.unlinkSync(this.at('previous')), `unable to remove ${name}/previous, pausing: `);
    await this.retry(
      () => this.fs.renameSync(this.at('newstate'), this.at('state')),
      `unable to rename newstate to state in directory ${name}, pausing: `,
    );
    await this.finish('processed', 's');
  }

  /** Runs the processor until it exits 0. */
  private async process(command: string): Promise<void> {
    const name = this.spec.path;
    for (;;) {
      let cwd: string;
      try {
        cwd = this.realPath();
      } catch (err) {
        // The directory cannot be reached again (dir-handle.ts): C's child failing its fchdir.
        this.io.fatal(`unable to switch to ${name}: `, err);
        this.io.warn(`processor failed in ${name}, pausing`);
        await this.io.sleep(PAUSE_MS);
        continue;
      }
      const outcome = await this.io.runProcessor({ command, cwd, at: (file: string) => this.at(file) });
      if (outcome.kind === 'forkFailed') {
        await this.pause(`unable to fork for processor in ${name}, pausing: `, outcome.error);
        continue;
      }
      if (outcome.kind === 'crashed') {
        await this.pause(`processor crashed in ${name}, pausing: `, this.errno.last);
      } else if (outcome.code === 0) {
        return;
      }
      this.io.warn(`processor failed in ${name}, pausing`);
      await this.io.sleep(PAUSE_MS);
    }
  }

  /** C's finish(): `file` becomes @<now>.<code> (unless already linked), then old files go. */
  private async finish(file: string, code: 's' | 'u'): Promise<void> {
    const name = this.spec.path;
    let st: Stats;
    for (;;) {
      try {
        st = this.fs.statSync(this.at(file));
        break;
      } catch (err) {
        this.errno.last = err;
        if ((err as { code?: string }).code === 'ENOENT') return;
        await this.pause(`unable to stat ${name}/${file}, pausing: `, err);
      }
    }
    if (st.nlink === 1) {
      for (;;) {
        const target = this.stampedName(code);
        try {
          this.fs.linkSync(this.at(file), this.at(target));
          break;
        } catch (err) {
          await this.pause(`unable to link to ${name}/${target}, pausing: `, err);
        }
      }
    }
    await this.retry(() => this.fs.unlinkSync(this.at(file)), `unable to remove ${name}/${file}, pausing: `);
    for (;;) {
      const fit = this.filesFit();
      if (fit === Fit.Fits) return;
      if (fit === Fit.Unreadable) await this.pause(`unable to read ${name}, pausing: `, this.errno.last);
    }
  }

  /** C's filesfit(): counts the @ files; when there are `num` or more, removes the oldest one. */
  filesFit(): Fit {
    const names: Buffer[] = [];
    let base: string;
    try {
      base = this.dir.path();
      // Node's types omit it, but opendir takes the 'buffer' encoding: names stay bytes, as C sees them.
      const dir = this.fs.opendirSync(base, { encoding: 'buffer' as BufferEncoding });
      try {
        for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
          const entryName = entry.name as unknown as Buffer;
          if (entryName[0] === AT && entryName.length >= OLD_PREFIX) names.push(entryName);
        }
      } finally {
        dir.closeSync();
      }
    } catch (err) {
      this.errno.last = err;
      return Fit.Unreadable;
    }
    this.errno.last = null;
    if (names.length < this.spec.num) return Fit.Fits;
    // The oldest: the least name, compared whole against the least 25-byte prefix so far.
    let oldest: Buffer = Buffer.from('@z');
    for (const n of names) if (Buffer.compare(n, oldest) < 0) oldest = n.subarray(0, OLD_PREFIX);
    const victim = names.find((n) => n.subarray(0, oldest.length).equals(oldest));
    // C reads a failed unlink's errno as a failure to read the directory, and pauses.
    if (victim && !this.errno.attempt(() => this.fs.unlinkSync(Buffer.concat([Buffer.from(`${base}/`), victim])))) {
      return Fit.Unreadable;
    }
    return Fit.Removed;
  }

  private stampedName(code: string): string {
    return `${formatStamp(stampFromMicros(this.io.clock.nowMicros()))}.${code}`;
  }

  private async retry<T>(op: () => T, parts: string): Promise<T> {
    for (;;) {
      try {
        return op();
      } catch (err) {
        await this.pause(parts, err);
      }
    }
  }

  private async pause(parts: string, err: unknown): Promise<void> {
    this.errno.last = err;
    this.io.warn(parts, err ?? ERRNO_ZERO);
    await this.io.sleep(PAUSE_MS);
  }
}

/** What errno 0 reads as ("no error"). */
const ERRNO_ZERO = { errno: 0 };

/** /proc/self/fd/N when /proc is there: a path that keeps meaning the directory `fd` opened. */
export function procPath(fd: number, fs: MultilogFs = ownFs): string | null {
  const path = `/proc/self/fd/${fd}`;
  if (!linuxBranches()) return null;
  try {
    fs.statSync(path);
    return path;
  } catch {
    return null;
  }
}
