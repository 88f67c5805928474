// top's table: sizes, alignment, the last column cut to the terminal's width.
import { expect, test } from 'vitest';
import { bytes, lines, type TopRow } from '../../../src/cli/daemontools/top-view.js';
import { cpuPercent } from '../../../src/lib/door/proctree.js';

test.each([[0, '0K'], [2048, '2K'], [3.5 * 1024 * 1024, '3.5M'], [2 * 1024 ** 3, '2.00G']])('bytes(%d) = %s', (n, text) => expect(bytes(n)).toBe(text));

test('aligned columns; long last lines cut to the width', () => {
  const row = (name: string, last: string): TopRow => ({ name, state: 'up', pid: 42, seconds: 75, restarts: 2, cpu: 1.25, rss: 5 * 1024 * 1024, last });
  expect(lines([row('web', 'GET /'), row('worker-1', 'x'.repeat(200))], 80)).toEqual([
    'SERVICE   STATE  PID  UPTIME  RESTARTS  CPU%  MEM   LAST LOG LINE',
    'web       up     42   1m15s   2         1.3   5.0M  GET /',
    `worker-1  up     42   1m15s   2         1.3   5.0M  ${'x'.repeat(80 - 52)}`,
  ]);
});

test('CPU percent of one CPU from two samples (100 ticks a second)', () => {
  expect(cpuPercent({ ticks: 100, at: 0 }, { ticks: 150, at: 1000 })).toBe(50);
  expect(cpuPercent({ ticks: 100, at: 0 }, { ticks: 100, at: 0 })).toBe(0);
});
