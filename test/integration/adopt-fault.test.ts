// The fault test: 20 services, each with a multilog, each printing numbered lines without pause;
// svscan killed with SIGKILL 20 times at random moments (during its start-up, during adoption,
// after it) and started again each time. Afterwards every service and logger has run as exactly
// one process all along (the same pids), and the logs hold every line written, none missing,
// none twice. Then every logger is restarted once on the taken-back pipes, and still no line is
// lost. Each svscan takes the loggers back into its event loop (src/lib/loghost/rehost.ts), so
// most kills take down hosted engines in the middle of their work; a second run also restarts a
// few loggers while each svscan runs, so that kills land while a logger is between two processes
// (its pipe then held only by the keeper, src/lib/scan/keeper.ts). Figures to stdout.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { marked, procState, statusOf, supervised, sweep, track } from './adopt-harness.js';
import { client, countIn, killAll, RunningSvscan, ScanBox, until } from './svscan-harness.js';

const SERVICES = 20;
const KILLS = 20;
/** svscan lives this long, at random, before each kill. */
const MAX_LIFE_MS = 1500;

let box: ScanBox;
let marker: string;
beforeEach(() => {
  box = new ScanBox();
  marker = `adoptfault-${randomBytes(6).toString('hex')}`;
});
afterEach(() => {
  killAll();
  sweep([marker], [], [box.root]);
  box.remove();
});

/** Line n is "n"; a line every 5 ms; on TERM it finishes the line, records how many it wrote, leaves. */
const service = (tag: string): string =>
  `#!/bin/sh\nexec perl -e '$SIG{TERM}=sub{$stop=1}; my $i=0; while(!$stop){ my $l=($i+1)."\\n"; ` +
  `until(defined syswrite(STDOUT,$l)){ die "$!" unless $!{EINTR} } $i++; select(undef,undef,undef,0.005) } ` +
  `open(W,">","written") or die; print W "$i\\n"; close W' ${tag}\n`;
/** Our multilog; the pattern (which selects no line away) is there to mark its argv. */
const logger = (tag: string): string => `#!/bin/sh\nexec multilog '-${tag}' s16777215 n100 ./main\n`;

/** A seeded generator, so a failing run can be replayed (the seed is printed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every line multilog wrote for svc/<name>: the rotated files in order, then current. */
function logged(name: string): string[] {
  const dir = join(box.path('svc', name, 'log', 'main'));
  let files: string[];
  try {
    files = readdirSync(dir);
  } catch {
    return []; // not made yet
  }
  files = files.filter((f) => f.startsWith('@')).sort();
  const read = (f: string): string => {
    try {
      return readFileSync(join(dir, f), 'latin1');
    } catch {
      return ''; // not made yet
    }
  };
  return [...files, 'current'].flatMap((f) => read(f).split('\n').filter((l) => l !== ''));
}

/** Which log file holds line `index` (0-based) of svc/<name>'s log, and the files' line counts. */
function filesAround(name: string, index: number): string {
  const dir = join(box.path('svc', name, 'log', 'main'));
  const files = [...readdirSync(dir).filter((f) => f.startsWith('@')).sort(), 'current'];
  let seen = 0;
  const counts = files.map((f) => {
    const n = readFileSync(join(dir, f), 'latin1').split('\n').filter((l) => l !== '').length;
    const here = index >= seen && index < seen + n ? '*' : '';
    seen += n;
    return `${f}:${n}${here}`;
  });
  return counts.join(' ');
}

/** A logger running as a stub, its engine in svscan (not a Node multilog on its own). */
function isStub(pid: number): boolean {
  try {
    return pid !== 0 && readlinkSync(`/proc/${pid}/exe`) !== process.execPath;
  } catch {
    return false;
  }
}

const RUNS: Array<[name: string, restartEach: number]> = [
  ['', 0],
  [', loggers restarted meanwhile', 3],
];

test.each(RUNS)(`${KILLS} SIGKILLs of svscan at random moments%s: one instance each, same pids, no line lost`, async (_name, restartEach) => {
  const names = Array.from({ length: SERVICES }, (_, i) => `s${i}`);
  const tag = (name: string, side: 'svc' | 'log'): string => `${marker}-${name}-${side}`;
  for (const name of names) box.service(name, service(tag(name, 'svc')), { log: logger(tag(name, 'log')) });
  const dirs = names.flatMap((n) => [box.path('svc', n), box.path('svc', n, 'log')]);
  const start = (): RunningSvscan => new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });

  let svscan = start();
  const pids = await until('all up', () => (dirs.every((d) => statusOf(d)?.pid) ? dirs.map((d) => statusOf(d)!.pid) : undefined), 60000, () => svscan.stderr);
  track(...pids);
  await until('every service logged', () => names.every((n) => logged(n).length > 0), 60000);

  const seed = Number(process.env.ADOPT_FAULT_SEED ?? Date.now() % 1000000);
  const rand = random(seed);
  const rows: string[] = [];
  const stderr: string[] = [];
  /** Processes carrying each tag: exactly one, and the one first started. */
  const instances = (side: 'svc' | 'log'): number[] => names.map((n) => marked(tag(n, side)).length);
  const servicePids = (): number[] => names.map((n) => statusOf(box.path('svc', n))?.pid ?? 0);
  let restarted = 0;
  for (let k = 1; k <= KILLS; k++) {
    const life = Math.floor(rand() * MAX_LIFE_MS);
    const restartAt = Math.floor(rand() * life);
    await new Promise((resolve) => setTimeout(resolve, restartAt));
    // A few loggers restarted by this svscan: their new engines run in it until the kill.
    for (let j = 0; j < restartEach; j++) {
      const name = names[Math.floor(rand() * names.length)]!;
      if (supervised(box.path('svc', name, 'log')) && client('ours', 'svc', ['-t', `svc/${name}/log`], box.root).status === 0) restarted++;
    }
    await new Promise((resolve) => setTimeout(resolve, life - restartAt));
    const adopted = dirs.filter(supervised).length;
    const hosted = names.filter((n) => isStub(statusOf(box.path('svc', n, 'log'))?.pid ?? 0)).length;
    svscan.signal('SIGKILL');
    await svscan.exited;
    stderr.push(svscan.stderr);
    const [services, loggers] = [instances('svc'), instances('log')];
    rows.push(
      `kill ${String(k).padStart(2)} after ${String(life).padStart(4)} ms: ${String(adopted).padStart(2)}/${dirs.length} supervised, ` +
        `${String(hosted).padStart(2)}/${SERVICES} loggers hosted; ` +
        `instances per service min ${Math.min(...services)} max ${Math.max(...services)}, per logger min ${Math.min(...loggers)} max ${Math.max(...loggers)}`,
    );
    const explain =
      `kill ${k}: ${names.map((n, i) => `${n}=${services[i]}:${marked(tag(n, 'svc'))}/${statusOf(box.path('svc', n))?.pid}`).join(' ')}\n` +
      `svscan said: ${stderr.join('')}`;
    expect(services, explain).toEqual(names.map(() => 1));
    expect(servicePids(), explain).toEqual(names.map((_, i) => pids[2 * i]));
    // A logger between its TERM and the next start has none; never two.
    expect(Math.max(...loggers)).toBe(1);
    if (restartEach === 0) expect(dirs.map((d) => statusOf(d)?.pid), explain).toEqual(pids);
    svscan = start();
  }
  const lastStart = Date.now();
  await until('all supervised again', () => dirs.every(supervised), 60000, () => svscan.stderr);
  const adoptMs = Date.now() - lastStart;
  await until('one logger each', () => instances('log').every((c) => c === 1));
  expect(instances('svc')).toEqual(names.map(() => 1));
  expect(servicePids()).toEqual(names.map((_, i) => pids[2 * i]));
  if (restartEach === 0) expect(dirs.map((d) => statusOf(d)?.pid)).toEqual(pids);

  // Each logger restarted once, on the pipe the last svscan took back.
  const before = names.map((n) => statusOf(box.path('svc', n, 'log'))?.pid ?? 0);
  client('ours', 'svc', ['-t', ...names.map((n) => `svc/${n}/log`)], box.root);
  const stuck = (): string =>
    `; seed ${seed}; not restarted:` +
    names
      .map((n, i) => [n, i, statusOf(box.path('svc', n, 'log'))] as const)
      .filter(([, i, st]) => !st?.pid || st.pid === before[i])
      .map(([n, i, st]) => {
        const cmd = (pid: number): string => {
          try {
            return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').slice(0, 80);
          } catch {
            return 'gone';
          }
        };
        return ` ${n} (was ${before[i]} [${procState(before[i]!)}] ${cmd(before[i]!)}; status ${JSON.stringify(st)})`;
      })
      .join('') +
    `; svscan said: ${svscan.stderr}`;
  const loggers = await until(
    'new loggers',
    () => {
      const now = names.map((n) => statusOf(box.path('svc', n, 'log'))?.pid ?? 0);
      return now.every((p, i) => p !== 0 && p !== before[i]) ? now : undefined;
    },
    20000,
    stuck,
  );
  track(...loggers);
  await new Promise((resolve) => setTimeout(resolve, 500));

  // The services stop (svc -d: TERM) and say how many lines they wrote; the logs must hold them all.
  client('ours', 'svc', ['-d', ...names.map((n) => `svc/${n}`)], box.root);
  const written = await until('every count', () => {
    const counts = names.map((n) => countIn(box.path('svc', n, 'written')));
    return counts.every((c) => c !== undefined) ? (counts as number[]) : undefined;
  });
  const drainStart = Date.now();
  const gaps = (): string =>
    names
      .map((n, i) => {
        const lines = logged(n);
        const gap = lines.findIndex((l, j) => l !== String(j + 1));
        return lines.length === written[i] ? '' : ` ${n}: written ${written[i]}, logged ${lines.length}, first gap at line ${gap + 1} (${lines[gap]})`;
      })
      .join('');
  await until('every line logged', () => names.every((n, i) => logged(n).length >= written[i]!), 30000, gaps);
  const drainMs = Date.now() - drainStart;
  const totals = { written: 0, logged: 0 };
  for (const [i, name] of names.entries()) {
    const lines = logged(name);
    totals.written += written[i]!;
    totals.logged += lines.length;
    const expected = Array.from({ length: written[i]! }, (_, j) => String(j + 1));
    const at = lines.findIndex((l, j) => l !== expected[j]);
    const where = at < 0 ? '' : `: first difference at line ${at + 1}: ${lines.slice(Math.max(0, at - 3), at + 4).join(' ')} (${filesAround(name, at)})`;
    expect(lines.length, `${name}${where}`).toBe(expected.length);
    expect(lines.join(), name).toBe(expected.join());
  }
  stderr.push(svscan.stderr);

  console.log(
    [
      `adopt-fault: seed ${seed}, ${SERVICES} services with multilog, ${KILLS} SIGKILLs, ${restarted} logger restarts between kills`,
      ...rows,
      `after the last restart: all ${dirs.length} supervised again in ${adoptMs} ms; every service and logger one instance, service pids unchanged; then every logger restarted once (svc -t)`,
      `lines written ${totals.written}, logged ${totals.logged}, missing ${totals.written - totals.logged} (the logs caught up ${drainMs} ms after the services stopped)`,
    ].join('\n'),
  );
  expect(stderr.join('')).toBe('');
}, 300000);
