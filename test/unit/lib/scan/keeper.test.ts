import { expect, test } from 'vitest';
import { PipeKeeper, type KeeperSystem } from '../../../../src/lib/scan/keeper.js';

/** A system that logs what the keeper asks of it. */
function fakeSystem(options: { stale?: number[]; failSpawns?: number } = {}): KeeperSystem & { log: string[] } {
  let next = 100;
  let failures = options.failSpawns ?? 0;
  const log: string[] = [];
  return {
    log,
    spawn(fds) {
      if (failures > 0) {
        failures--;
        log.push(`spawn ${fds.join(',')} failed`);
        throw new Error('EAGAIN');
      }
      log.push(`spawn ${fds.join(',')} -> ${++next}`);
      return next;
    },
    sweepStale: (found) => {
      log.push('stale?');
      for (const pid of options.stale ?? []) found(pid);
    },
    kill: (pid) => void log.push(`kill ${pid}`),
  };
}

test.each<[string, { stale?: number[]; failSpawns?: number }, Array<number[] | 'close'>, string[]]>([
  ['the first scan starts a keeper, then ends those of dead svscans', { stale: [7, 8] }, [[5, 3]], ['spawn 5,3 -> 101', 'stale?', 'kill 7', 'kill 8']],
  ['the same pipes: the keeper stays', {}, [[3, 5], [5, 3]], ['spawn 3,5 -> 101', 'stale?']],
  ['a new pipe: a new keeper, then the old one ends', {}, [[3], [3, 5]], ['spawn 3 -> 101', 'stale?', 'spawn 3,5 -> 102', 'kill 101']],
  ['no pipe left: no keeper', {}, [[3], []], ['spawn 3 -> 101', 'stale?', 'kill 101']],
  ['no pipe at all: none started, stale ones still end', { stale: [9] }, [[]], ['stale?', 'kill 9']],
  ['a keeper that cannot start is tried again on the next scan', { failSpawns: 1 }, [[3], [3]], ['spawn 3 failed', 'stale?', 'spawn 3 -> 101']],
  ['svscan brings everything down: the keeper ends', {}, [[3], 'close'], ['spawn 3 -> 101', 'stale?', 'kill 101']],
])('%s', (_name, options, steps, expected) => {
  const sys = fakeSystem(options);
  const keeper = new PipeKeeper(sys);
  for (const step of steps) {
    if (step === 'close') keeper.close();
    else keeper.hold(step);
  }
  expect(sys.log).toEqual(expected);
});
