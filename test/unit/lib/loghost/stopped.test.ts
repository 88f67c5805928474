// Whether a stub is stopped, as the kernel says: for our child (waitid) and for a process that is
// not our child (an adopted logger: its /proc state); its continue only wakes who waits.
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { procStat } from '../../../../src/lib/proc-stat.js';
import { stubStops } from '../../../../src/lib/loghost/stopped.js';
import { native } from '../../../../src/native/index.js';

const n = native();

async function until(probe: () => boolean): Promise<void> {
  while (!probe()) await new Promise((resolve) => setTimeout(resolve, 10));
}

const kinds = [
  { kind: 'our child', ours: true, start: () => n.spawn('/bin/sleep', ['sleep', '30'], [], { ignore: [], mask: [], rlimits: [], fds: [] }).pid },
  { kind: 'not our child', ours: false, start: () => Number(spawnSync('/bin/sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'latin1' }).stdout.trim()) },
];

test.skipIf(process.platform !== 'linux').each(kinds)('$kind: stopped while SIGSTOP holds it, not once continued', async ({ ours, start }) => {
  const pid = start();
  try {
    const stops = stubStops(n, pid);
    expect(stops.stopped()).toBe(false);
    process.kill(pid, 'SIGSTOP');
    await until(() => procStat(pid)?.(3) === 'T');
    expect(stops.stopped()).toBe(true);
    expect(stops.stopped()).toBe(true); // asking leaves the stop to be asked about again
    const woken: string[] = [];
    const cancel = stops.onContinue(() => woken.push('a'));
    stops.onContinue(() => woken.push('b'));
    cancel();
    process.kill(pid, 'SIGCONT');
    await until(() => procStat(pid)?.(3) !== 'T');
    expect(stops.stopped()).toBe(false);
    stops.continued();
    expect(woken).toEqual(['b']);
  } finally {
    process.kill(pid, 'SIGKILL');
  }
  if (ours) expect(n.waitpid(pid, 0)).toMatchObject({ pid, signal: 9 }); // the exit was left for waitpid
});
