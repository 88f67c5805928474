// tai64n's transform: every line gets a TAI64N stamp and a space in front, taken when the read that
// brings the line's first byte is handled (the lines of one read arrived together: one clock
// reading serves them all); a last line without a newline is stamped and passed on as it is.
// For speed the stamp, the input and the output share one buffer: a line is found by one
// indexOf (memchr) and moved by one copyWithin (memmove), and the stamp is written as seven
// DataView words, which V8 inlines, instead of a third call per line.
import { STAMP_LENGTH, taiFromUnix, writeHex32, type Clock } from './tai64n.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const AT = 0x40;
/** The stamp and its space. */
const PREFIX_LENGTH = STAMP_LENGTH + 1;
/** Where the input area starts (the prefix sits before it). */
const INPUT_AT = 32;

/** Where stamped output goes: `buffer[offset, offset + length)`, to be used before returning. */
export type Sink = (buffer: Buffer, offset: number, length: number) => void;

export class LineStamper {
  /** The prefix, then the input area, then the output area. */
  readonly buffer: Buffer;
  /** Read input into `buffer[inputOffset, inputOffset + inputSize)`, then call stampInput. */
  readonly inputOffset = INPUT_AT;
  private readonly view: DataView;
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
    this.view = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
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
    const view = this.view;
    const outStart = this.outStart;
    const outEnd = buf.length;
    const end = INPUT_AT + length;
    let o = outStart;
    let i = INPUT_AT;
    // This read's stamp and space as six 32-bit words and a 16-bit one, once taken.
    let stamped = false;
    let w0 = 0;
    let w1 = 0;
    let w2 = 0;
    let w3 = 0;
    let w4 = 0;
    let w5 = 0;
    let w6 = 0;
    while (i < end) {
      if (this.atLineStart) {
        if (!stamped) {
          this.takeTime();
          stamped = true;
          w0 = view.getInt32(0, true);
          w1 = view.getInt32(4, true);
          w2 = view.getInt32(8, true);
          w3 = view.getInt32(12, true);
          w4 = view.getInt32(16, true);
          w5 = view.getInt32(20, true);
          w6 = view.getInt16(24, true);
        }
        if (o + PREFIX_LENGTH > outEnd) o = this.drain(o);
        view.setInt32(o, w0, true);
        view.setInt32(o + 4, w1, true);
        view.setInt32(o + 8, w2, true);
        view.setInt32(o + 12, w3, true);
        view.setInt32(o + 16, w4, true);
        view.setInt32(o + 20, w5, true);
        view.setInt16(o + 24, w6, true);
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
