// Reads a compiled time zone file (TZif, RFC 8536) the way glibc's __tzfile_read does: the 64-bit
// body when the version byte is set, the POSIX rule string after it, and the same sanity checks
// (any failure means "no such file", and the caller falls back to reading TZ as a rule string).

export interface LocalTimeType {
  /** Seconds east of UTC. */
  readonly offset: number;
  readonly isdst: boolean;
  readonly isstd: boolean;
  readonly isgmt: boolean;
}

export interface LeapSecond {
  /** The UTC time the correction starts at. */
  readonly transition: number;
  /** Total correction from then on. */
  readonly change: number;
}

export interface TzData {
  /** Transition times, ascending. */
  readonly transitions: number[];
  /** For each transition, the index of the type in force from then on. */
  readonly typeIndex: number[];
  readonly types: LocalTimeType[];
  readonly leaps: readonly LeapSecond[];
  /** The POSIX TZ string for times after the last transition, or null. */
  readonly spec: string | null;
}

const MAGIC = 'TZif';
const HEADER_SIZE = 44;

class Reader {
  at = 0;
  constructor(readonly bytes: Buffer) {}
  need(n: number): boolean {
    return this.at + n <= this.bytes.length;
  }
  int32(): number {
    const v = this.bytes.readInt32BE(this.at);
    this.at += 4;
    return v;
  }
  int64(): number {
    const v = this.bytes.readBigInt64BE(this.at);
    this.at += 8;
    return Number(v);
  }
  byte(): number {
    return this.bytes[this.at++]!;
  }
}

interface Counts {
  version: number;
  isgmt: number;
  isstd: number;
  leaps: number;
  times: number;
  types: number;
  chars: number;
}

function header(r: Reader): Counts | null {
  if (!r.need(HEADER_SIZE) || r.bytes.toString('latin1', r.at, r.at + 4) !== MAGIC) return null;
  const version = r.bytes[r.at + 4]!;
  r.at += 20;
  const [isgmt, isstd, leaps, times, types, chars] = [r.int32(), r.int32(), r.int32(), r.int32(), r.int32(), r.int32()];
  const c = { version, isgmt, isstd, leaps, times, types, chars };
  if ([c.isgmt, c.isstd, c.leaps, c.times, c.types, c.chars].some((n) => n < 0)) return null;
  if (c.isstd > c.types || c.isgmt > c.types) return null;
  return c;
}

/** Parses a TZif file; null where glibc would give up on it. */
export function parseTzif(bytes: Buffer): TzData | null {
  const r = new Reader(bytes);
  let c = header(r);
  if (c === null) return null;
  let width = 4;
  if (c.version !== 0) {
    // Skip the 32-bit body and read the 64-bit one.
    r.at += c.times * 5 + c.types * 6 + c.chars + c.leaps * 8 + c.isstd + c.isgmt;
    c = header(r);
    if (c === null) return null;
    width = 8;
  }
  const body = c.times * (width + 1) + c.types * 6 + c.chars + c.leaps * (width + 4) + c.isstd + c.isgmt;
  if (!r.need(body)) return null;
  let specLength = 0;
  if (width === 8) {
    // What follows the body is "\n" spec "\n"; glibc insists on at least the two newlines' room.
    specLength = bytes.length - r.at - body;
    if (specLength < 2) return null;
    specLength -= 1;
  }

  const transitions: number[] = [];
  for (let i = 0; i < c.times; i++) transitions.push(width === 8 ? r.int64() : r.int32());
  const typeIndex: number[] = [];
  for (let i = 0; i < c.times; i++) {
    const t = r.byte();
    if (t >= c.types) return null;
    typeIndex.push(t);
  }
  const raw: { offset: number; isdst: boolean }[] = [];
  for (let i = 0; i < c.types; i++) {
    const offset = r.int32();
    const isdst = r.byte();
    const abbr = r.byte();
    if (isdst > 1 || abbr > c.chars) return null;
    raw.push({ offset, isdst: isdst === 1 });
  }
  r.at += c.chars;
  const leaps: LeapSecond[] = [];
  for (let i = 0; i < c.leaps; i++) {
    const transition = width === 8 ? r.int64() : r.int32();
    leaps.push({ transition, change: r.int32() });
  }
  const isstd = Array.from({ length: c.isstd }, () => r.byte() !== 0);
  const isgmt = Array.from({ length: c.isgmt }, () => r.byte() !== 0);
  const types = raw.map((t, i) => ({ ...t, isstd: isstd[i] ?? false, isgmt: isgmt[i] ?? false }));

  let spec: string | null = null;
  if (width === 8 && bytes[r.at] === 0x0a) {
    const text = bytes.subarray(r.at + 1, r.at + specLength);
    const nul = text.indexOf(0);
    spec = text.toString('latin1', 0, nul < 0 ? text.length : nul);
    if (spec === '') spec = null;
  }
  return { transitions, typeIndex, types, leaps, spec };
}
