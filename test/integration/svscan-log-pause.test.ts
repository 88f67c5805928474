// A stopped logger reads nothing. `svc -p` (or anyone's SIGSTOP) stops a C multilog: its input
// waits in the pipe until `svc -c` (SIGCONT). Under our svscan the stopped process is the stub and
// the engine runs in svscan, which must follow the stub's state: nothing written while it is
// stopped, then every line exactly once. Run against C's svscan and multilog too, to prove the
// expectation.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, test } from 'vitest';
import { procStat } from '../../src/lib/proc-stat.js';
import { HAVE_C } from '../helpers/paths.js';
import { client, killAll, RunningSvscan, ScanBox, until, type Side } from './svscan-harness.js';

const boxes: ScanBox[] = [];
afterEach(() => {
  killAll();
  for (const b of boxes.splice(0)) b.remove();
});

const BEFORE = 50;
const AFTER = 100;
const expected = [
  ...Array.from({ length: BEFORE }, (_, i) => `before ${i + 1}`),
  'halfway',
  ...Array.from({ length: AFTER }, (_, i) => `after ${i + 1}`),
];

/**
 * Writes BEFORE lines and the head of one more, waits for `go`, writes the rest of that line and
 * AFTER lines (far less than a pipe holds, so it never blocks), says so in `wrote`, then idles.
 */
const writer = (root: string): string =>
  `#!/bin/sh
i=0; while [ $i -lt ${BEFORE} ]; do i=$((i+1)); echo "before $i"; done
printf half
read go < ${root}/go
printf 'way\\n'
i=0; while [ $i -lt ${AFTER} ]; do i=$((i+1)); echo "after $i"; done
: > ${root}/wrote
exec sleep 100000
`;

/**
 * Echoes each line written to the FIFO `ctl`: its logger shows when svscan's loop went round. It
 * holds `ctl` open for reading and writing: opened again for each line, it could open it before the
 * test's writer had closed it, then read end of file and exit, and the test's next write could meet
 * that reader on its way out (EPIPE).
 */
const echoer = (root: string): string => `#!/bin/sh\nexec 3<> ${root}/ctl\nwhile read l <&3; do echo "$l"; done\n`;

const LOG = '#!/bin/sh\nexec multilog s16777215 ./main\n';

const pauses = [
  { how: 'svc -p', stop: (side: Side, dir: string) => client(side, 'svc', ['-p', `${dir}/log`], dir), resume: (side: Side, dir: string) => client(side, 'svc', ['-c', `${dir}/log`], dir) },
  { how: 'kill -STOP', stop: (_side: Side, _dir: string, pid: number) => process.kill(pid, 'SIGSTOP'), resume: (_side: Side, _dir: string, pid: number) => process.kill(pid, 'SIGCONT') },
] as const;

const sides: Side[] = HAVE_C ? ['ours', 'c'] : ['ours'];

describe.each(sides)('%s svscan', (side) => {
  test.skipIf(process.platform !== 'linux').each(pauses)('a logger stopped by $how writes nothing until continued, then every line once', async ({ how, stop, resume }) => {
    const box = new ScanBox();
    boxes.push(box);
    spawnSync('mkfifo', [box.path('go'), box.path('ctl')]);
    const dir = box.service('s', writer(box.root), { log: LOG });
    box.service('c', echoer(box.root), { log: LOG });
    const scan = new RunningSvscan(side, box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });
    const logged = (name: string): string[] => box.lines(`svc/${name}/log/main/current`);

    const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
    await until('the first lines logged', () => logged('s').length === BEFORE || undefined);
    stop(side, dir, logger);
    await until('the logger stopped', () => procStat(logger)?.(3) === 'T' || undefined);
    if (how === 'svc -p') expect(client('c', 'svstat', [`${dir}/log`], dir).stdout).toMatch(/, paused\n$/);

    await writeFile(box.path('go'), 'go\n');
    await until('the rest written into the pipe', () => existsSync(box.path('wrote')));
    // Twice round svscan's loop through another logger: the stopped one's input came first.
    for (const round of ['one', 'two']) {
      await writeFile(box.path('ctl'), `sync ${round}\n`);
      await until(`sync ${round} logged`, () => logged('c').includes(`sync ${round}`) || undefined);
    }
    expect(logged('s')).toEqual(expected.slice(0, BEFORE));
    expect(procStat(logger)?.(3)).toBe('T');

    resume(side, dir, logger);
    await until('every line logged', () => logged('s').length >= expected.length || undefined);
    // One more round: nothing comes twice.
    await writeFile(box.path('ctl'), 'sync three\n');
    await until('sync three logged', () => logged('c').includes('sync three') || undefined);
    expect(logged('s')).toEqual(expected);
    expect(box.pid(`${dir}/log`)).toBe(logger);
    expect(scan.stderr).toBe('');
  });

  test.skipIf(process.platform !== 'linux')('svc -d on a paused logger (TERM, CONT): it finishes the line in hand and leaves the rest in the pipe for the next one', async () => {
    const box = new ScanBox();
    boxes.push(box);
    spawnSync('mkfifo', [box.path('go')]);
    const dir = box.service('s', writer(box.root), { log: LOG });
    const scan = new RunningSvscan(side, box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });
    const logged = (): string[] => box.lines('svc/s/log/main/current');

    const logger = await until('the logger up', () => box.pid(`${dir}/log`) || undefined);
    await until('the first lines logged', () => logged().length === BEFORE || undefined);
    client(side, 'svc', ['-p', `${dir}/log`], dir);
    await until('the logger stopped', () => procStat(logger)?.(3) === 'T' || undefined);
    await writeFile(box.path('go'), 'go\n');
    await until('the rest written into the pipe', () => existsSync(box.path('wrote')));
    client(side, 'svc', ['-d', `${dir}/log`], dir);
    await until('the logger down', () => box.pid(`${dir}/log`) === 0 || undefined);
    expect(logged()).toEqual(expected.slice(0, BEFORE + 1));
    client(side, 'svc', ['-u', `${dir}/log`], dir);
    await until('every line logged', () => logged().length >= expected.length || undefined);
    expect(logged()).toEqual(expected);
    expect(scan.stderr).toBe('');
  });
});
