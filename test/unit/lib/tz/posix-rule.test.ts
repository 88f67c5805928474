import { expect, test } from 'vitest';
import { parseTzString } from '../../../../src/lib/tz/posix-parse.js';
import { computeChange, ruleOffset, type Rules } from '../../../../src/lib/tz/posix-rule.js';

const summary = (rules: Rules | null): unknown =>
  rules?.map((r) => [r.name, r.offset, r.kind, r.month, r.week, r.day, r.secs]);

test.each<[string, unknown]>([
  ['EST5EDT,M3.2.0,M11.1.0', [['EST', -18000, 'M', 3, 2, 0, 7200], ['EDT', -14400, 'M', 11, 1, 0, 7200]]],
  ['CET-1CEST,M3.5.0,M10.5.0/3', [['CET', 3600, 'M', 3, 5, 0, 7200], ['CEST', 7200, 'M', 10, 5, 0, 10800]]],
  ['<+0530>-5:30', [['+0530', 19800, 'J0', 0, 0, 0, 0], ['+0530', 19800, 'J0', 0, 0, 0, 0]]],
  ['ABC5DEF,J60/2,J300', [['ABC', -18000, 'J1', 0, 0, 60, 7200], ['DEF', -14400, 'J1', 0, 0, 300, 7200]]],
  ['ABC5DEF,59/-1:30,300', [['ABC', -18000, 'J0', 0, 0, 59, -5400], ['DEF', -14400, 'J0', 0, 0, 300, 7200]]],
  ['ABC+5:30:15DEF+4:00:99', [['ABC', -19815, 'M', 3, 2, 0, 7200], ['DEF', -14459, 'M', 11, 1, 0, 7200]]],
  ['XYZ99', [['XYZ', -86400, 'J0', 0, 0, 0, 0], ['XYZ', -86400, 'J0', 0, 0, 0, 0]]],
  // Failed parses keep what was read: the name, offset 0.
  ['Foo/Bar', [['Foo', 0, 'J0', 0, 0, 0, 0], ['', 0, 'J0', 0, 0, 0, 0]]],
  ['AB', [['', 0, 'J0', 0, 0, 0, 0], ['', 0, 'J0', 0, 0, 0, 0]]],
  // A bad month is kept in the rule it failed in; the DST rule is not read.
  ['ABC5DEF,M13.1.0,M2.1.0', [['ABC', -18000, 'M', 13, 1, 0, 0], ['DEF', -14400, 'J0', 0, 0, 0, 0]]],
])('parse %j', (tz, expected) => {
  expect(summary(parseTzString(tz))).toEqual(expected);
});

test('no DST rules: the hook may take over (glibc reads posixrules)', () => {
  expect(parseTzString('ABC5DEF', () => true)).toBeNull();
  expect(summary(parseTzString('ABC5DEF', () => false))?.toString()).toContain('M,3,2,0,7200');
});

test.each<[string, number, number, number]>([
  // rule string, year, rule index, change time (UTC)
  ['EST5EDT,M3.2.0,M11.1.0', 2021, 0, 1615705200],
  ['EST5EDT,M3.2.0,M11.1.0', 2021, 1, 1636264800],
  ['EST5EDT,M3.2.0,M11.1.0', 2024, 0, 1710054000],
  // Years up to 1970 count from 1970-01-01, whatever the year (glibc's compute_change).
  ['EST5EDT,J1/0,J365/0', 1969, 0, 18000],
  ['EST5EDT,J1/0,J365/0', 1900, 1, 31464000],
])('%s: change in %d for rule %d', (tz, year, which, change) => {
  const rules = parseTzString(tz)!;
  computeChange(rules[which as 0 | 1], year);
  expect(rules[which as 0 | 1].change).toBe(change);
});

test('southern hemisphere: DST spans the new year', () => {
  const rules = parseTzString('AAA-10BBB,M10.1.0,M4.1.0/3')!;
  expect(ruleOffset(rules, 1704067200, 2024)).toBe(39600); // January: DST
  expect(ruleOffset(rules, 1719792000, 2024)).toBe(36000); // July: standard
});
