// tai64n's transform: every line gets a TAI64N stamp and a space in front, taken when the line's
// first byte is handled; a last line without a newline is stamped and passed on as it is.
// For speed the stamp, the input and the output share one buffer, so every copy is a
// copyWithin (a V8 builtin) rather than a call into Node's C++ side.
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

/** Where stamped output goes: `buffer[offset, offset + length)`, to be used before returning. */
export type Sink = (buffer: Buffer, offset: number, length: number) => void;

export class LineStamper {
  /** The prefix, then the input area, then the output area. */
  readonly buffer: Buffer;
  /** Read input into `buffer[inputOffset, inputOffset + inputSize)`, then call stampInput. */
  readonly inputOffset = INPUT_AT;
  private readonly outStart: number;
  private atLineStart = true;
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
    const outStart = this.outStart;
    const outEnd = buf.length;
    const end = INPUT_AT + length;
    let o = outStart;
    let i = INPUT_AT;
    let lines = 0;
    while (i < end) {
      if (this.atLineStart) {
        if (lines++ % LINES_PER_CLOCK === 0) this.takeTime();
        if (o + PREFIX_LENGTH > outEnd) o = this.drain(o);
        buf.copyWithin(o, 0, PREFIX_LENGTH);
        o += PREFIX_LENGTH;
        this.atLineStart = false;
      }
      let next = buf.indexOf(NEWLINE, i);
      if (next < 0 || next >= end) next = end;
      else {
        next++;
        this.atLineStart = true;
      }
      const n = next - i;
      if (o + n > outEnd) {
        o = this.drain(o);
        if (n > outEnd - outStart) {
          this.sink(buf, i, n);
          i = next;
          continue;
        }
      }
      buf.copyWithin(o, i, next);
      o += n;
      i = next;
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
  }
}
