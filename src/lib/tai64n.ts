// TAI64N labels as tai64n writes them: `@`, the 8-byte TAI64 second (2^62 + 10 + Unix seconds,
// djb's tai_unix) and the 4-byte nanosecond, in 24 lowercase hex digits; plus the wall clock they
// are taken from (taia_now: whole microseconds, nanoseconds = usec * 1000 + 500).

/** `@` and 24 hex digits. */
export const STAMP_LENGTH = 25;
/** TAI64 label of the Unix epoch: 2^62 plus the 10 s TAI-UTC offset daemontools assumes. */
export const TAI64_UNIX_EPOCH = 4611686018427387914n;

const HEX = '0123456789abcdef';
const AT = 0x40;

/** A TAI64N moment: the TAI64 label (unsigned 64 bits) and the nanoseconds within it. */
export interface Tai64n {
  readonly seconds: bigint;
  readonly nanoseconds: number;
}

/** The label tai_unix gives a Unix time, wrapped to 64 bits as the C arithmetic does. */
export function taiFromUnix(unixSeconds: number | bigint): bigint {
  return BigInt.asUintN(64, TAI64_UNIX_EPOCH + BigInt(unixSeconds));
}

/** Writes `@` and the 24 hex digits of a stamp at `offset`; returns the offset after it. */
export function writeStamp(out: Buffer, offset: number, stamp: Tai64n): number {
  out[offset] = AT;
  out.write(stamp.seconds.toString(16).padStart(16, '0'), offset + 1, 16, 'latin1');
  writeHex32(out, offset + 17, stamp.nanoseconds);
  return offset + STAMP_LENGTH;
}

/** Eight lowercase hex digits of an unsigned 32-bit value. */
export function writeHex32(out: Buffer, offset: number, value: number): void {
  let v = value >>> 0;
  for (let i = offset + 7; i >= offset; i--) {
    out[i] = HEX.charCodeAt(v & 15);
    v >>>= 4;
  }
}

export function formatStamp(stamp: Tai64n): string {
  const out = Buffer.alloc(STAMP_LENGTH);
  writeStamp(out, 0, stamp);
  return out.toString('latin1');
}

/** Parses exactly `@` and 24 hex digits (either case); null for anything else. */
export function parseStamp(text: string): Tai64n | null {
  if (text.length !== STAMP_LENGTH || text[0] !== '@' || !/^[0-9a-fA-F]{24}$/.test(text.slice(1))) return null;
  return { seconds: BigInt(`0x${text.slice(1, 17)}`), nanoseconds: parseInt(text.slice(17), 16) };
}

/** Unix seconds and nanoseconds of a stamp (TAI64 label minus 2^62 + 10, no leap seconds). */
export function stampToUnix(stamp: Tai64n): { seconds: bigint; nanoseconds: number } {
  return { seconds: BigInt.asIntN(64, stamp.seconds - TAI64_UNIX_EPOCH), nanoseconds: stamp.nanoseconds };
}

/** The stamp taia_now would give for a wall-clock time in microseconds since the epoch. */
export function stampFromMicros(micros: number): Tai64n {
  const seconds = Math.floor(micros / 1e6);
  return { seconds: taiFromUnix(seconds), nanoseconds: (micros - seconds * 1e6) * 1000 + 500 };
}

/** A source of wall-clock microseconds. */
export interface Clock {
  nowMicros(): number;
}

/**
 * The system wall clock to the microsecond, cheaply: the monotonic clock plus an offset, checked
 * against Date.now() (whole milliseconds) whenever asked and re-anchored when the wall clock was
 * stepped or has drifted off (NTP slewing, suspend).
 */
export class WallClock implements Clock {
  /** Wall-clock microseconds minus monotonic microseconds. */
  private offset: number;

  constructor() {
    // Node takes both origins together at startup, to the microsecond.
    this.offset = performance.timeOrigin * 1000;
  }

  nowMicros(): number {
    return Math.floor(this.offset + performance.now() * 1000);
  }

  /** Re-anchors if the estimate has left the millisecond Date.now() reports. */
  check(): void {
    const before = this.nowMicros();
    const ms = Date.now();
    const after = this.nowMicros();
    if (after < ms * 1000 || before >= (ms + 1) * 1000) this.anchor();
  }

  /** Waits for Date.now() to tick (at most 1 ms) and takes the offset at that edge. */
  private anchor(): void {
    const from = Date.now();
    let ms = from;
    while (ms === from) ms = Date.now();
    this.offset = ms * 1000 - performance.now() * 1000;
  }
}
