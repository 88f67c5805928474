// 100 services with loggers (200 supervisors) re-adopted after svscan is SIGKILLed, three times:
// every pid unchanged each time, nothing said. The time from svscan's spawn to the last supervisor
// adopted (its ok FIFO has a reader) is printed beside the first start's, for the record only.
import { afterEach, beforeEach, expect, test } from 'vitest';
import { statusOf, supervised, sweep, track } from './adopt-harness.js';
import { killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const SERVICES = 100;
const ROUNDS = 3;
const SLEEP = '#!/bin/sh\nexec sleep 100000\n';

let box: ScanBox;
let dirs: string[] = [];
beforeEach(() => {
  box = new ScanBox();
});
afterEach(() => {
  killAll();
  sweep([], dirs);
  box.remove();
});

/** Polls until `probe` holds; the milliseconds since `since`. */
async function elapsed(since: number, what: string, probe: () => boolean): Promise<number> {
  await until(what, probe, 120000);
  return Date.now() - since;
}

test(`${SERVICES} services with loggers re-adopted after SIGKILL, ${ROUNDS} times`, async () => {
  const names = Array.from({ length: SERVICES }, (_, i) => `s${i}`);
  for (const name of names) box.service(name, SLEEP, { log: SLEEP });
  dirs = names.flatMap((n) => [box.path('svc', n), box.path('svc', n, 'log')]);
  const start = (): RunningSvscan => new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '5' });

  let t = Date.now();
  let svscan = start();
  const fresh = await elapsed(t, 'all started', () => dirs.every((d) => statusOf(d)?.pid && supervised(d)));
  const pids = dirs.map((d) => statusOf(d)!.pid);
  track(...pids);
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    svscan.signal('SIGKILL');
    await svscan.exited;
    t = Date.now();
    svscan = start();
    rounds.push(await elapsed(t, 'all adopted', () => dirs.every(supervised)));
    expect(dirs.map((d) => statusOf(d)?.pid)).toEqual(pids);
    expect(svscan.stderr).toBe('');
  }
  console.log(
    `adopt-scale: ${SERVICES} services + ${SERVICES} loggers: first start ${fresh} ms (spawn to all up); ` +
      `re-adoption after SIGKILL ${rounds.join(', ')} ms (spawn to all ${dirs.length} supervised)`,
  );
}, 600000);
