// localtime(3) as glibc computes it, so tai64nlocal prints what C's does for any TZ: transitions
// of a zone file, its rule string past the last one, leap seconds of "right/" zones (a leap second
// reads :60), and null where glibc returns NULL.
import { offtime, offtimeBig, utcYear, type BrokenTime } from './offtime.js';
import { parseTzString } from './posix-parse.js';
import { ruleOffset, type Rules } from './posix-rule.js';
import type { TzData } from './tzif.js';
import type { Zone } from './zone.js';

export type { BrokenTime } from './offtime.js';
export { loadZone, zoneFromEnvironment, type Zone } from './zone.js';

/** What __tzfile_compute / __tz_compute decide for a moment. */
interface Offset {
  /** Seconds east of UTC. */
  readonly gmtoff: number;
  /** Leap seconds inserted before the moment. */
  readonly correction: number;
  /** 1 (or more) when the moment is an inserted leap second itself: tm_sec reads 60. */
  readonly hit: number;
}

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
