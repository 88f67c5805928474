// bench/lib/trust.mjs: when `npm run bench -- --write` may write BENCHMARKS.md, and which figures
// are marked for their spread (bench/lib/stats.mjs prints the mark, report.mjs explains it).
import { describe, expect, test } from 'vitest';
// @ts-expect-error plain .mjs without types
import { MAX_LOAD, SPREAD_MARK, refuseAfter, refuseBefore, spreadTooWide } from '../../bench/lib/trust.mjs';
// @ts-expect-error plain .mjs without types
import { fmt } from '../../bench/lib/stats.mjs';
// @ts-expect-error plain .mjs without types
import { group, markdownTable, textTable } from '../../bench/lib/report.mjs';

const all = ['startup', 'memory', 'logging'];

describe('refuseBefore', () => {
  test.each([
    ['a full run on a quiet machine', { quick: false, only: all }, 0.4, null],
    ['--quick', { quick: true, only: all }, 0.4, /--quick run is not written/],
    ['some groups', { quick: false, only: ['startup'] }, 0.4, /--only startup\) is not written/],
    ['a busy machine', { quick: false, only: all }, MAX_LOAD, /load average 1\.50 at the start .* not below 1\.5/],
  ])('%s', (_, opts, load, why) => {
    const got = refuseBefore({ ...opts, all }, load);
    if (why === null) expect(got).toBeNull();
    else expect(got).toMatch(why);
  });
});

test.each([
  [1.49, null],
  [1.5, /load average 1\.50 at the end/],
  [7, /load average 7\.00 at the end/],
])('refuseAfter(%s)', (load, why) => {
  const got = refuseAfter(load);
  if (why === null) expect(got).toBeNull();
  else expect(got).toMatch(why);
});

test.each([
  [{ median: 5, min: 4.5, max: 6, n: 5 }, false, '5.00 ms (4.50–6.00)'],
  [{ median: 5, min: 4, max: 5.6, n: 5 }, true, `5.00 ms (4.00–5.60) ${SPREAD_MARK}`],
  [{ median: 5, min: 5, max: 5, n: 3 }, false, '5.00 ms (5.00–5.00)'],
  [{ median: 5, min: 5, max: 5, n: 1 }, false, '5.00 ms'],
])('%o: marked %s, printed %s', (stats, marked, text) => {
  expect(spreadTooWide(stats)).toBe(marked);
  expect(fmt(stats, 'ms')).toBe(text);
});

test('a table with a marked cell says under it what the mark means; one without does not', () => {
  const g = group('t', ['ours']);
  g.rows.push({ figure: 'a', cells: { ours: fmt({ median: 10, min: 5, max: 20, n: 3 }, 'ms') } });
  expect(textTable(g)).toContain(`* ${SPREAD_MARK} spread over 30 %`);
  expect(markdownTable(g)).toContain(`- ${SPREAD_MARK} spread over 30 %`);
  g.rows[0].cells.ours = fmt({ median: 10, min: 9, max: 11, n: 3 }, 'ms');
  expect(textTable(g)).not.toContain('spread over');
});
