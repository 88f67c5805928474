// tai64n's transform: every line gets a TAI64N stamp and a space in front, taken when the line's
// first byte is handled; a last line without a newline is stamped and passed on as it is.
import { STAMP_LENGTH, taiFromUnix, writeHex32, type Clock } from './tai64n.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;
const AT = 0x40;
/** The stamp and its space. */
const PREFIX_LENGTH = STAMP_LENGTH + 1;
/** Lines in one input chunk arrive together; the clock is read again after this many of them. */
const LINES_PER_CLOCK = 32;

/** Where stamped output goes once the output buffer is full, and at the end of each chunk. */
export type Sink = (buffer: Buffer, length: number) => void;

export class LineStamper {
  private atLineStart = true;
  private readonly prefix = Buffer.alloc(PREFIX_LENGTH);
  private second = NaN;
  private readonly out: Buffer;
  private used = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sink: Sink,
    outputSize = 1 << 20,
  ) {
    this.out = Buffer.allocUnsafe(Math.max(outputSize, PREFIX_LENGTH));
    this.prefix[0] = AT;
    this.prefix[STAMP_LENGTH] = SPACE;
  }

  /** Stamps `input[0, length)`, continuing the line the previous chunk ended in. */
  push(input: Buffer, length: number): void {
    const out = this.out;
    const capacity = out.length;
    let o = this.used;
    let i = 0;
    let lines = 0;
    while (i < length) {
      if (this.atLineStart) {
        if (lines++ % LINES_PER_CLOCK === 0) this.takeTime();
        if (o + PREFIX_LENGTH > capacity) o = this.drain(o);
        this.prefix.copy(out, o);
        o += PREFIX_LENGTH;
        this.atLineStart = false;
      }
      let end = input.indexOf(NEWLINE, i);
      if (end < 0 || end >= length) end = length;
      else {
        end++;
        this.atLineStart = true;
      }
      const n = end - i;
      if (o + n > capacity) {
        o = this.drain(o);
        if (n > capacity) {
          this.sink(input.subarray(i, end), n);
          i = end;
          continue;
        }
      }
      input.copy(out, o, i, end);
      o += n;
      i = end;
    }
    this.used = this.drain(o);
  }

  private drain(used: number): number {
    if (used > 0) this.sink(this.out, used);
    return 0;
  }

  /** Rewrites the stamp for now; the 16 digits of the second only when the second changed. */
  private takeTime(): void {
    const micros = this.clock.nowMicros();
    const second = Math.floor(micros / 1e6);
    if (second !== this.second) {
      this.second = second;
      this.prefix.write(taiFromUnix(second).toString(16).padStart(16, '0'), 1, 16, 'latin1');
    }
    writeHex32(this.prefix, 17, (micros - second * 1e6) * 1000 + 500);
  }
}
