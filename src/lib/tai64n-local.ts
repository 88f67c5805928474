// tai64nlocal's transform (tai64nlocal.c): a line starting with `@` has the hex digits after it
// read as a TAI64N label and replaced by the local time `YYYY-MM-DD HH:MM:SS.nnnnnnnnn`; the rest
// passes through. As in C, any number of digits is taken (the last 8 are the nanoseconds, the
// ones before them the second, kept to 64 bits), a label cut off by the end of input is dropped,
// and where localtime() cannot represent the second the C program crashes -- `crashed` reports
// that, with the output C had flushed by then (it writes through an 8192-byte buffer, flushed
// when full and before each read of up to 8192 bytes).
import { TAI64_UNIX_EPOCH } from './tai64n.js';
import type { BrokenTime, LocalTime } from './tz/localtime.js';

/** C's buffer_0 and buffer_1 size. */
export const C_BUFFER_SIZE = 8192;

const enum State {
  LineStart,
  Label,
  PassThrough,
}

const AT = 0x40;
const NEWLINE = 0x0a;
const UINT64 = 1n << 64n;

/** The hex digit's value for 0-9 and a-f (the only digits tai64nlocal knows), else -1. */
const DIGIT = new Int8Array(256).fill(-1);
for (let c = 0; c < 16; c++) DIGIT['0123456789abcdef'.charCodeAt(c)] = c;

/** Where the output goes. */
export type Sink = (buffer: Buffer, length: number) => void;

export class LocalStamper {
  private state = State.LineStart;
  /** Digits of a label that began in an earlier chunk. */
  private digits = '';
  private readonly out: Buffer;
  private used = 0;
  /** Output C has flushed: the part of `out` before this was written at a flush point. */
  private flushed = 0;
  /** Bytes in C's output buffer. */
  private fill = 0;
  private cachedSecond: number | bigint = NaN;
  private cachedText = '';
  private cachedYearLength = 0;
  /** Set once localtime() failed: C crashed there. */
  crashed = false;

  constructor(
    private readonly localtime: LocalTime,
    private readonly sink: Sink,
    readonly chunkSize = 1 << 20,
  ) {
    // A converted label is at most 45 bytes for at least 25 read, so output never doubles.
    this.out = Buffer.allocUnsafe(2 * chunkSize + 64);
  }

  /** Handles `input[0, length)` as one C-sized read after another, writing out each chunkSize. */
  push(input: Buffer, length: number): void {
    for (let start = 0; start < length && !this.crashed; start += this.chunkSize) {
      const end = Math.min(length, start + this.chunkSize);
      for (let at = start; at < end && !this.crashed; at += C_BUFFER_SIZE) {
        // C flushes its output before each read.
        this.flushed = this.used;
        this.fill = 0;
        this.run(input, at, Math.min(at + C_BUFFER_SIZE, end));
      }
      const n = this.crashed ? this.flushed : this.used;
      if (n > 0) this.sink(this.out, n);
      this.used = this.flushed = 0;
    }
  }

  private run(input: Buffer, from: number, to: number): void {
    let i = from;
    while (i < to) {
      switch (this.state) {
        case State.LineStart:
          if (input[i] === AT) {
            this.state = State.Label;
            this.digits = '';
            i++;
            if (this.fastLabel(input, i, to)) {
              i += 24;
              this.state = State.PassThrough;
              if (this.crashed) return;
            }
          } else this.state = State.PassThrough;
          break;
        case State.Label: {
          let j = i;
          while (j < to && DIGIT[input[j]!]! >= 0) j++;
          this.digits += input.toString('latin1', i, j);
          i = j;
          if (j < to) {
            this.convert(this.digits);
            this.state = State.PassThrough;
            if (this.crashed) return;
          }
          break;
        }
        case State.PassThrough: {
          let end = input.indexOf(NEWLINE, i);
          if (end < 0 || end >= to) end = to;
          else {
            end++;
            this.state = State.LineStart;
          }
          this.passThrough(input, i, end);
          i = end;
          break;
        }
      }
    }
  }

  /** The common label: 24 digits, "4000000" first, ended within this read. */
  private fastLabel(input: Buffer, at: number, to: number): boolean {
    if (at + 24 >= to || DIGIT[input[at + 24]!]! >= 0) return false;
    for (let k = 0; k < 7; k++) if (input[at + k] !== (k === 0 ? 0x34 : 0x30)) return false;
    let low = 0;
    for (let k = 7; k < 16; k++) {
      const d = DIGIT[input[at + k]!]!;
      if (d < 0) return false;
      low = low * 16 + d;
    }
    let nano = 0;
    for (let k = 16; k < 24; k++) {
      const d = DIGIT[input[at + k]!]!;
      if (d < 0) return false;
      nano = nano * 16 + d;
    }
    // 2^62 + low, less 2^62 + 10.
    this.emit(low - 10, nano);
    return true;
  }

  /** Converts a label of any length the way C's shift register reads it. */
  private convert(digits: string): void {
    const split = Math.max(0, digits.length - 8);
    const nano = split === digits.length ? 0 : parseInt(digits.slice(split), 16);
    const label = split === 0 ? 0n : BigInt(`0x${digits.slice(0, split)}`) % UINT64;
    const second = BigInt.asIntN(64, label - TAI64_UNIX_EPOCH);
    const exact = Number(second);
    this.emit(Number.isSafeInteger(exact) ? exact : second, nano);
  }

  private emit(second: number | bigint, nano: number): void {
    if (second !== this.cachedSecond) {
      const lasting = this.localtime.settled;
      const tm = this.localtime.convert(second);
      if (tm === null) {
        this.crashed = true;
        return;
      }
      this.cachedSecond = lasting ? second : NaN;
      this.cachedText = dateText(tm);
      this.cachedYearLength = this.cachedText.length - 16;
    }
    const text = this.cachedText;
    const nanoLength = nano >= 1e9 ? 10 : 9;
    this.account(text.length + nanoLength, nanoLength);
    const out = this.out;
    let o = this.used + out.write(text, this.used, 'latin1');
    // fmt_uint0(nano, 9): at least nine digits.
    for (let k = o + nanoLength - 1; k >= o; k--) {
      out[k] = 0x30 + (nano % 10);
      nano = Math.floor(nano / 10);
    }
    o += nanoLength;
    this.used = o;
  }

  /**
   * Accounts C's puts for one converted label against its output buffer: the year, then "-" "MM"
   * "-" "DD" " " "HH" ":" "MM" ":" "SS" ".", then the nanoseconds.
   */
  private account(total: number, nanoLength: number): void {
    if (this.fill + total <= C_BUFFER_SIZE) {
      this.fill += total;
      return;
    }
    let at = this.used;
    for (let k = 0; k < 13; k++) {
      const length = k === 0 ? this.cachedYearLength : k === 12 ? nanoLength : k % 2 === 1 ? 1 : 2;
      if (length > C_BUFFER_SIZE - this.fill) {
        this.flushed = at;
        this.fill = 0;
      }
      this.fill += length;
      at += length;
    }
  }

  /** Bytes copied one buffer_put(..., 1) at a time: C's buffer flushes whenever it is full. */
  private passThrough(input: Buffer, from: number, to: number): void {
    const n = to - from;
    input.copy(this.out, this.used, from, to);
    this.used += n;
    const total = this.fill + n;
    if (total > C_BUFFER_SIZE) {
      this.fill = ((total - 1) % C_BUFFER_SIZE) + 1;
      this.flushed = this.used - this.fill;
    } else this.fill = total;
  }
}

/** `YYYY-MM-DD HH:MM:SS.`: the year as fmt_ulong prints (1900 + tm_year) after int arithmetic. */
export function dateText(tm: BrokenTime): string {
  const year = tm.year > 0x7fffffff ? tm.year - 2 ** 32 : tm.year;
  const shown = year < 0 ? (UINT64 + BigInt(year)).toString() : String(year);
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${shown}-${two(tm.month)}-${two(tm.day)} ${two(tm.hour)}:${two(tm.minute)}:${two(tm.second)}.`;
}
