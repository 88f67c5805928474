// Our svscan side by side with C's: the same trees driven by C's svc, read by C's svstat and svok,
// the same words on stderr, the same end on each signal, and each locking the other out.
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HAVE_C } from '../helpers/paths.js';
import { alive, client, killAll, program, RunningSvscan, ScanBox, svstatShape, until, type Side } from '../integration/svscan-harness.js';

const SLEEP = '#!/bin/sh\nexec sleep 1000\n';
const SIDES: readonly Side[] = ['c', 'ours'];

let boxes: ScanBox[] = [];
function newBox(): ScanBox {
  const box = new ScanBox();
  boxes.push(box);
  return box;
}
beforeEach(() => {
  boxes = [];
});
afterEach(() => {
  killAll();
  for (const box of boxes) box.remove();
});

describe.skipIf(!HAVE_C)('svscan side by side with C svscan', () => {
  test('./run gets the environment as bytes, a value that is not UTF-8 included', async () => {
    const seen = await Promise.all(
      SIDES.map(async (side) => {
        const box = newBox();
        box.service('a', '#!/bin/sh\nprintf "%s|" "$X" "$LANG" > seen\nexec sleep 1000\n');
        const wrap = ['/bin/sh', '-c', `export X="$(printf 'x\\377y\\351')" LANG=C; exec "$@"`, 'sh'];
        new RunningSvscan(side, box.root, ['svc'], {}, wrap);
        return until('./run ran', () => {
          try {
            const text = readFileSync(box.path('svc', 'a', 'seen'), 'latin1');
            return text.split('|').length === 3 ? text : undefined;
          } catch {
            return undefined;
          }
        });
      }),
    );
    expect(seen[0]).toBe('x\xffy\xe9|C|');
    expect(seen[1]).toBe(seen[0]);
  });

  test.each([
    ['a missing directory', (box: ScanBox) => [box.path('missing')]],
    ['a file', (box: ScanBox) => (writeFileSync(box.path('file'), ''), ['file'])],
    ['a path through a file', (box: ScanBox) => (writeFileSync(box.path('file'), ''), ['file/sub'])],
  ])('cannot chdir to %s: same words, exit 111', (_name, setup) => {
    const box = newBox();
    const args = setup(box);
    const [c, o] = SIDES.map((side) => spawnSync(program(side, 'svscan'), args, { cwd: box.root, encoding: 'latin1', timeout: 10000 }));
    expect(c!.status).toBe(111);
    expect(o!.stderr).toBe(c!.stderr);
    expect(o!.status).toBe(c!.status);
  });

  test.each([
    ['a dangling symlink', (box: ScanBox) => symlinkSync('nowhere', box.path('svc', 'dangling'))],
    ['a log that is a file', (box: ScanBox) => (box.service('a', SLEEP), writeFileSync(box.path('svc', 'a', 'log'), ''))],
    ['a service without ./run', (box: ScanBox) => box.script('svc/a/not-run', '')],
  ])('%s: the same first complaint', async (_name, setup) => {
    const firstLines = await Promise.all(
      SIDES.map(async (side) => {
        const box = newBox();
        setup(box);
        const svscan = new RunningSvscan(side, box.root, ['svc']);
        await until('a complaint', () => svscan.stderr.includes('\n'), 20000);
        return svscan.stderr.split('\n')[0];
      }),
    );
    expect(firstLines[1]).toBe(firstLines[0]);
  });

  test("C's svc, svok and svstat drive both alike", async () => {
    const runs = SIDES.map((side) => {
      const box = newBox();
      box.service('a', SLEEP, { log: SLEEP });
      box.service('b', SLEEP, { down: true });
      return { box, svscan: new RunningSvscan(side, box.root, ['svc']) };
    });
    const dirs = ['svc/a', 'svc/a/log', 'svc/b'];
    const up = (d: string): string => `${d}: up (pid N) S seconds`;
    const steps: ReadonlyArray<readonly [string[] | null, string[]]> = [
      [null, [up('svc/a'), up('svc/a/log'), 'svc/b: down S seconds']],
      [['-d', 'svc/a'], ['svc/a: down S seconds, normally up', up('svc/a/log'), 'svc/b: down S seconds']],
      [['-u', 'svc/a'], [up('svc/a'), up('svc/a/log'), 'svc/b: down S seconds']],
      [['-p', 'svc/a'], [`${up('svc/a')}, paused`, up('svc/a/log'), 'svc/b: down S seconds']],
      [['-c', 'svc/a'], [up('svc/a'), up('svc/a/log'), 'svc/b: down S seconds']],
      [['-o', 'svc/b'], [up('svc/a'), up('svc/a/log'), `${up('svc/b')}, normally down`]],
      [['-d', 'svc/b'], [up('svc/a'), up('svc/a/log'), 'svc/b: down S seconds']],
    ];
    for (const [args, expected] of steps) {
      for (const { box, svscan } of runs) {
        if (args) expect(client('c', 'svc', args, box.root)).toEqual({ stdout: '', stderr: '', status: 0 });
        const shape = (): string[] => svstatShape(client('c', 'svstat', dirs, box.root).stdout);
        await until(`${args?.join(' ')} on ${svscan.pid}`, () => shape().join('\n') === expected.join('\n'), 20000, () => `\n${shape().join('\n')}`);
        expect(dirs.map((d) => client('c', 'svok', [d], box.root).status)).toEqual([0, 0, 0]);
      }
    }
    for (const { svscan } of runs) expect(svscan.stderr).toBe('');
  });

  test.each(['SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGPIPE'] as const)('%s ends both alike; the services run on', async (sig) => {
    const ends = await Promise.all(
      SIDES.map(async (side) => {
        const box = newBox();
        box.service('a', SLEEP);
        const svscan = new RunningSvscan(side, box.root, ['svc']);
        const pid = await until('a up', () => box.pid(box.path('svc', 'a')) || undefined);
        svscan.signal(sig);
        const end = await svscan.exited;
        return { end, serviceAlive: alive(pid) };
      }),
    );
    expect(ends[0]).toEqual({ end: { code: null, signal: sig }, serviceAlive: true });
    expect(ends[1]).toEqual(ends[0]);
  });

  const LOCKED = [
    'supervise: fatal: unable to acquire a/supervise/lock: temporary failure',
    'supervise: fatal: unable to acquire b/supervise/lock: temporary failure',
    'supervise: fatal: unable to acquire log/supervise/lock: temporary failure',
  ];

  test.each([
    ['C svscan first, ours second', 'c', 'ours'],
    ['ours first, C svscan second', 'ours', 'c'],
  ] as const)('%s: the second one is locked out with the same words', async (_name, first, second) => {
    const box = newBox();
    box.service('a', SLEEP, { log: SLEEP });
    box.service('b', SLEEP);
    const dirs = ['svc/a', 'svc/a/log', 'svc/b'].map((d) => box.path(d));
    const holder = new RunningSvscan(first, box.root, ['svc']);
    const pids = await until('all up', () => (dirs.every((d) => box.pid(d) !== 0) ? dirs.map((d) => box.pid(d)) : undefined));
    const locked = new RunningSvscan(second, box.root, ['svc']);
    const lines = (): string[] => locked.stderr.split('\n').filter((l) => l !== '');
    await until('three complaints', () => lines().length >= 3, 20000, () => locked.stderr);
    // C's supervise processes race each other to stderr: compare without order.
    expect(lines().slice(0, 3).sort()).toEqual(LOCKED);
    expect(locked.hasExited).toBe(false);
    expect(dirs.map((d) => box.pid(d))).toEqual(pids);
    expect(holder.stderr).toBe('');
  });
});
