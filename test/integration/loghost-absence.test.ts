// svscan's absence: when svscan dies, the logger stubs it hosted go to one orphan host (started by
// its pipe keeper, src/lib/loghost/orphans.ts) instead of each becoming a Node multilog. The tree
// stays about as small as it was, logging goes on, signals reach the loggers, and the next svscan
// takes them back: same pids, every line once.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { afterEach, expect, test } from 'vitest';
import { ours } from '../helpers/paths.js';
import { alive, countIn, descendants, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const boxes: ScanBox[] = [];
/** Orphan hosts seen: not below any svscan the harness knows. */
const strays = new Set<number>();
afterEach(() => {
  killAll();
  for (const pid of strays) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  strays.clear();
  for (const b of boxes.splice(0)) b.remove();
});

/** Numbered lines, one every `ms`, for as long as it runs; on TERM it notes how many it printed. */
const service = (ms: number): string =>
  `#!/bin/sh\nexec perl -e '$|=1; my $i=0; $SIG{TERM}=sub{ open(W,">","written"); print W "$i\\n"; close W; exit 0 }; ` +
  `while(1){ $i++; print "$i\\n"; select(undef,undef,undef,${ms / 1000}) }'\n`;
const LOG = '#!/bin/sh\nexec multilog t ./main\n';

const exe = (pid: number): string => {
  try {
    return readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, '');
  } catch {
    return '';
  }
};
const cmdline = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
  } catch {
    return '';
  }
};

/** PSS in kB of `pids` (smaps_rollup). */
function pss(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      total += Number(/^Pss:\s+([0-9]+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return total;
}

/** The orphan host of the svscan `scan` (its cmdline names that svscan's pid). */
function orphanHost(dir: string, scan: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    const argv = cmdline(Number(entry)).split('\0');
    const at = argv.findIndex((a) => a.endsWith('/orphan-host.js'));
    // (The keeper's own argv names it too.)
    if (at >= 0 && argv[0] !== 'daemontools-keeper' && argv[at + 1] === dir && argv[at + 2] === String(scan)) return Number(entry);
  }
  return undefined;
}

/** The numbers a service's log holds, finished files in order and then current. */
function logged(dir: string): number[] {
  const main = `${dir}/log/main`;
  const files = readdirSync(main).filter((f) => f.startsWith('@')).sort();
  return [...files, 'current'].flatMap((f) =>
    readFileSync(`${main}/${f}`, 'latin1')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => Number(l.replace(/^@[0-9a-f]{24} /, ''))),
  );
}

const size = (path: string): number => {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
};

test.skipIf(process.platform !== 'linux')(
  'svscan SIGKILLed under 100 logged services: one orphan host, PSS at most 1.5x, logging goes on, every line once after svscan returns, same pids',
  async () => {
    const box = new ScanBox();
    boxes.push(box);
    const COUNT = 100;
    const dirs = Array.from({ length: COUNT }, (_, i) => box.service(`s${String(i).padStart(3, '0')}`, service(200), { log: LOG }));
    const env = { SVSCAN_RESCAN_SECONDS: '3600' };
    let scan = new RunningSvscan('ours', box.svc, ['.'], env);
    const loggers = await until('every logger a stub', () => {
      const pids = dirs.map((d) => box.pid(`${d}/log`));
      return pids.every((p) => p !== 0 && exe(p) === ours('multilog')) ? pids : undefined;
    }, 120000);
    const services = dirs.map((d) => box.pid(d));
    const keeper = await until('the keeper', () => descendants(scan.pid).find((p) => cmdline(p).startsWith('daemontools-keeper\0')), 60000);
    await until('every service logging', () => dirs.every((d) => size(`${d}/log/main/current`) > 0), 60000);
    // svscan gives memory back a second after the last start: let it.
    await new Promise((r) => setTimeout(r, 3000));
    const before = pss([scan.pid, keeper, ...loggers]);

    const dead = scan.pid;
    scan.signal('SIGKILL');
    await scan.exited;
    const host = await until('the orphan host', () => orphanHost(box.svc, dead), 60000);
    strays.add(host);
    // Logging goes on: every service's log grows after svscan's death.
    const sizes = dirs.map((d) => size(`${d}/log/main/current`));
    await until('every log growing while svscan is away', () => dirs.every((d, i) => size(`${d}/log/main/current`) > sizes[i]!), 60000);
    // The loggers stayed stubs: one Node process hosts them all.
    expect(loggers.filter((p) => exe(p) !== ours('multilog'))).toEqual([]);
    await new Promise((r) => setTimeout(r, 3000)); // the orphan host gives memory back too
    const away = pss([keeper, host, ...loggers]);
    console.log(`loghost-absence: ${COUNT} logged services, PSS with svscan ${before} kB, while svscan is away ${away} kB (${(away / before).toFixed(2)}x)`);
    expect(away, `PSS before ${before} kB, while svscan is away ${away} kB`).toBeLessThanOrEqual(before * 1.5);

    scan = new RunningSvscan('ours', box.svc, ['.'], env);
    await until('the orphan host gone', () => (alive(host) ? undefined : true), 60000, () => scan.stderr);
    await until('every logger hosted by the new svscan', () => loggers.every((p) => exe(p) === ours('multilog')), 60000);
    expect(dirs.map((d) => box.pid(`${d}/log`))).toEqual(loggers);
    expect(dirs.map((d) => box.pid(d))).toEqual(services);

    // Every line once, per service.
    for (const d of dirs) execFileSync(ours('svc'), ['-d', d]);
    const written = await until('every count', () => {
      const counts = dirs.map((d) => countIn(`${d}/written`));
      return counts.every((c) => c !== undefined) ? (counts as number[]) : undefined;
    }, 60000);
    await until('every line logged', () => dirs.every((d, i) => logged(d).length >= written[i]!), 60000);
    const wrong = dirs.filter((d, i) => logged(d).join(',') !== Array.from({ length: written[i]! }, (_, k) => k + 1).join(','));
    expect(wrong).toEqual([]);
    expect(scan.stderr).toBe('');
  },
  600000,
);

test.skipIf(process.platform !== 'linux')('while svscan is away, a hosted logger still rotates on ALRM, pauses on STOP and finishes its line and exits on TERM', async () => {
  const box = new ScanBox();
  boxes.push(box);
  const dirs = ['a', 'b', 'c'].map((name) => box.service(name, service(20), { log: LOG }));
  const scan = new RunningSvscan('ours', box.svc, ['.'], { SVSCAN_RESCAN_SECONDS: '3600' });
  const loggers = await until('every logger a stub', () => {
    const pids = dirs.map((d) => box.pid(`${d}/log`));
    return pids.every((p) => p !== 0 && exe(p) === ours('multilog')) ? pids : undefined;
  });
  await until('every service logging', () => dirs.every((d) => size(`${d}/log/main/current`) > 0));
  const dead = scan.pid;
  scan.signal('SIGKILL');
  await scan.exited;
  strays.add(await until('the orphan host', () => orphanHost(box.svc, dead)));
  const [a, b, c] = dirs as [string, string, string];
  const [la, lb, lc] = loggers as [number, number, number];
  const grown = size(`${a}/log/main/current`);
  await until('lines on disk with svscan away', () => size(`${a}/log/main/current`) > grown);

  // ALRM: current is rotated.
  process.kill(la, 'SIGALRM');
  await until('rotated', () => readdirSync(`${a}/log/main`).some((f) => f.startsWith('@')));

  // STOP: nothing more is written until CONT.
  process.kill(lb, 'SIGSTOP');
  await until('stopped', () => (readFileSync(`/proc/${lb}/stat`, 'latin1').split(') ')[1]?.[0] === 'T' ? true : undefined));
  await new Promise((r) => setTimeout(r, 500));
  const held = size(`${b}/log/main/current`);
  await new Promise((r) => setTimeout(r, 1000));
  expect(size(`${b}/log/main/current`)).toBe(held);
  process.kill(lb, 'SIGCONT');
  await until('writing again once continued', () => size(`${b}/log/main/current`) > held);

  // TERM: the line in hand is finished and the logger exits.
  process.kill(lc, 'SIGTERM');
  await until('the logger gone', () => (alive(lc) ? undefined : true));
  expect(readFileSync(`${c}/log/main/current`, 'latin1').endsWith('\n')).toBe(true);
  expect(logged(c)).toEqual(Array.from({ length: logged(c).length }, (_, k) => k + 1));
});
