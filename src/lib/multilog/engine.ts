// multilog's engine: the script's status files and log directories, fed one read at a time. It
// reads nothing and owns no process: a host pushes what it read, asks how much to read next, says
// when it sits waiting for input, and passes on SIGALRM (rotate) and SIGTERM (terminate).
import { closeSync, constants, ownFs } from './fs.js';
import { ErrnoTrace, MultilogFatal } from './errors.js';
import type { MultilogIO } from './io.js';
import { Lines, READ_SIZE } from './lines.js';
import { LogDir, procPath } from './logdir.js';
import type { Script } from './script.js';
import { openStatus, writeStatus, type StatusFile } from './status.js';

const { O_RDONLY, O_NONBLOCK } = constants;

export interface MultilogOptions {
  /** The starting directory relative names are taken from; by default the current directory. */
  readonly cwd?: string;
  /**
   * The engine that wrote these directories died without being a crash of this logger (its host
   * svscan was killed): an incomplete `current` is gone on with, not set aside as `@...u`, unless
   * a processor was at work. Nothing of C's own recovery changes otherwise.
   */
  readonly resume?: boolean;
  /** Every line through the byte-by-byte model of C's buffers, never in bulk: for tests comparing the two. */
  readonly modelOnly?: boolean;
  /**
   * False for a host of many loggers: each log directory's descriptor is let go once it is
   * recovered and opened again only when needed (dir-handle.ts). C's own, true, by default.
   */
  readonly holdDirectories?: boolean;
}

export class Multilog {
  private readonly lines: Lines;
  private queue: Promise<void> = Promise.resolve();
  /** Operations queued or running: C would not be sitting in read(2). */
  private busy = 0;
  /** The host is blocked waiting for input (C sitting in read(2)). */
  private waiting = false;
  /** Signals that came while C would have had them blocked: they count after the next read. */
  private lateAlarm = false;
  private lateTerm = false;
  private terminating = false;
  private ended = false;
  /** Called when terminate() means the host should stop waiting for input. */
  onStop: (() => void) | null = null;

  private constructor(
    script: Script,
    private readonly io: MultilogIO,
    private readonly statuses: StatusFile[],
    private readonly dirs: LogDir[],
    modelOnly: boolean,
  ) {
    this.lines = new Lines(script, io.clock, dirs.map((d) => d.stream), statuses, modelOnly);
  }

  /**
   * Opens the status files, then each log directory in turn (C's f_init and c_init). A failure
   * throws MultilogFatal; directories opened before it stay locked until the process ends.
   */
  static async open(script: Script, io: MultilogIO, options: MultilogOptions = {}): Promise<Multilog> {
    const fs = io.fs ?? ownFs;
    let startFd: number;
    try {
      startFd = fs.openSync(options.cwd ?? '.', O_RDONLY | O_NONBLOCK);
    } catch (err) {
      throw new MultilogFatal('unable to switch to current directory: ', err);
    }
    try {
      const start = procPath(startFd, fs) ?? options.cwd ?? process.cwd();
      const statuses: StatusFile[] = [];
      for (const action of script.actions) {
        if (action.kind === 'status') statuses.push(openStatus(start, action.file, fs));
      }
      const errno = new ErrnoTrace();
      const dirs: LogDir[] = [];
      for (const spec of script.dirs) dirs.push(await LogDir.open(spec, start, io, errno, options.resume ?? false, options.holdDirectories ?? true));
      return new Multilog(script, io, statuses, dirs, options.modelOnly ?? false);
    } finally {
      closeSync(startFd);
    }
  }

  /** How much to read next (at most `max`); 0: stop reading, call end(). */
  readLength(max: number): number {
    if (this.ended) return 0;
    if (this.terminating) return this.lines.newlineLast ? 0 : 1;
    // A signal that counts after the next read: C's next read takes at most READ_SIZE bytes, and
    // it acts on the signal right after them (what follows stays in the pipe, after a SIGTERM).
    if (this.lateTerm || this.lateAlarm) return Math.min(max, READ_SIZE);
    return max;
  }

  /**
   * The host is now blocked waiting for input (true), or has stopped waiting (false). C takes
   * SIGALRM and SIGTERM at once only while it waits in read(2); one that comes while it works is
   * seen only after the following read, so the same goes here.
   */
  setWaiting(waiting: boolean): void {
    this.waiting = waiting;
  }

  /**
   * Null when nothing is queued or running; else settles once all of it is done. C reads nothing
   * while it works (a rotation, a processor): a host waits for this before it reads.
   */
  whenIdle(): Promise<void> | null {
    return this.busy === 0 ? null : this.queue;
  }

  private get blockedInRead(): boolean {
    return this.waiting && this.busy === 0;
  }

  /** Takes in one read's worth of input; `chunk` must stay untouched until this settles. */
  push(chunk: Buffer, beforeWrite?: () => void): Promise<void> {
    return this.serially(async () => {
      if (chunk.length === 0) return;
      this.lines.feed(chunk);
      beforeWrite?.();
      if (this.lateAlarm) {
        this.lateAlarm = false;
        this.lines.forceRotate();
      }
      if (this.lateTerm) {
        this.lateTerm = false;
        this.terminating = true;
      }
      await this.drain();
    });
  }

  /** SIGALRM: every directory with something in `current` rotates. */
  rotate(): Promise<void> {
    if (!this.blockedInRead) {
      this.lateAlarm = true;
      return Promise.resolve();
    }
    return this.serially(async () => {
      this.lines.forceRotate();
      await this.drain();
    });
  }

  /** SIGTERM: finish the line being read, then stop (readLength tells how). */
  terminate(): void {
    if (!this.blockedInRead) {
      this.lateTerm = true;
      return;
    }
    this.terminating = true;
    if (this.lines.newlineLast) this.onStop?.();
  }

  /** End of input: a last partial line gets its newline; every `current` is synced and marked complete. */
  end(): Promise<void> {
    return this.serially(async () => {
      if (this.ended) return;
      this.ended = true;
      this.lines.finish();
      await this.drain();
      for (const dir of this.dirs) await dir.close();
    });
  }

  /**
   * Each log directory's `current` (path and size) as it is now, with the output waiting to be
   * written to it and whether that output rotates it; null entries for closed ones.
   */
  currentFiles(): Array<{ path: string; size: number; pending: number; rotates: boolean } | null> {
    return this.dirs.map((d) => {
      const f = d.currentFile();
      return f && { ...f, pending: d.stream.length, rotates: d.stream.rotations.length > 0 };
    });
  }

  /** Input bytes read but held in memory (a line's head): not yet written anywhere. */
  heldInput(): Buffer {
    return this.lines.heldInput();
  }

  /** The logger process was killed: what is held goes out as it is, then release() follows. */
  abandon(): Promise<void> {
    return this.serially(async () => {
      if (this.ended) return;
      this.ended = true;
      this.lines.abandon();
      await this.drain();
    });
  }

  /** Closes every descriptor (and so the locks): for a host that outlives its logger. */
  release(): void {
    for (const dir of this.dirs) dir.release();
    for (const status of this.statuses) closeSync(status.fd);
  }

  private serially(op: () => Promise<void>): Promise<void> {
    this.busy++;
    const done = this.queue.then(op).finally(() => this.busy--);
    this.queue = done.catch(() => undefined);
    return done;
  }

  /** Writes out what the last input produced: stderr, status files, then the directories. */
  private async drain(): Promise<void> {
    const echo = this.lines.takeEcho();
    if (echo) this.io.stderr(echo);
    for (const status of this.statuses) if (status.dirty) await writeStatus(status, this.io);
    for (const dir of this.dirs) await dir.writeOut();
  }
}
