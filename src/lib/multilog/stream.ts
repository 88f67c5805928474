// One log directory's output as C multilog cuts it: the bytes go into one growing buffer, and a
// model of C's 512-byte directory buffer and of c_write marks where `current` fills up. The cuts
// depend on how C's buffer hands data to c_write, so the model follows it exactly:
//   - buffer_put: what fits the buffer is copied in; else the buffer is flushed and a put larger
//     than the buffer goes straight to c_write in pieces of at most 8192 bytes;
//   - the buffer is flushed before every read of the input;
//   - c_write rotates when `current` has `size` bytes, writes at most up to `size`, and once within
//     2000 bytes of it writes only up to the last newline of the piece and rotates right after it.
import { idleRoom, KEEP_ROOM, type Roomy } from './room.js';

/** multilog's per-directory buffer. */
export const DIR_BUFFER_SIZE = 512;
/** djb's BUFFER_OUTSIZE: the largest piece buffer_put writes straight through. */
export const PUT_PIECE = 8192;
/** c_write starts looking for a newline to rotate at this close to the size limit. */
export const NEAR_FULL = 2000;

const NEWLINE = 0x0a;
/** The output room a stream's first bytes get. */
const MIN_ROOM = 1 << 12;

export class LogStream implements Roomy {
  /**
   * One ArrayBuffer holds a copy of the input chunk, then the output: copying a line from the
   * chunk is then a copyWithin, which allocates nothing (Buffer#copy makes a view per call).
   */
  private arena: Uint8Array;
  /** `arena` as words, for Lines' fast path. */
  view: DataView;
  /** Bytes set aside at the start of `arena` for the input chunk. */
  private inputRoom: number;
  /** The output: `arena` from `inputRoom` on; bytes not yet written to disk are `[0, length)`. */
  out: Buffer;
  length = 0;
  /** Offsets in `out` where `current` is full and gets rotated, ascending. */
  readonly rotations: number[] = [];
  /** Bytes in `current` as C counts them (what c_write has been handed since the last rotation). */
  bytes: number;
  /** Bytes in the modelled 512-byte buffer: the last `pending` appended bytes not yet handed on. */
  private pending = 0;
  /** Bytes appended but not yet accounted to a put. */
  private unaccounted = 0;
  /** Offset in `out` up to which bytes were handed to c_write. */
  private handed = 0;
  /** Read into since the idle sweep last looked (room.ts). */
  used = false;

  constructor(
    readonly size: number,
    bytes: number,
    // Empty to begin with, grown (doubling from MIN_ROOM) by the first chunks that need more:
    // svscan hosts a stream per log directory, many never see a line, most a line at a time.
    inputRoom = 0,
    outputRoom = 0,
  ) {
    this.bytes = bytes;
    this.inputRoom = inputRoom;
    this.arena = new Uint8Array(inputRoom + outputRoom);
    this.view = new DataView(this.arena.buffer);
    this.out = Buffer.from(this.arena.buffer, inputRoom, outputRoom);
  }

  /** Takes a copy of the input chunk that appendInput() then copies from. */
  mirror(chunk: Uint8Array): void {
    this.used = true;
    if (chunk.length > this.inputRoom) this.resize(chunk.length, this.out.length);
    this.arena.set(chunk, 0);
  }

  /** Bytes held for the input chunk and the output. */
  get room(): number {
    return this.arena.length;
  }

  /**
   * Back to the empty start (the next chunk grows it again), unless output is still to be written:
   * a burst's room, given back once the stream is idle (room.ts). Returns the bytes let go.
   */
  release(): number {
    const room = this.arena.length;
    if (this.length !== 0 || room === 0) return 0;
    this.inputRoom = 0;
    this.arena = new Uint8Array(0);
    this.view = new DataView(this.arena.buffer);
    this.out = Buffer.from(this.arena.buffer, 0, 0);
    return room;
  }

  /** Makes room for `n` more bytes of output. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.out.length) return;
    let room = Math.max(this.out.length * 2, MIN_ROOM);
    while (room < need) room *= 2;
    this.resize(this.inputRoom, room);
  }

  private resize(inputRoom: number, outputRoom: number): void {
    const arena = new Uint8Array(inputRoom + outputRoom);
    arena.set(this.arena.subarray(0, this.inputRoom), 0);
    arena.set(this.arena.subarray(this.inputRoom, this.inputRoom + this.length), inputRoom);
    this.arena = arena;
    this.view = new DataView(arena.buffer);
    this.inputRoom = inputRoom;
    this.out = Buffer.from(arena.buffer, inputRoom, outputRoom);
    // Past what a line at a time needs: given back once the stream is idle again.
    if (arena.length > KEEP_ROOM) {
      this.used = true;
      idleRoom.track(this);
    }
  }

  /** Where `out` starts in `view`: for bulkPut. */
  get outBase(): number {
    return this.inputRoom;
  }

  /** Bytes in the modelled 512-byte buffer. */
  get pendingBytes(): number {
    return this.pending;
  }

  /**
   * The caller wrote `out[length, to)` itself and modelled the puts (Lines' fast path, which only
   * runs while no c_write can cut or rotate): everything is accounted, `pending` bytes of it still
   * in the modelled buffer, the rest handed to c_write.
   */
  bulkPut(to: number, pending: number): void {
    const handed = to - pending;
    this.bytes += handed - this.handed;
    this.handed = handed;
    this.length = to;
    this.pending = pending;
  }

  /** Copies `from.out[start, end)` to the end of `out` (another stream's bulk output), unaccounted until bulkPut. */
  appendFrom(from: LogStream, start: number, end: number): void {
    this.reserve(end - start);
    this.out.set(from.out.subarray(start, end), this.length);
  }

  /** Appends `chunk[start, end)` of the chunk last mirrored (to be accounted by put/putc/putRun). */
  appendInput(start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    this.arena.copyWithin(this.inputRoom + this.length, start, end);
    this.length += n;
    this.unaccounted += n;
  }

  /** Appends bytes from elsewhere. */
  append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    this.reserve(n);
    const out = this.out;
    let o = this.length;
    for (let i = start; i < end; i++) out[o++] = src[i];
    this.length += n;
    this.unaccounted += n;
  }

  appendByte(byte: number): void {
    this.reserve(1);
    this.out[this.length++] = byte;
    this.unaccounted++;
  }

  /** buffer_put of the next `n` appended bytes. */
  put(n: number): void {
    this.unaccounted -= n;
    if (n > DIR_BUFFER_SIZE - this.pending) {
      this.flush();
      let left = n;
      let piece = PUT_PIECE;
      while (left > DIR_BUFFER_SIZE) {
        if (piece > left) piece = left;
        this.handOn(piece);
        left -= piece;
      }
      this.pending = left;
    } else {
      this.pending += n;
    }
  }

  /** buffer_PUTC of the next appended byte. */
  putc(): void {
    this.unaccounted--;
    if (this.pending === DIR_BUFFER_SIZE) {
      this.flush();
      this.pending = 1;
    } else {
      this.pending++;
    }
  }

  /** `k` buffer_PUTCs in a row. */
  putRun(k: number): void {
    this.unaccounted -= k;
    let left = k;
    while (left > 0) {
      if (this.pending === DIR_BUFFER_SIZE) this.flush();
      const take = Math.min(left, DIR_BUFFER_SIZE - this.pending);
      this.pending += take;
      left -= take;
    }
  }

  /** buffer_flush: the buffered bytes go to c_write. */
  flush(): void {
    const n = this.pending;
    this.pending = 0;
    if (n > 0) this.handOn(n);
  }

  /** SIGALRM: flush, then rotate unless `current` is empty. */
  forceRotate(): void {
    this.flush();
    if (this.bytes > 0) this.rotate(this.handed);
  }

  /** Forgets the bytes written out; the model must be flushed (nothing buffered). */
  clear(): void {
    this.length = 0;
    this.unaccounted = 0;
    this.handed = 0;
    this.rotations.length = 0;
  }

  /** allwrite of the `n` bytes after what was already handed on: c_write until all are taken. */
  private handOn(n: number): void {
    const size = this.size;
    let at = this.handed;
    let left = n;
    while (left > 0) {
      if (this.bytes >= size) this.rotate(at);
      let len = Math.min(left, size - this.bytes);
      if (this.bytes + len >= size - NEAR_FULL) {
        const nl = lastNewline(this.out, at, at + len);
        if (nl >= 0) len = nl - at + 1;
      }
      at += len;
      left -= len;
      this.bytes += len;
      if (this.bytes >= size - NEAR_FULL && this.out[at - 1] === NEWLINE) this.rotate(at);
    }
    this.handed = at;
  }

  private rotate(at: number): void {
    this.rotations.push(at);
    this.bytes = 0;
  }
}

function lastNewline(buf: Buffer, start: number, end: number): number {
  for (let i = end - 1; i >= start; i--) if (buf[i] === NEWLINE) return i;
  return -1;
}
