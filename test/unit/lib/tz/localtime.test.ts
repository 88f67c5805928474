// localtime() as glibc 2.36 computes it; the expectations were printed by C's tai64nlocal (the
// golden test in test/integration/tai64nlocal.test.ts checks many more against it live).
import { existsSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { dateText } from '../../../../src/lib/tai64n-local.js';
import { LocalTime, loadZone } from '../../../../src/lib/tz/localtime.js';

const HAVE_ZONEINFO = existsSync('/usr/share/zoneinfo/right/UTC');

describe.runIf(HAVE_ZONEINFO)('as C prints it', () => {
  // TZ, Unix time, what tai64nlocal prints before the nanoseconds (null: C crashes)
  test.each<[string, number | bigint, string | null]>([
  ["UTC", 0, '1970-01-01 00:00:00.'],
  ["UTC", -1, '1969-12-31 23:59:59.'],
  ["UTC", 951782400, '2000-02-29 00:00:00.'],
  ["UTC", 4102444800, '2100-01-01 00:00:00.'],
  ["America/New_York", 1636264799, '2021-11-07 01:59:59.'],
  ["America/New_York", 1636264800, '2021-11-07 01:00:00.'],
  ["America/New_York", 1615705199, '2021-03-14 01:59:59.'],
  ["America/New_York", 1615705200, '2021-03-14 03:00:00.'],
  ["America/New_York", -2717650000, '1883-11-18 12:13:20.'],
  ["America/New_York", 4133980800, '2100-12-31 19:00:00.'],
  ["Europe/Berlin", 1711846800, '2024-03-31 03:00:00.'],
  ["Australia/Lord_Howe", 1712415600, '2024-04-07 01:30:00.'],
  ["America/Sao_Paulo", 1000000000, '2001-09-08 22:46:40.'],
  ["right/UTC", 1483228825, '2016-12-31 23:59:59.'],
  ["right/UTC", 1483228826, '2016-12-31 23:59:60.'],
  ["right/UTC", 1483228827, '2017-01-01 00:00:00.'],
  ["EST5EDT,M3.2.0,M11.1.0", 1636264800, '2021-11-07 01:00:00.'],
  ["<+0530>-5:30", 0, '1970-01-01 05:30:00.'],
  ["XYZ-3", 86399, '1970-01-02 02:59:59.'],
  ["", 1234567890, '2009-02-13 23:31:30.'],
  ["Foo/Bar", 1234567890, '2009-02-13 23:31:30.'],
  ["ABC5DEF,J60/2,J300", 1709272800, '2024-03-01 01:00:00.'],
  ["ABC5DEF,59/2,300", 1709186400, '2024-02-29 01:00:00.'],
  ["AAA-10BBB,M10.1.0,M4.1.0/3", 1700000000, '2023-11-15 09:13:20.'],
  ["UTC", -62135596800, '1-01-01 00:00:00.'],
  ["UTC", 253402300800, '10000-01-01 00:00:00.'],
  ["UTC", 67767976233532799n, '2147483647-12-31 23:59:59.'],
  ["UTC", -67768040609740800n, '18446744071562069868-01-01 00:00:00.'],
  ["UTC", 67767976233532800n, '18446744071562067968-01-01 00:00:00.'],
  ["America/New_York", -67768040609740800n, null],
  ["right/UTC", 67767976233532799n, '2147483647-12-31 23:59:32.'],
  ])('TZ=%j at %d', (tz, t, expected) => {
    const tm = new LocalTime(loadZone(tz, {})).convert(t);
    expect(tm === null ? null : dateText(tm)).toBe(expected);
  });
});

describe('zone selection, as tzset', () => {
  test.each<[string, string | undefined, string]>([
    ['unset: /etc/localtime, else UTC', undefined, 'either'],
    ['empty: UTC', '', 'rules-or-file'],
    ['":" then nothing: UTC rules', ':', 'rules'],
    ['a rule string', 'XYZ-3', 'rules'],
    ['no such file, read as rules', 'No/Such_Zone', 'rules'],
  ])('%s', (_name, tz, kind) => {
    const zone = loadZone(tz, { TZDIR: '/nonexistent' });
    if (kind === 'rules') expect(zone.kind).toBe('rules');
    else expect(['rules', 'file']).toContain(zone.kind);
  });

  test('TZDIR is where relative names are looked up', () => {
    expect(loadZone('UTC', { TZDIR: '/nonexistent' }).kind).toBe('rules');
    if (HAVE_ZONEINFO) expect(loadZone('UTC', { TZDIR: '/usr/share/zoneinfo' }).kind).toBe('file');
  });

  test('a rule string offset is east-positive after the POSIX sign flip', () => {
    const lt = new LocalTime(loadZone('XYZ-3', {}));
    expect(lt.convert(0)).toEqual({ year: 1970, month: 1, day: 1, hour: 3, minute: 0, second: 0 });
  });
});

describe.runIf(existsSync('/usr/share/zoneinfo/posixrules'))('a DST name without rules takes posixrules', () => {
  // glibc moves posixrules' transitions by the DST offset on the first call only (its daylight
  // rule offset starts at 0 and keeps the last call's value afterwards).
  const fallBack2021 = 1636264800; // 2021-11-07 06:00 UTC, New York's change
  test('first call and later calls differ, as in glibc', () => {
    const lt = new LocalTime(loadZone('XXX-8YYY', {}));
    expect(lt.settled).toBe(false);
    const first = lt.convert(fallBack2021 + 3600);
    expect(lt.settled).toBe(true);
    const later = lt.convert(fallBack2021 + 3600);
    expect(first && dateText(first)).toBe('2021-11-07 16:00:00.');
    expect(later && dateText(later)).toBe('2021-11-07 15:00:00.');
  });
});
