// glibc's __offtime: a time and an offset east of UTC to year, month, day and time of day, with
// the year kept to what an int holds (null beyond, as glibc's EOVERFLOW).
import { isLeap, MONTH_START } from './posix-rule.js';

/** The broken-down time tai64nlocal prints. `year` is tm_year + 1900 (not yet wrapped to int). */
export interface BrokenTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

const DAY = 86400;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

const floorDiv = (a: number, b: number): number => Math.floor(a / b);
const leapsThroughEndOf = (y: number): number => floorDiv(y, 4) - floorDiv(y, 100) + floorDiv(y, 400);

/** __offtime for a time held exactly in a double. */
export function offtime(t: number, offset: number): BrokenTime | null {
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
export function offtimeBig(t: bigint, offset: number): BrokenTime | null {
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

export const utcYear = (t: number | bigint): number | null => {
  const tm = typeof t === 'number' ? offtime(t, 0) : offtimeBig(t, 0);
  return tm === null ? null : tm.year;
};
