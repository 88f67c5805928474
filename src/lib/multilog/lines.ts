// multilog's line machine: each read's bytes become lines, each line goes through the script
// (stamp, pattern selection, `e`, `=`) and on to the selected directories' streams, within C
// multilog's limits: a line's first 1000 bytes (stamp included) are what patterns, `e` and `=`
// see, the rest goes on unchanged; and the directories are flushed where C would read again.
import { STAMP_LENGTH, taiFromUnix, writeHex32 } from '../tai64n.js';
import type { MultilogIO } from './io.js';
import { match } from './match.js';
import type { Script } from './script.js';
import { STATUS_SIZE, type StatusLine } from './status.js';
import { DIR_BUFFER_SIZE, NEAR_FULL, type LogStream } from './stream.js';

/** The bytes of a line that patterns, `e` and `=` see. */
export const LINE_MAX = STATUS_SIZE - 1;
/** C multilog reads its input this much at a time and flushes the directories before each read. */
export const READ_SIZE = 1024;
/** `e` prints at most this much of a line, then "...". */
export const ECHO_MAX = 200;

const NEWLINE = 0x0a;
const SPACE = 0x20;
const AT = 0x40;
const PREFIX = STAMP_LENGTH + 1;
const ELLIPSIS = Buffer.from('...\n');
/** Room the fast path keeps ahead of a line: the longest head and its newline, and then some. */
const SLACK = LINE_MAX + 8;
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

export class Lines {
  private phase = Phase.Idle;
  /** The line's head, when it had to be kept (it spans reads, or an action looks at it). */
  private readonly line = Buffer.alloc(STATUS_SIZE, NEWLINE);
  /** The head's length, stamp included, whether or not it is kept in `line`. */
  private linelen = 0;
  private held = false;
  /** The current line's stamp and space. */
  private readonly prefix = Buffer.alloc(PREFIX);
  /** The prefix as six 32-bit words and a 16-bit one (little-endian), for the fast path to write. */
  private readonly prefixWords = new Uint32Array(7);
  /** The chunk being fed, and whether the streams have their copy of it yet. */
  private chunk: Buffer = EMPTY;
  private mirrored = false;
  private second = NaN;
  /** The microsecond the prefix holds, and the second its first four words hold. */
  private micros = NaN;
  private wordsSecond = NaN;
  /** The read being fed has its stamp: the lines of one read arrived together, one clock reading serves them. */
  private stampTaken = false;
  /** The last byte read was a newline (C's flagnewline). */
  newlineLast = true;
  /** Offset in the chunk being read of C's next read, where the directories are flushed. */
  private nextBoundary = READ_SIZE;

  private readonly ops: Op[] = [];
  /** Per op: its pattern, or the status line it writes. */
  private readonly patterns: (Buffer | null)[] = [];
  private readonly statusOf: (StatusLine | null)[] = [];
  private readonly selected: boolean[];
  /** Whole short lines may go in bulk (feedFast): no action looks at them, and there is a directory. */
  private readonly fast: boolean;
  /** `e` output not yet taken: none until a line is echoed (most scripts have no `e`). */
  private errOut: Buffer = EMPTY;
  private errLength = 0;

  constructor(
    private readonly script: Script,
    private readonly clock: MultilogIO['clock'],
    private readonly streams: readonly LogStream[],
    statuses: readonly StatusLine[],
    /** Every line through the byte-by-byte model (tests compare the two paths). */
    modelOnly = false,
  ) {
    this.fast = !modelOnly && !script.inspectsLines && streams.length > 0;
    let status = 0;
    for (const action of script.actions) {
      const op = { select: Op.Select, deselect: Op.Deselect, stderr: Op.Echo, status: Op.Status, dir: Op.Dir }[action.kind];
      this.ops.push(op);
      this.patterns.push(action.kind === 'select' || action.kind === 'deselect' ? action.pattern : null);
      this.statusOf.push(action.kind === 'status' ? statuses[status++] : null);
    }
    this.selected = streams.map(() => true);
    this.prefix[0] = AT;
    this.prefix[STAMP_LENGTH] = SPACE;
  }

  /** One read's bytes. */
  feed(buf: Buffer): void {
    const n = buf.length;
    this.nextBoundary = READ_SIZE;
    this.stampTaken = false;
    const streams = this.streams;
    const fast = this.fast;
    this.chunk = buf;
    this.mirrored = false;
    let p = 0;
    while (p < n) {
      if (fast && this.phase === Phase.Idle) {
        p = this.feedFast(buf, p);
        if (p >= n) break;
      }
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
      if (this.phase === Phase.Idle) this.startLine();
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

  /**
   * The common case in bulk: from `start` (between lines), each whole line short enough to be a
   * head goes, stamped, straight into the first stream's output (the others get a copy), with the
   * model of C's buffer kept as plain arithmetic. That is exact only while no c_write can cut or
   * rotate, that is while every directory's `current` stays short of its size less NEAR_FULL; so
   * it stops there, at a long line or at a line the chunk does not finish, and returns where the
   * byte-exact path goes on. Lines needing the script's actions never come here.
   */
  private feedFast(buf: Buffer, start: number): number {
    const streams = this.streams;
    const first = streams[0];
    const from = first.length;
    let pending = first.pendingBytes;
    // Output may reach `limit` (exclusive) before any directory comes near its size.
    let limit = Infinity;
    for (let j = 0; j < streams.length; j++) limit = Math.min(limit, streams[j].size - NEAR_FULL - streams[j].bytes);
    limit += from - pending;
    if (limit <= from + 1) return start;
    const n = buf.length;
    // The lines are moved from the first stream's copy of the chunk (its arena's start).
    if (!this.mirrored) this.mirror();
    const stamped = this.script.timestamp;
    const pre = stamped ? PREFIX : 0;
    const longest = LINE_MAX - pre;
    const words = this.prefixWords;
    let out = first.view;
    let arena = new Uint8Array(out.buffer);
    let base = first.outBase;
    let room = base + first.out.length;
    let nextBoundary = this.nextBoundary;
    let o = from;
    let p = start;
    while (p < n) {
      if (base + o + SLACK > room) {
        first.length = o;
        first.reserve(SLACK);
        out = first.view;
        arena = new Uint8Array(out.buffer);
        base = first.outBase;
        room = base + first.out.length;
      }
      // One memchr finds the newline, one memmove puts the line after its stamp.
      const nl = buf.indexOf(NEWLINE, p);
      if (nl < 0 || nl - p >= longest) break;
      const head = pre + nl - p;
      const end = o + head + 1;
      if (end >= limit) break;
      if (stamped) {
        if (!this.stampTaken) {
          this.stamp();
          this.stampTaken = true;
        }
        const at = base + o;
        out.setUint32(at, words[0], true);
        out.setUint32(at + 4, words[1], true);
        out.setUint32(at + 8, words[2], true);
        out.setUint32(at + 12, words[3], true);
        out.setUint32(at + 16, words[4], true);
        out.setUint32(at + 20, words[5], true);
        out.setUint16(at + 24, words[6], true);
      }
      arena.copyWithin(base + o + pre, p, nl + 1);
      // C's buffer: flushed before the read that brings the newline, then the head's buffer_put
      // and the newline's buffer_PUTC; what goes to c_write only adds to `current`'s size here.
      if (nextBoundary <= nl) {
        pending = 0;
        nextBoundary = (Math.floor(nl / READ_SIZE) + 1) * READ_SIZE;
      }
      if (head > DIR_BUFFER_SIZE - pending) pending = head > DIR_BUFFER_SIZE ? 0 : head;
      else pending += head;
      pending = pending === DIR_BUFFER_SIZE ? 1 : pending + 1;
      o = end;
      p = nl + 1;
    }
    this.nextBoundary = nextBoundary;
    if (o === from) return p;
    for (let j = 1; j < streams.length; j++) {
      streams[j].appendFrom(first, from, o);
      streams[j].bulkPut(o, pending);
    }
    first.bulkPut(o, pending);
    return p;
  }

  /**
   * The streams copy the chunk's bytes from a mirror of it (appendInput, the fast path's
   * copyWithin); made when first needed, as a line's head kept across reads copies from the chunk itself.
   */
  private mirror(): void {
    const streams = this.streams;
    for (let j = 0; j < streams.length; j++) streams[j].mirror(this.chunk);
    this.mirrored = true;
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

  private startLine(): void {
    this.phase = Phase.Head;
    this.held = false;
    if (this.script.timestamp) {
      // Lines that came in one read were there at the same moment: one clock reading per read.
      if (!this.stampTaken) {
        this.stamp();
        this.stampTaken = true;
      }
      this.linelen = PREFIX;
    } else {
      this.linelen = 0;
    }
  }

  /** The time the line's first byte is taken, as taia_now gives it: microseconds, nano = usec*1000+500. */
  private stamp(): void {
    const clock = this.clock;
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
    } else if (micros === this.micros) {
      return; // the same microsecond: the same stamp
    }
    this.micros = micros;
    const prefix = this.prefix;
    writeHex32(prefix, 17, (micros - second * 1e6) * 1000 + 500);
    // The words as the bytes say (little-endian); 16 to 25 hold the nanoseconds, the rest the second.
    const words = this.prefixWords;
    if (this.wordsSecond !== second) {
      this.wordsSecond = second;
      for (let k = 0; k < 4; k++) words[k] = prefix.readUInt32LE(4 * k);
    }
    words[4] = prefix[16] | (prefix[17] << 8) | (prefix[18] << 16) | (prefix[19] << 24);
    words[5] = prefix[20] | (prefix[21] << 8) | (prefix[22] << 16) | (prefix[23] << 24);
    words[6] = prefix[24] | (prefix[25] << 8);
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
        if (!this.mirrored) this.mirror();
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
            const status = this.statusOf[i]!;
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
      const grown = Buffer.allocUnsafe(Math.max(need, this.errOut.length * 2, 4096));
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
    if (!this.mirrored) this.mirror();
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

  /** End of input: a last partial line is acted on and gets its newline (C's flageof). */
  finish(): void {
    if (this.phase === Phase.Head) this.completeHead(EMPTY, 0, 0, true);
    else if (this.phase === Phase.Tail) this.putNewline();
    this.endLine();
    this.flushAll();
  }

  /** Input bytes of a line head kept so far (stamp left out): read, and not yet written anywhere. */
  heldInput(): Buffer {
    if (this.phase !== Phase.Head || !this.held) return EMPTY;
    return this.line.subarray(this.script.timestamp ? PREFIX : 0, this.linelen);
  }

  /** The logger was killed: a partial head goes out as far as it got (no newline), not lost. */
  abandon(): void {
    if (this.phase === Phase.Head) this.completeHead(EMPTY, 0, 0, false);
    this.endLine();
    this.flushAll();
  }

  /** SIGALRM: every stream with something in `current` is marked for rotation (after a flush). */
  forceRotate(): void {
    for (const s of this.streams) s.forceRotate();
  }

  /** The `e` output since the last call (valid until the next feed), or null. */
  takeEcho(): Buffer | null {
    if (this.errLength === 0) return null;
    const out = this.errOut.subarray(0, this.errLength);
    this.errLength = 0;
    return out;
  }
}
