// tai64n's transform: every line gets a TAI64N stamp and a space in front, taken when the line's
// first byte is handled; a last line without a newline is stamped and passed on as it is.
// For speed the stamp, the input and the output share one buffer, and a line is copied four bytes
// at a time while its newline is looked for (no call per line into a builtin or Node's C++ side).
import { STAMP_LENGTH, taiFromUnix, writeHex32, type Clock } from './tai64n.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const AT = 0x40;
/** The stamp and its space. */
const PREFIX_LENGTH = STAMP_LENGTH + 1;
/** Where the input area starts (the prefix sits before it). */
const INPUT_AT = 32;
/** Lines in one input chunk arrive together; the clock is read again after this many of them. */
const LINES_PER_CLOCK = 32;
/** Four newlines, and the bits that find a zero byte in a word (x - 0x01.. & ~x & 0x80..). */
const NEWLINES = 0x0a0a0a0a;
const LOW_BITS = 0x01010101;
const HIGH_BITS = 0x80808080 | 0;

/** Where stamped output goes: `buffer[offset, offset + length)`, to be used before returning. */
export type Sink = (buffer: Buffer, offset: number, length: number) => void;

export class LineStamper {
  /** The prefix, then the input area, then the output area. */
  readonly buffer: Buffer;
  /** Read input into `buffer[inputOffset, inputOffset + inputSize)`, then call stampInput. */
  readonly inputOffset = INPUT_AT;
  private readonly outStart: number;
  private atLineStart = true;
  /** `buffer` as words, and the stamp and space as six 32-bit words and a 16-bit one (little-endian). */
  private readonly view: DataView;
  private readonly words = new Uint32Array(7);
  private second = NaN;

  constructor(
    private readonly clock: Clock,
    private readonly sink: Sink,
    readonly inputSize = 1 << 20,
    outputSize = 2 << 20,
  ) {
    this.outStart = INPUT_AT + inputSize;
    this.buffer = Buffer.allocUnsafe(this.outStart + Math.max(outputSize, PREFIX_LENGTH));
    this.buffer[0] = AT;
    this.buffer[STAMP_LENGTH] = SPACE;
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
  }

  /** Stamps `data[0, length)` (copied through the input area), continuing the current line. */
  push(data: Buffer, length: number): void {
    for (let at = 0; at < length; at += this.inputSize) {
      const n = Math.min(this.inputSize, length - at);
      data.copy(this.buffer, INPUT_AT, at, at + n);
      this.stampInput(n);
    }
  }

  /** Stamps the `length` bytes just read into the input area and hands the result to the sink. */
  stampInput(length: number): void {
    const buf = this.buffer;
    const view = this.view;
    const words = this.words;
    const outEnd = buf.length;
    const end = INPUT_AT + length;
    let o = this.outStart;
    let i = INPUT_AT;
    let lines = 0;
    while (i < end) {
      if (this.atLineStart) {
        if (lines++ % LINES_PER_CLOCK === 0) this.takeTime();
        if (o + PREFIX_LENGTH > outEnd) o = this.drain(o);
        view.setUint32(o, words[0], true);
        view.setUint32(o + 4, words[1], true);
        view.setUint32(o + 8, words[2], true);
        view.setUint32(o + 12, words[3], true);
        view.setUint32(o + 16, words[4], true);
        view.setUint32(o + 20, words[5], true);
        view.setUint16(o + 24, words[6], true);
        o += PREFIX_LENGTH;
        this.atLineStart = false;
      }
      // The line's bytes, four at a time until the word with its newline, which is written whole
      // (what follows the newline is overwritten by the next stamp, or never handed on).
      for (;;) {
        if (i + 4 > end) {
          for (; i < end; ) {
            if (o === outEnd) o = this.drain(o);
            const c = buf[i++];
            buf[o++] = c;
            if (c === NEWLINE) {
              this.atLineStart = true;
              break;
            }
          }
          break;
        }
        if (o + 4 > outEnd) o = this.drain(o);
        const w = view.getUint32(i, true);
        view.setUint32(o, w, true);
        const x = w ^ NEWLINES;
        const zero = (x - LOW_BITS) & ~x & HIGH_BITS;
        if (zero !== 0) {
          const k = ((31 - Math.clz32(zero & -zero)) >> 3) + 1;
          i += k;
          o += k;
          this.atLineStart = true;
          break;
        }
        i += 4;
        o += 4;
      }
    }
    this.drain(o);
  }

  private drain(o: number): number {
    if (o > this.outStart) this.sink(this.buffer, this.outStart, o - this.outStart);
    return this.outStart;
  }

  /** Rewrites the stamp for now; the 16 digits of the second only when the second changed. */
  private takeTime(): void {
    const micros = this.clock.nowMicros();
    const second = Math.floor(micros / 1e6);
    if (second !== this.second) {
      this.second = second;
      this.buffer.write(taiFromUnix(second).toString(16).padStart(16, '0'), 1, 16, 'latin1');
    }
    writeHex32(this.buffer, 17, (micros - second * 1e6) * 1000 + 500);
    const words = this.words;
    for (let k = 0; k < 6; k++) words[k] = this.buffer.readUInt32LE(4 * k);
    words[6] = this.buffer.readUInt16LE(24);
  }
}
