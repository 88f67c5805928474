// When svscan scans: once at start, after an entry appears, goes or is renamed, and on the rescan
// timer; never for a file's contents changing. The rescan period is an hour here, so every scan
// after the first one below comes from the directory watch.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { ScanTrigger } from '../../../../src/lib/scan/trigger.js';

const HOUR = 3600 * 1000;
let dir: string;
let trigger: ScanTrigger | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svscan-trigger-'));
});

afterEach(() => {
  trigger?.close();
  trigger = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A trigger on `dir` counting its scans. */
function counting(): { scans: () => number } {
  let scans = 0;
  trigger = new ScanTrigger(() => scans++, { dir, rescanMs: HOUR, settleMs: 10 });
  trigger.start();
  return { scans: () => scans };
}

test('scans at once on start', () => {
  const { scans } = counting();
  expect(scans()).toBe(1);
});

test.each([
  ['a new directory', (d: string) => mkdirSync(join(d, 'new'))],
  ['a directory moved in', (d: string) => {
    const outside = mkdtempSync(join(tmpdir(), 'svscan-outside-'));
    renameSync(outside, join(d, 'moved'));
  }],
  ['a removed directory', (d: string) => rmSync(join(d, 'old'), { recursive: true })],
])('scans again after %s', async (_name, change) => {
  mkdirSync(join(dir, 'old'));
  const { scans } = counting();
  change(dir);
  await vi.waitFor(() => expect(scans()).toBeGreaterThan(1), { timeout: 5000, interval: 20 });
});

test('a file written over and over inside the scan directory is no reason to scan', async () => {
  writeFileSync(join(dir, 'notes'), 'x');
  const { scans } = counting();
  for (let i = 0; i < 20; i++) writeFileSync(join(dir, 'notes'), `x${i}`);
  // A directory created afterwards proves the watch is live; by then the writes were all seen.
  mkdirSync(join(dir, 'marker'));
  await vi.waitFor(() => expect(scans()).toBeGreaterThan(1), { timeout: 5000, interval: 20 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(scans()).toBe(2);
});

test('the rescan timer scans without any change', async () => {
  let scans = 0;
  trigger = new ScanTrigger(() => scans++, { dir, rescanMs: 30, settleMs: 10 });
  trigger.start();
  await vi.waitFor(() => expect(scans).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 10 });
});

test('nothing scans after close', async () => {
  const { scans } = counting();
  trigger!.close();
  mkdirSync(join(dir, 'new'));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(scans()).toBe(1);
});
