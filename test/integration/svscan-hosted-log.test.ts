// Loggers under our svscan are stubs: the process a C multilog would be (pid, identity, stdin),
// a megabyte or two of memory, while the engine runs in svscan. What a script could notice stays
// as with C: the files, their owners and modes, svc's effect, every line logged.
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { IS_ROOT, ours } from '../helpers/paths.js';
import { othersCanReach, UNREACHABLE_REASON } from '../helpers/reachable.js';
import { killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

const LINES = 300;
const service = `#!/bin/sh\ni=0\nwhile [ $i -lt ${LINES} ]; do i=$((i+1)); echo "line $i"; done\nexec sleep 100000\n`;

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);
}

test.skipIf(process.platform !== 'linux' || !IS_ROOT)('a logger started as nobody is a stub; its files are nobody\'s; nothing is lost across svc -t', async ({ skip }) => {
  // setuidgid nobody execs our bin/multilog, and it starts as nobody from the checkout.
  skip(!othersCanReach(ours('multilog')), UNREACHABLE_REASON);
  const box = new ScanBox();
  boxes.push(box);
  chmodSync(box.root, 0o755); // nobody must reach the log directory, as with C
  const dir = box.service('s', service, { log: '#!/bin/sh\nexec setuidgid nobody multilog t ./main\n' });
  const main = box.path('svc', 's', 'log', 'main');
  mkdirSync(main);
  chownSync(main, 65534, 65534);
  const scan = new RunningSvscan('ours', box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });

  const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
  const current = `${main}/current`;
  await until('every line logged', () => box.lines('svc/s/log/main/current').length === LINES || undefined);
  // The logger is our launcher, not a Node process.
  expect(readlinkSync(`/proc/${logger}/exe`).replace(/ \(deleted\)$/, '')).toBe(ours('multilog'));
  expect(rssKb(logger)).toBeLessThan(8 * 1024);
  for (const file of ['current', 'lock', 'state']) expect(statSync(`${main}/${file}`)).toMatchObject({ uid: 65534, gid: 65534 });
  expect(statSync(current).mode & 0o777).toBe(0o644);
  const lines = box.lines('svc/s/log/main/current');
  expect(lines.map((l) => l.replace(/^@[0-9a-f]{24} /, ''))).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i + 1}`));

  // svc -t: the stub ends, supervise starts a new one, which takes the lock again.
  execFileSync(ours('svc'), ['-t', `${dir}/log`]);
  const next = await until('a new logger', () => {
    const pid = box.pid(`${dir}/log`);
    return pid && pid !== logger ? pid : undefined;
  });
  execFileSync(ours('svc'), ['-a', `${dir}/log`]); // rotate: current becomes an @ file
  await until('rotated', () => box.lines('svc/s/log/main/current').length === 0 || undefined);
  expect(scan.stderr).toBe('');
  expect(next).not.toBe(logger);
});
