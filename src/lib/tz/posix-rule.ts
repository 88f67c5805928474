// The rules of a POSIX TZ string and when they apply, as glibc's tzset.c computes it, quirks
// included: years before 1971 count from 1970-01-01, and the year arithmetic is 32-bit.

export type RuleKind = 'J0' | 'J1' | 'M';

export interface Rule {
  name: string;
  kind: RuleKind;
  month: number;
  week: number;
  day: number;
  /** Time of day of the change, seconds. */
  secs: number;
  /** Seconds east of UTC. */
  offset: number;
  /** When this rule's zone starts, for `computedFor`. */
  change: number;
  computedFor: number;
}

/** tz_rules[0] is standard time, tz_rules[1] daylight time. */
export type Rules = [Rule, Rule];

const DAY = 86400;
export const MONTH_START = [
  [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365],
  [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366],
] as const;

export const isLeap = (y: number): boolean => y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);

function blankRule(name = ''): Rule {
  return { name, kind: 'J0', month: 0, week: 0, day: 0, secs: 0, offset: 0, change: 0, computedFor: 0 };
}

export function blankRules(name = ''): Rules {
  return [blankRule(name), blankRule(name)];
}

/** C's int arithmetic: wraps to 32 bits. */
const int = (n: number): number => n | 0;
const cdiv = (a: number, b: number): number => Math.trunc(a / b);

/** compute_change: when in `year` the rule's zone takes over (UTC seconds). */
export function computeChange(rule: Rule, year: number): void {
  if (year !== -1 && rule.computedFor === year) return;
  let t = 0;
  if (year > 1970) {
    const days = int(
      int(Math.imul(year - 1970, 365)) +
        (cdiv(year - 1, 4) - 492) -
        (cdiv(year - 1, 100) - 19) +
        (cdiv(year - 1, 400) - 4),
    );
    t = days * DAY;
  }
  const starts = MONTH_START[isLeap(year) ? 1 : 0];
  switch (rule.kind) {
    case 'J1':
      t += (rule.day - 1) * DAY;
      if (rule.day >= 60 && isLeap(year)) t += DAY;
      break;
    case 'J0':
      t += rule.day * DAY;
      break;
    case 'M': {
      // A rule that failed to parse may hold a month out of range; C reads past the table there.
      t += (starts[rule.month - 1] ?? 0) * DAY;
      // Zeller's congruence: the weekday of the month's first day.
      const m1 = ((rule.month + 9) % 12) + 1;
      const yy0 = rule.month <= 2 ? year - 1 : year;
      const yy1 = cdiv(yy0, 100);
      const yy2 = yy0 % 100;
      let dow = (cdiv(26 * m1 - 2, 10) + 1 + yy2 + cdiv(yy2, 4) + cdiv(yy1, 4) - 2 * yy1) % 7;
      if (dow < 0) dow += 7;
      let d = rule.day - dow;
      if (d < 0) d += 7;
      const monthLength = (starts[rule.month] ?? 0) - (starts[rule.month - 1] ?? 0);
      for (let i = 1; i < rule.week; i++) {
        if (d + 7 >= monthLength) break;
        d += 7;
      }
      t += d * DAY;
      break;
    }
  }
  rule.change = t - rule.offset + rule.secs;
  rule.computedFor = year;
}

/** __tz_compute: the offset in force at `timer` in `year` (the UTC year of `timer`). */
export function ruleOffset(rules: Rules, timer: number, year: number): number {
  computeChange(rules[0], year);
  computeChange(rules[1], year);
  const [std, dst] = rules;
  const isdst =
    std.change > dst.change ? timer < dst.change || timer >= std.change : timer >= std.change && timer < dst.change;
  return rules[isdst ? 1 : 0].offset;
}
