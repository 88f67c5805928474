// multilog's engine: input arrives as Buffers, each line goes through the script (stamp, pattern
// selection, stderr, status files) and on to the selected log directories, with C multilog's
// limits: a line's first 1000 bytes (stamp included) are what patterns, `e` and `=` see; the rest
// goes on to the directories unchanged. It reads nothing and owns no process: a host pushes what
// it read, asks how much to read next, and passes on SIGALRM (rotate) and SIGTERM (terminate).
import { closeSync, constants, openSync, statSync } from 'node:fs';
import { STAMP_LENGTH, taiFromUnix, writeHex32 } from '../tai64n.js';
import { ErrnoTrace, MultilogFatal } from './errors.js';
import type { MultilogIO } from './io.js';
import { LogDir, PAUSE_MS } from './logdir.js';
import { match } from './match.js';
import type { Script } from './script.js';
import type { LogStream } from './stream.js';

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_APPEND, O_CREAT } = constants;

/** The bytes of a line that patterns, `e` and `=` see. */
export const LINE_MAX = 1000;
/** C multilog reads its input this much at a time and flushes the directories before each read. */
export const READ_SIZE = 1024;
/** A status file is overwritten with this many bytes: the line, then newlines. */
export const STATUS_SIZE = LINE_MAX + 1;
/** `e` prints at most this much of a line, then "...". */
export const ECHO_MAX = 200;

const NEWLINE = 0x0a;
const SPACE = 0x20;
const AT = 0x40;
const PREFIX = STAMP_LENGTH + 1;
const ELLIPSIS = Buffer.from('...\n');
const EMPTY = Buffer.alloc(0);

const enum Phase {
  /** Between lines. */
  Idle,
  /** Taking in a line's first LINE_MAX bytes. */
  Head,
  /** Past them: the rest goes straight to the directories the head selected. */
  Tail,
}

const enum Op {
  Select,
  Deselect,
  Echo,
  Status,
  Dir,
}

export interface MultilogOptions {
  /** The starting directory relative names are taken from; by default the current directory. */
  readonly cwd?: string;
}

interface StatusFile {
  readonly name: string;
  readonly fd: number;
  readonly line: Buffer;
  dirty: boolean;
}

export class Multilog {
  private phase = Phase.Idle;
  /** The line's head, when it had to be kept (it spans reads, or an action looks at it). */
  private readonly line = Buffer.alloc(STATUS_SIZE, NEWLINE);
  /** The head's length, stamp included, whether or not it is kept in `line`. */
  private linelen = 0;
  private held = false;
  /** The current line's stamp and space. */
  private readonly prefix = Buffer.alloc(PREFIX);
  private second = NaN;
  /** Lines starting before this offset of the chunk share the stamp already taken. */
  private stampLimit = 0;
  /** The last byte read was a newline (C's flagnewline). */
  private newlineLast = true;
  /** Offset in the chunk being read of C's next read, where the directories are flushed. */
  private nextBoundary = READ_SIZE;

  private readonly ops: Op[] = [];
  private readonly patterns: (Buffer | null)[] = [];
  /** Index into `statuses` for each Status op. */
  private readonly statusOf: number[] = [];
  private readonly selected: boolean[];
  private readonly streams: LogStream[];
  private errOut = Buffer.allocUnsafe(4096);
  private errLength = 0;

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
    private readonly script: Script,
    private readonly io: MultilogIO,
    private readonly statuses: StatusFile[],
    private readonly dirs: LogDir[],
  ) {
    for (const action of script.actions) {
      switch (action.kind) {
        case 'select':
        case 'deselect':
          this.ops.push(action.kind === 'select' ? Op.Select : Op.Deselect);
          this.patterns.push(action.pattern);
          this.statusOf.push(-1);
          break;
        case 'stderr':
          this.ops.push(Op.Echo);
          this.patterns.push(null);
          this.statusOf.push(-1);
          break;
        case 'status':
          this.ops.push(Op.Status);
          this.patterns.push(null);
          this.statusOf.push(this.statusOf.filter((i) => i >= 0).length);
          break;
        case 'dir':
          this.ops.push(Op.Dir);
          this.patterns.push(null);
          this.statusOf.push(-1);
          break;
      }
    }
    this.selected = dirs.map(() => true);
    this.streams = dirs.map((d) => d.stream);
    this.prefix[0] = AT;
    this.prefix[STAMP_LENGTH] = SPACE;
  }

  /**
   * Opens the status files, then each log directory in turn (C's f_init and c_init). A failure
   * throws MultilogFatal; directories opened before it stay locked until the process ends.
   */
  static async open(script: Script, io: MultilogIO, options: MultilogOptions = {}): Promise<Multilog> {
    let startFd: number;
    try {
      startFd = openSync(options.cwd ?? '.', O_RDONLY | O_NONBLOCK);
    } catch (err) {
      throw new MultilogFatal('unable to switch to current directory: ', err);
    }
    try {
      const start = procPath(startFd) ?? options.cwd ?? process.cwd();
      const statuses: StatusFile[] = [];
      for (const action of script.actions) {
        if (action.kind === 'status') statuses.push(openStatus(start, action.file));
      }
      const errno = new ErrnoTrace();
      const dirs: LogDir[] = [];
      for (const spec of script.dirs) dirs.push(await LogDir.open(spec, start, io, errno));
      return new Multilog(script, io, statuses, dirs);
    } finally {
      closeSync(startFd);
    }
  }

  /** How much to read next (at most `max`); 0: stop reading, call end(). */
  readLength(max: number): number {
    if (this.ended) return 0;
    if (this.terminating) return this.newlineLast ? 0 : 1;
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

  private get blockedInRead(): boolean {
    return this.waiting && this.busy === 0;
  }

  /** Takes in one read's worth of input; `chunk` must stay untouched until this settles. */
  push(chunk: Buffer): Promise<void> {
    return this.serially(async () => {
      if (chunk.length === 0) return;
      this.feed(chunk);
      if (this.lateAlarm) {
        this.lateAlarm = false;
        for (const s of this.streams) s.forceRotate();
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
      for (const s of this.streams) s.forceRotate();
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
    if (this.newlineLast) this.onStop?.();
  }

  /** End of input: a last partial line gets its newline; every `current` is synced and marked complete. */
  end(): Promise<void> {
    return this.serially(async () => {
      if (this.ended) return;
      this.ended = true;
      if (this.phase === Phase.Head) this.completeHead(EMPTY, 0, 0, true);
      else if (this.phase === Phase.Tail) this.putNewline();
      this.endLine();
      this.flushAll();
      await this.drain();
      for (const dir of this.dirs) await dir.close();
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

  private feed(buf: Buffer): void {
    const n = buf.length;
    this.nextBoundary = READ_SIZE;
    this.stampLimit = 0;
    const streams = this.streams;
    for (let j = 0; j < streams.length; j++) streams[j].mirror(buf);
    let p = 0;
    while (p < n) {
      if (this.phase === Phase.Tail) {
        const nl = buf.indexOf(NEWLINE, p);
        const end = nl < 0 ? n : nl;
        if (end > p) this.tail(p, end);
        if (nl < 0) break;
        this.boundary(nl);
        this.putNewline();
        this.endLine();
        p = nl + 1;
        continue;
      }
      if (this.phase === Phase.Idle) this.startLine(p);
      const room = LINE_MAX - this.linelen;
      const nl = buf.indexOf(NEWLINE, p);
      if (nl >= 0 && nl - p < room) {
        this.boundary(nl);
        this.completeHead(buf, p, nl, true);
        this.endLine();
        p = nl + 1;
      } else if (n - p >= room) {
        // The head is full: C acts on it now, before reading the rest of the line.
        this.boundary(p + room - 1);
        this.completeHead(buf, p, p + room, false);
        this.phase = Phase.Tail;
        p += room;
      } else {
        this.keep(buf, p, n);
        p = n;
      }
    }
    this.flushAll();
    this.newlineLast = buf[n - 1] === NEWLINE;
  }

  /** C flushes the directories before each read: before taking byte `offset`, if a read starts there. */
  private boundary(offset: number): void {
    if (this.nextBoundary <= offset) {
      this.flushAll();
      this.nextBoundary = (Math.floor(offset / READ_SIZE) + 1) * READ_SIZE;
    }
  }

  private flushAll(): void {
    const streams = this.streams;
    for (let j = 0; j < streams.length; j++) streams[j].flush();
  }

  private startLine(offset: number): void {
    this.phase = Phase.Head;
    this.held = false;
    if (this.script.timestamp) {
      // Lines that came in one read were there at the same moment: one clock reading per C read.
      if (offset >= this.stampLimit) {
        this.stamp();
        this.stampLimit = (Math.floor(offset / READ_SIZE) + 1) * READ_SIZE;
      }
      this.linelen = PREFIX;
    } else {
      this.linelen = 0;
    }
  }

  /** The time the line's first byte is taken, as taia_now gives it: microseconds, nano = usec*1000+500. */
  private stamp(): void {
    const clock = this.io.clock;
    let micros = clock.nowMicros();
    let second = Math.floor(micros / 1e6);
    if (second !== this.second) {
      // Once a second, let the clock catch a step of the system clock.
      if (clock.check) {
        clock.check();
        micros = clock.nowMicros();
        second = Math.floor(micros / 1e6);
      }
      this.second = second;
      this.prefix.write(taiFromUnix(second).toString(16).padStart(16, '0'), 1, 16, 'latin1');
    }
    writeHex32(this.prefix, 17, (micros - second * 1e6) * 1000 + 500);
  }

  /** Adds `src[a, b)` to the kept head. */
  private keep(src: Buffer, a: number, b: number): void {
    if (!this.held) {
      if (this.script.timestamp) this.prefix.copy(this.line, 0);
      this.held = true;
    }
    src.copy(this.line, this.linelen, a, b);
    this.linelen += b - a;
  }

  /**
   * The head ends with `src[a, b)`: by a newline (`short`, the newline at `b`) or by reaching
   * LINE_MAX. The actions run, then the head goes to each selected directory.
   */
  private completeHead(src: Buffer, a: number, b: number, short: boolean): void {
    const inspects = this.script.inspectsLines;
    if (this.held || inspects) this.keep(src, a, b);
    else this.linelen += b - a;
    if (inspects) this.act();
    const total = this.linelen;
    const streams = this.streams;
    const selected = this.selected;
    for (let j = 0; j < streams.length; j++) {
      if (!selected[j]) continue;
      const s = streams[j];
      if (this.held) {
        s.append(this.line, 0, total);
        s.put(total);
        if (short) {
          s.appendByte(NEWLINE);
          s.putc();
        }
      } else {
        if (this.script.timestamp) s.append(this.prefix, 0, PREFIX);
        s.appendInput(a, short ? b + 1 : b);
        s.put(total);
        if (short) s.putc();
      }
    }
  }

  /** Runs the script over the kept head. */
  private act(): void {
    const line = this.line;
    const len = this.linelen;
    const ops = this.ops;
    let selected = true;
    let j = 0;
    for (let i = 0; i < ops.length; i++) {
      switch (ops[i]) {
        case Op.Select:
          if (!selected && match(this.patterns[i]!, line, len)) selected = true;
          break;
        case Op.Deselect:
          if (selected && match(this.patterns[i]!, line, len)) selected = false;
          break;
        case Op.Echo:
          if (selected) this.echo();
          break;
        case Op.Status:
          if (selected) {
            const status = this.statuses[this.statusOf[i]];
            line.copy(status.line, 0, 0, STATUS_SIZE);
            status.dirty = true;
          }
          break;
        case Op.Dir:
          this.selected[j++] = selected;
          break;
      }
    }
  }

  private echo(): void {
    const len = this.linelen;
    const shown = Math.min(len, ECHO_MAX);
    const need = this.errLength + shown + ELLIPSIS.length;
    if (need > this.errOut.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.errOut.length * 2));
      this.errOut.copy(grown, 0, 0, this.errLength);
      this.errOut = grown;
    }
    this.line.copy(this.errOut, this.errLength, 0, shown);
    this.errLength += shown;
    if (len > ECHO_MAX) {
      ELLIPSIS.copy(this.errOut, this.errLength);
      this.errLength += ELLIPSIS.length;
    } else {
      this.errOut[this.errLength++] = NEWLINE;
    }
  }

  /** Bytes past the head, `src[a, e)`, each put on its own as C does, reads flushing in between. */
  private tail(a: number, e: number): void {
    const streams = this.streams;
    const selected = this.selected;
    for (let j = 0; j < streams.length; j++) if (selected[j]) streams[j].appendInput(a, e);
    let q = a;
    while (q < e) {
      if (this.nextBoundary <= q) {
        this.flushAll();
        this.nextBoundary = (Math.floor(q / READ_SIZE) + 1) * READ_SIZE;
      }
      const stop = Math.min(e, this.nextBoundary);
      for (let j = 0; j < streams.length; j++) if (selected[j]) streams[j].putRun(stop - q);
      q = stop;
    }
  }

  private putNewline(): void {
    const streams = this.streams;
    for (let j = 0; j < streams.length; j++) {
      if (!this.selected[j]) continue;
      streams[j].appendByte(NEWLINE);
      streams[j].putc();
    }
  }

  private endLine(): void {
    if (this.held) this.line.fill(NEWLINE, 0, this.linelen);
    this.linelen = 0;
    this.held = false;
    this.phase = Phase.Idle;
  }

  /** Writes out what the last input produced: stderr, status files, then the directories. */
  private async drain(): Promise<void> {
    if (this.errLength > 0) {
      const length = this.errLength;
      this.errLength = 0;
      this.io.stderr(this.errOut.subarray(0, length));
    }
    for (const status of this.statuses) if (status.dirty) await this.writeStatus(status);
    for (const dir of this.dirs) await dir.writeOut();
  }

  private async writeStatus(status: StatusFile): Promise<void> {
    status.dirty = false;
    for (;;) {
      let err: unknown = { errno: 0 };
      try {
        if (this.io.write(status.fd, status.line, 0, STATUS_SIZE, 0) === STATUS_SIZE) return;
      } catch (e) {
        if ((e as { code?: string }).code === 'ESPIPE') {
          this.io.warn(`unable to move to beginning of ${status.name}, pausing: `, e);
          await this.io.sleep(PAUSE_MS);
          continue;
        }
        err = e;
      }
      this.io.warn(`unable to write ${status.name}, pausing: `, err);
      await this.io.sleep(PAUSE_MS);
    }
  }
}

/** `=file`: created if need be (mode 0600), then opened for writing without truncating. */
function openStatus(start: string, name: string): StatusFile {
  const path = name === '' || name.startsWith('/') ? name : `${start}/${name}`;
  try {
    closeSync(openSync(path, O_WRONLY | O_NONBLOCK | O_APPEND | O_CREAT, 0o600));
  } catch (err) {
    throw new MultilogFatal(`unable to create ${name}: `, err);
  }
  try {
    const fd = openSync(path, O_WRONLY | O_NONBLOCK);
    return { name, fd, line: Buffer.alloc(STATUS_SIZE, NEWLINE), dirty: false };
  } catch (err) {
    throw new MultilogFatal(`unable to write ${name}: `, err);
  }
}

/** /proc/self/fd/N when /proc is there, so relative names keep meaning the directory we opened. */
function procPath(fd: number): string | null {
  const path = `/proc/self/fd/${fd}`;
  try {
    statSync(path);
    return path;
  } catch {
    return null;
  }
}
