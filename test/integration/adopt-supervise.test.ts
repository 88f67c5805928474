// A standalone supervise killed with SIGKILL and started again: the ./run still running is
// adopted (same pid, same status stamp, svc acts on it), one that died meanwhile is started as its
// last want says, a process that is not provably ours is left alone, and only one supervise ever
// holds the directory.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { procStart } from '../../src/lib/supervise/owner.js';
import { HAVE_C } from '../helpers/paths.js';
import { marked, procState, ppid, Standalone, statusBytes, statusOf, sweep, track, whenSupervised } from './adopt-harness.js';
import { alive, client, ScanBox, svstatShape, until, type Side } from './svscan-harness.js';

let box: ScanBox;
let marker: string;
let dir: string;
beforeEach(() => {
  box = new ScanBox();
  marker = `adopt-${randomBytes(6).toString('hex')}`;
  dir = box.path('svc', 'a');
});
afterEach(() => {
  sweep([marker], [dir], [box.root]);
  box.remove();
});

/** A ./run that sleeps, found by the marker in its argv; `perl` is run before the sleep. */
const run = (perl = ''): string => `#!/bin/sh\nexec perl -e '${perl}sleep 1000' ${marker}\n`;

/**
 * Starts supervise on svc/a and waits for ./run to be running (the recorded pid showing the marker:
 * recorded, it may still be the gate or the shell); returns the supervise and the pid.
 */
async function supervise(): Promise<[Standalone, number]> {
  const sup = new Standalone(box.root, 'svc/a');
  const running = (): number | undefined => {
    const pid = statusOf(dir)?.pid;
    return pid && marked(marker).includes(pid) ? pid : undefined;
  };
  const pid = await until('a up', running, 20000, () => sup.stderr);
  track(pid);
  return [sup, pid];
}

/** Kills the supervise and starts another, which has decided once its ok FIFO has a reader. */
async function restart(sup: Standalone): Promise<Standalone> {
  await sup.kill();
  const next = new Standalone(box.root, 'svc/a');
  await whenSupervised(dir, () => next.stderr);
  return next;
}

const svc = (side: Side, ...args: string[]): void => {
  expect(client(side, 'svc', [...args, 'svc/a'], box.root).status).toBe(0);
};

describe('adopted', () => {
  test('the same process, the status left as it was, no second instance, nothing said', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    const before = statusBytes(dir);
    const owner = readFileSync(`${dir}/supervise/owner`, 'latin1');
    expect(owner).toMatch(new RegExp(`^pid ${pid}\nstart ${procStart(pid)!.ticks}\nboot [0-9a-f-]{36}\nstamp @[0-9a-f]{24}\n$`));
    const second = await restart(first);
    expect(statusBytes(dir)).toEqual(before);
    expect(before.length).toBe(18);
    expect(marked(marker)).toEqual([pid]);
    expect(readFileSync(`${dir}/supervise/owner`, 'latin1')).toBe(owner);
    expect(client('ours', 'svstat', ['svc/a'], box.root).stdout).toMatch(new RegExp(`^svc/a: up \\(pid ${pid}\\) [0-9]+ seconds\n$`));
    expect(second.stderr).toBe('');
  });

  test.skipIf(!HAVE_C)("C's svstat reads it the same", async () => {
    box.service('a', run());
    const [first] = await supervise();
    await restart(first);
    const [c, ours] = (['c', 'ours'] as const).map((side) => client(side, 'svstat', ['svc/a'], box.root));
    expect(c!.status).toBe(ours!.status);
    expect(svstatShape(c!.stdout)).toEqual(svstatShape(ours!.stdout));
    expect(svstatShape(ours!.stdout)).toEqual(['svc/a: up (pid N) S seconds']);
  });

  test('paused before the crash: still stopped, still reported paused, svc -c continues it', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    svc('ours', '-p');
    await until('stopped', () => procState(pid) === 'T');
    await restart(first);
    expect(statusOf(dir)).toMatchObject({ pid, paused: true, want: 'up' });
    expect(client('ours', 'svstat', ['svc/a'], box.root).stdout).toMatch(/, paused\n$/);
    svc('ours', '-c');
    await until('running again', () => procState(pid) === 'S');
    expect(statusOf(dir)).toMatchObject({ pid, paused: false });
  });

  const sides: Side[] = HAVE_C ? ['ours', 'c'] : ['ours'];
  describe.each(sides)('svc (%s) acts on it', (side) => {
    test.each([['-t'], ['-k']])('%s: it ends and a new ./run starts', async (flag) => {
      box.service('a', run());
      const [first, pid] = await supervise();
      const second = await restart(first);
      svc(side, flag);
      const next = await until('a new pid', () => [statusOf(dir)?.pid ?? 0].find((p) => p !== 0 && p !== pid), 20000, () => second.stderr);
      track(next);
      expect(alive(pid)).toBe(false);
      await until('one instance, the new one', () => marked(marker).join() === String(next));
    });

    test('-d: it ends and stays down', async () => {
      box.service('a', run());
      const [first, pid] = await supervise();
      await restart(first);
      svc(side, '-d');
      await until('down', () => statusOf(dir)?.pid === 0);
      expect(alive(pid)).toBe(false);
      expect(statusOf(dir)).toMatchObject({ pid: 0, want: 'down' });
    });

    test('-p, then -c', async () => {
      box.service('a', run());
      const [first, pid] = await supervise();
      await restart(first);
      svc(side, '-p');
      await until('stopped', () => procState(pid) === 'T');
      svc(side, '-c');
      await until('running', () => procState(pid) === 'S');
    });

    test('-dx: it ends, supervise exits 0 and forgets it (supervise/owner removed)', async () => {
      box.service('a', run());
      const [first, pid] = await supervise();
      const second = await restart(first);
      svc(side, '-dx');
      expect(await second.exited).toEqual({ code: 0, signal: null });
      expect(alive(pid)).toBe(false);
      expect(() => readFileSync(`${dir}/supervise/owner`)).toThrow(/ENOENT/);
    });
  });
});

describe('ended while nobody supervised it', () => {
  // Each row: perl run before the sleep, the down file, svc before the crash, whether ./run starts again.
  test.each<[string, string, boolean, string[], boolean]>([
    ['wanted up: started again', '', false, [], true],
    ['a down file, but svc -u: started again (the last want)', '', true, ['-u'], true],
    ['wanted down (svc -d, TERM ignored): stays down', '$SIG{TERM}="IGNORE";', false, ['-d'], false],
    ['svc -o: not started again', '', false, ['-o'], false],
  ])('%s', async (_name, perl, down, before, startsAgain) => {
    box.service('a', run(perl), { down });
    const first = new Standalone(box.root, 'svc/a');
    await whenSupervised(dir);
    const want = { '-u': 'up', '-d': 'down', '-o': 'none' } as const;
    for (const flag of before) {
      svc('ours', flag);
      // Read after the second's pause that follows a start: wait until it is in the status.
      await until(`svc ${flag} taken`, () => statusOf(dir)?.want === want[flag as keyof typeof want]);
    }
    const pid = await until('a up', () => statusOf(dir)?.pid || undefined);
    track(pid);
    await first.kill();
    process.kill(pid, 'SIGKILL');
    await until('gone', () => !alive(pid));
    const second = new Standalone(box.root, 'svc/a');
    await whenSupervised(dir);
    if (startsAgain) {
      const next = await until('started again', () => [statusOf(dir)?.pid ?? 0].find((p) => p !== 0 && p !== pid));
      track(next);
      await until('one instance, the new one', () => marked(marker).join() === String(next));
    } else {
      // ./run starts, if at all, in the same turn that opens supervise/ok: by now it would show.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(statusOf(dir)?.pid).toBe(0);
      expect(marked(marker)).toEqual([]);
    }
    expect(second.stderr).toBe('');
  });

  test.each([
    ['in this boot: the last want (down) holds', false, 0],
    ['in another boot: C\'s start, from the (missing) down file', true, 1],
  ])('svc -d, then supervise killed, %s', async (_name, otherBoot, instances) => {
    box.service('a', run());
    const [first, pid] = await supervise();
    svc('ours', '-d');
    await until('down', () => !alive(pid) && statusOf(dir)?.pid === 0);
    await first.kill();
    if (otherBoot) {
      const owner = readFileSync(`${dir}/supervise/owner`, 'latin1');
      writeFileSync(`${dir}/supervise/owner`, owner.replace(/^boot .*$/m, 'boot 00000000-1111-2222-3333-444444444444'));
    }
    new Standalone(box.root, 'svc/a');
    await whenSupervised(dir);
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const p of marked(marker)) track(p);
    expect(marked(marker).length).toBe(instances);
  });

  test('after svc -dx (a clean end), C\'s start: want up again, from the missing down file', async () => {
    box.service('a', run());
    const [first] = await supervise();
    svc('ours', '-dx');
    await first.exited;
    expect(statusOf(dir)).toMatchObject({ pid: 0, want: 'down' });
    await supervise();
  });
});

describe('not adopted', () => {
  test('a live process at the recorded pid with another start time (a reused pid) is left alone', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    await first.kill();
    process.kill(pid, 'SIGKILL');
    await until('gone', () => !alive(pid));
    // Another process now "has" the recorded pid, as after pid reuse: the start time differs.
    const owner = readFileSync(`${dir}/supervise/owner`, 'latin1');
    const stranger = spawn('perl', ['-e', 'sleep 1000', marker], { stdio: 'ignore', detached: true });
    track(stranger.pid!);
    writeFileSync(`${dir}/supervise/owner`, owner.replace(/^pid .*$/m, `pid ${stranger.pid}`));
    const status = statusBytes(dir);
    status.writeUInt32LE(stranger.pid!, 12);
    writeFileSync(`${dir}/supervise/status`, status);
    const second = new Standalone(box.root, 'svc/a');
    const next = await until('a fresh ./run', () => [statusOf(dir)?.pid ?? 0].find((p) => p !== 0 && p !== stranger.pid), 20000, () => second.stderr);
    track(next);
    await until('two instances: the stranger and ours', () => marked(marker).length === 2);
    expect(marked(marker).sort()).toEqual([stranger.pid!, next].sort());
    svc('ours', '-t');
    await until('restarted', () => ![0, next].includes(statusOf(dir)?.pid ?? 0));
    expect(alive(stranger.pid!)).toBe(true);
    expect(second.stderr).toBe('');
  });

  test('a record without a start time (as written where /proc is missing): not adopted, with a warning', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    await first.kill();
    const owner = readFileSync(`${dir}/supervise/owner`, 'latin1');
    writeFileSync(`${dir}/supervise/owner`, owner.replace(/^start .*$/m, 'start -').replace(/^boot .*$/m, 'boot -'));
    const second = new Standalone(box.root, 'svc/a');
    const next = await until('a second ./run', () => [statusOf(dir)?.pid ?? 0].find((p) => p !== 0 && p !== pid));
    track(next);
    expect(second.stderr).toBe(`supervise: warning: unable to adopt pid ${pid} for svc/a, starting svc/a/run again: system call not available\n`);
    await until('two instances', () => marked(marker).length === 2);
  });

  test('no record (a C supervise ran here before): started as C would', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    await first.kill();
    rmSync(`${dir}/supervise/owner`);
    new Standalone(box.root, 'svc/a');
    const next = await until('a second ./run', () => [statusOf(dir)?.pid ?? 0].find((p) => p !== 0 && p !== pid));
    track(next);
    await until('two instances', () => marked(marker).length === 2);
    expect(marked(marker).sort()).toEqual([pid, next].sort());
  });
});

describe('one supervise per directory', () => {
  test('a second one meets the lock; after the first is killed the next takes the lock, then adopts', async () => {
    box.service('a', run());
    const [first, pid] = await supervise();
    const locked = new Standalone(box.root, 'svc/a');
    expect(await locked.exited).toEqual({ code: 111, signal: null });
    expect(locked.stderr).toBe('supervise: fatal: unable to acquire svc/a/supervise/lock: temporary failure\n');
    const next = await restart(first);
    expect(marked(marker)).toEqual([pid]);
    const again = new Standalone(box.root, 'svc/a');
    expect(await again.exited).toEqual({ code: 111, signal: null });
    expect(next.stderr).toBe('');
  });
});

describe('its record', () => {
  test('cannot be written: a warning, and the service runs all the same', async () => {
    box.service('a', run());
    mkdirSync(`${dir}/supervise/owner.new`, { recursive: true });
    const [sup] = await supervise();
    await until('the warning', () => sup.stderr !== '');
    expect(sup.stderr).toBe('supervise: warning: unable to write svc/a/supervise/owner.new: is a directory\n');
  });
});

describe('a subreaper', () => {
  test('what ./run double-forks away is reparented to supervise and reaped there', async () => {
    box.service('a', `#!/bin/sh\n(perl -e 'sleep 1000' ${marker}-orphan &)\nexec perl -e 'sleep 1000' ${marker}\n`);
    const [sup] = await supervise();
    const orphan = await until('the orphan', () => marked(`${marker}-orphan`)[0]);
    track(orphan);
    expect(ppid(orphan)).toBe(sup.pid);
    process.kill(orphan, 'SIGKILL');
    await until('reaped, not a zombie', () => procState(orphan) === '');
  });
});
