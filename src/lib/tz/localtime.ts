// localtime(3) as glibc computes it, so tai64nlocal prints what C's does for any TZ: the zone
// chosen as tzset does (TZ unset: /etc/localtime; empty: UTC; a file under TZDIR or
// /usr/share/zoneinfo; else a POSIX rule string; else UTC), leap seconds of "right/" zones applied,
// and null where glibc returns NULL (the year does not fit an int).
import { readFileSync } from 'node:fs';
import { blankRules, isLeap, MONTH_START, parseTzString, ruleOffset, type Rule, type Rules } from './posix-rule.js';
import { parseTzif, type TzData } from './tzif.js';

export const TZDEFAULT = '/etc/localtime';
export const TZDIR = '/usr/share/zoneinfo';
/** Where glibc takes DST rules for a TZ string that names a DST zone but gives no rules. */
const TZDEFRULES = 'posixrules';

export type Zone =
  | {
      readonly kind: 'file';
      readonly data: TzData;
      /** What every call after the first uses, where glibc's first call differs (see defaultRules). */
      readonly later?: TzData;
    }
  | { readonly kind: 'rules'; readonly rules: Rules };

/** The broken-down time tai64nlocal prints. `year` is tm_year + 1900 (not yet wrapped to int). */
export interface BrokenTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

function readTzfile(name: string, env: NodeJS.ProcessEnv): TzData | null {
  if (name === '') return null;
  let file = name;
  if (!file.startsWith('/')) file = `${env.TZDIR ? env.TZDIR : TZDIR}/${file}`;
  try {
    return parseTzif(readFileSync(file));
  } catch {
    return null;
  }
}

/**
 * The rule offsets __tzfile_default corrects posixrules' transitions by. glibc 2.36's
 * __tzfile_read sets the standard one (the last standard-time type) but leaves the daylight one
 * as it was unless the file has no transitions: 0 on the first call, afterwards the DST offset
 * the previous call set.
 */
function ruleOffsets(data: TzData, dstBefore: number): [std: number, dst: number] {
  if (data.transitions.length === 0) return [data.types[0]!.offset, data.types[0]!.offset];
  for (let i = data.transitions.length - 1; i >= 0; i--) {
    const t = data.types[data.typeIndex[i]!]!;
    if (!t.isdst) return [t.offset, dstBefore];
  }
  return [0, dstBefore];
}

/**
 * __tzfile_default: posixrules' transitions, moved to the offsets a TZ string gave. glibc then
 * forgets the TZ value, so every localtime() call does this again -- with the daylight rule
 * offset the previous call left behind.
 */
function defaultRules(std: Rule, dst: Rule, env: NodeJS.ProcessEnv, dstBefore: number): TzData | null {
  const data = readTzfile(TZDEFRULES, env);
  if (data === null || data.types.length < 2) return null;
  const [ruleStd, ruleDst] = ruleOffsets(data, dstBefore);
  const transitions = data.transitions.slice();
  const typeIndex = data.typeIndex.slice();
  let isdst = false;
  for (let i = 0; i < transitions.length; i++) {
    const type = data.types[typeIndex[i]!]!;
    typeIndex[i] = type.isdst ? 1 : 0;
    if (type.isgmt) {
      // already UTC
    } else if (isdst && !type.isstd) transitions[i]! += dst.offset - ruleDst;
    else transitions[i]! += std.offset - ruleStd;
    isdst = type.isdst;
  }
  const types = [
    { ...data.types[0]!, offset: std.offset, isdst: false },
    { ...data.types[1]!, offset: dst.offset, isdst: true },
  ];
  return { ...data, transitions, typeIndex, types };
}

/** tzset for a TZ value (undefined when unset). */
export function loadZone(tzValue: string | undefined, env: NodeJS.ProcessEnv = process.env): Zone {
  let tz = tzValue === '' ? 'Universal' : tzValue;
  if (tz?.startsWith(':')) tz = tz.slice(1);
  tz ??= TZDEFAULT;
  const data = readTzfile(tz, env);
  if (data !== null && data.types.length > 0) return { kind: 'file', data };
  if (tz === '' || tz === TZDEFAULT) return { kind: 'rules', rules: blankRules('UTC') };
  const taken: { first: TzData | null; later: TzData | null } = { first: null, later: null };
  const rules = parseTzString(tz, (std, dst) => {
    taken.first = defaultRules(std, dst, env, 0);
    taken.later = defaultRules(std, dst, env, dst.offset);
    return taken.first !== null;
  });
  return rules === null ? { kind: 'file', data: taken.first!, later: taken.later! } : { kind: 'rules', rules };
}

/** The zone the process's TZ names. */
export function zoneFromEnvironment(env: NodeJS.ProcessEnv = process.env): Zone {
  return loadZone(env.TZ, env);
}

const DAY = 86400;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** What __tzfile_compute / __tz_compute decide for a moment. */
interface Offset {
  /** Seconds east of UTC. */
  readonly gmtoff: number;
  /** Leap seconds inserted before the moment. */
  readonly correction: number;
  /** 1 (or more) when the moment is an inserted leap second itself: tm_sec reads 60. */
  readonly hit: number;
}

const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const leapsThroughEndOf = (y: number): number => floorDiv(y, 4) - floorDiv(y, 100) + floorDiv(y, 400);

/** __offtime for a time held exactly in a double. */
function offtime(t: number, offset: number): BrokenTime | null {
  let rem = t % DAY;
  let days = (t - rem) / DAY;
  rem += offset;
  while (rem < 0) {
    rem += DAY;
    days--;
  }
  while (rem >= DAY) {
    rem -= DAY;
    days++;
  }
  let y = 1970;
  while (days < 0 || days >= (isLeap(y) ? 366 : 365)) {
    const yg = y + Math.trunc(days / 365) - (days % 365 < 0 ? 1 : 0);
    days -= (yg - y) * 365 + leapsThroughEndOf(yg - 1) - leapsThroughEndOf(y - 1);
    y = yg;
  }
  return civil(y, days, rem);
}

const bigFloorDiv = (a: bigint, b: bigint): bigint => a / b - (a % b < 0n ? 1n : 0n);
const bigLeapsThroughEndOf = (y: bigint): bigint => bigFloorDiv(y, 4n) - bigFloorDiv(y, 100n) + bigFloorDiv(y, 400n);
const bigIsLeap = (y: bigint): boolean => y % 4n === 0n && (y % 100n !== 0n || y % 400n === 0n);

/** __offtime for any 64-bit time. */
function offtimeBig(t: bigint, offset: number): BrokenTime | null {
  const day = BigInt(DAY);
  let days = t / day;
  let rem = Number(t % day) + offset;
  while (rem < 0) {
    rem += DAY;
    days--;
  }
  while (rem >= DAY) {
    rem -= DAY;
    days++;
  }
  let y = 1970n;
  while (days < 0n || days >= (bigIsLeap(y) ? 366n : 365n)) {
    const yg = y + days / 365n - (days % 365n < 0n ? 1n : 0n);
    days -= (yg - y) * 365n + bigLeapsThroughEndOf(yg - 1n) - bigLeapsThroughEndOf(y - 1n);
    y = yg;
  }
  if (y - 1900n < BigInt(INT_MIN) || y - 1900n > BigInt(INT_MAX)) return null;
  return civil(Number(y), Number(days), rem);
}

function civil(y: number, yday: number, rem: number): BrokenTime | null {
  if (y - 1900 < INT_MIN || y - 1900 > INT_MAX) return null;
  const starts = MONTH_START[isLeap(y) ? 1 : 0];
  let m = 11;
  while (yday < starts[m]!) m--;
  return {
    year: y,
    month: m + 1,
    day: yday - starts[m]! + 1,
    hour: Math.trunc(rem / 3600),
    minute: Math.trunc((rem % 3600) / 60),
    second: rem % 60,
  };
}

const utcYear = (t: number | bigint): number | null => {
  const tm = typeof t === 'number' ? offtime(t, 0) : offtimeBig(t, 0);
  return tm === null ? null : tm.year;
};

/** The last index with transitions[i] <= t (the list is ascending and t is past the first). */
function lastAtOrBefore(transitions: readonly number[], t: number): number {
  let lo = 0;
  let hi = transitions.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (transitions[mid]! <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function fileOffset(data: TzData, t: number | bigint, footer: () => Rules | null): Offset {
  const approx = Number(t);
  const { transitions, typeIndex, types } = data;
  const last = transitions.length - 1;
  let gmtoff: number | undefined;
  let type: number;
  if (last < 0 || approx < transitions[0]!) {
    // Before any transition: the first standard-time type (or the first type).
    type = types.findIndex((x) => !x.isdst);
    if (type < 0) type = 0;
  } else if (approx >= transitions[last]!) {
    type = typeIndex[last]!;
    const rules = footer();
    const year = rules === null ? null : utcYear(t);
    if (rules !== null && year !== null) gmtoff = ruleOffset(rules, approx, year);
  } else type = typeIndex[lastAtOrBefore(transitions, approx)]!;
  gmtoff ??= types[type]!.offset;

  const leaps = data.leaps;
  let i = leaps.length - 1;
  while (i >= 0 && approx < leaps[i]!.transition) i--;
  if (i < 0) return { gmtoff, correction: 0, hit: 0 };
  let hit = 0;
  const leap = leaps[i]!;
  if (approx === leap.transition && (i === 0 ? leap.change > 0 : leap.change > leaps[i - 1]!.change)) {
    hit = 1;
    while (
      i > 0 &&
      leaps[i]!.transition === leaps[i - 1]!.transition + 1 &&
      leaps[i]!.change === leaps[i - 1]!.change + 1
    ) {
      hit++;
      i--;
    }
  }
  return { gmtoff, correction: leap.change, hit };
}

/** Converts Unix times in one zone, keeping the parsed footer rules. */
export class LocalTime {
  private footerRules: Rules | null | undefined;
  private calls = 0;

  constructor(readonly zone: Zone) {}

  /** Whether the next result is the one every later call for the same time gets too. */
  get settled(): boolean {
    return this.calls > 0 || this.zone.kind !== 'file' || this.zone.later === undefined;
  }

  /** localtime(&t); null where glibc returns NULL. */
  convert(t: number | bigint): BrokenTime | null {
    let offset: Offset;
    const zone = this.zone;
    if (zone.kind === 'file') {
      const data = this.calls++ > 0 && zone.later !== undefined ? zone.later : zone.data;
      offset = fileOffset(data, t, () => this.footer());
    }
    else {
      this.calls++;
      const year = utcYear(t);
      if (year === null) return null;
      offset = { gmtoff: ruleOffset(zone.rules, Number(t), year), correction: 0, hit: 0 };
    }
    const shift = offset.gmtoff - offset.correction;
    const tm = typeof t === 'number' ? offtime(t, shift) : offtimeBig(t, shift);
    if (tm === null || offset.hit === 0) return tm;
    return { ...tm, second: tm.second + offset.hit };
  }

  private footer(): Rules | null {
    if (this.footerRules === undefined) {
      const spec = this.zone.kind === 'file' ? this.zone.data.spec : null;
      this.footerRules = spec === null ? null : parseTzString(spec);
    }
    return this.footerRules;
  }
}
