// svscan killed with SIGKILL and started again: every service and logger still running is adopted
// (same pid, status untouched, one instance), and the pipe between a service and its logger is
// taken back, so that a later restart of either side, or one that died meanwhile, loses no line.
import { spawn } from 'node:child_process';
import { readlinkSync, readdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { HAVE_C } from '../helpers/paths.js';
import { nativeProgram } from '../../src/native/launcher.js';
import { marked, ppid, statusBytes, statusOf, sweep, track, whenSupervised } from './adopt-harness.js';
import { alive, client, killAll, RunningSvscan, ScanBox, svstatShape, until } from './svscan-harness.js';

let box: ScanBox;
let marker: string;
beforeEach(() => {
  box = new ScanBox();
  marker = `adopt-${randomBytes(6).toString('hex')}`;
});
afterEach(() => {
  killAll();
  sweep([marker], [], [box.root]);
  box.remove();
});

const SLEEP = (): string => `#!/bin/sh\nexec perl -e 'sleep 1000' ${marker}\n`;
/** "pid n" every 20 ms; with no reader it keeps the line and tries again (SIGPIPE ignored). */
const COUNTER = (): string =>
  `#!/bin/sh\nexec perl -e '$SIG{PIPE}="IGNORE"; my $i=0; while(1){ $i++; my $l="$$ $i\\n"; ` +
  `select(undef,undef,undef,0.05) until defined syswrite(STDOUT,$l); select(undef,undef,undef,0.02) }' ${marker}\n`;
/** Appends what it reads to ../out; on TERM it writes what it has read and leaves the rest in the pipe. */
const APPENDER = (): string =>
  `#!/bin/sh\nexec perl -e 'open(O,">>","../out") or die; my $stop=0; $SIG{TERM}=sub{$stop=1}; ` +
  `while(!$stop){ my $n=sysread(STDIN,my $b,65536); if(!defined $n){ next if $!{EINTR}; last } last if $n==0; syswrite(O,$b) }' ${marker}-log\n`;

/** The counter's lines in out, by writer: each writer's run must be 1..n, no gap, no repeat. */
function runs(path = 'svc/a/out'): Map<number, number> {
  const last = new Map<number, number>();
  for (const line of box.lines(path)) {
    const [pid, n] = line.split(' ').map(Number) as [number, number];
    expect(n, `line "${line}" after ${last.get(pid) ?? 0}`).toBe((last.get(pid) ?? 0) + 1);
    last.set(pid, n);
  }
  return last;
}

const dirOf = (d: string): string => box.path('svc', ...d.split('/'));

/** Starts svscan and waits until every one of `dirs` is supervised. */
async function svscan(dirs: readonly string[]): Promise<RunningSvscan> {
  const s = new RunningSvscan('ours', box.root, ['svc'], { SVSCAN_RESCAN_SECONDS: '1' });
  for (const d of dirs) await whenSupervised(dirOf(d), () => s.stderr);
  return s;
}

/** SIGKILL, as the issue has it; the services live on. */
async function crash(s: RunningSvscan): Promise<void> {
  s.signal('SIGKILL');
  await s.exited;
}

async function upAll(dirs: readonly string[]): Promise<number[]> {
  const pids = await until('all up', () => (dirs.every((d) => statusOf(dirOf(d))?.pid) ? dirs.map((d) => statusOf(dirOf(d))!.pid) : undefined));
  track(...pids);
  return pids;
}

test('every service and logger still running is adopted: same pids, status untouched, one instance each', async () => {
  box.service('a', SLEEP(), { log: SLEEP() });
  box.service('b', SLEEP());
  box.service('c', SLEEP(), { down: true });
  const dirs = ['a', 'a/log', 'b', 'c'];
  const first = await svscan(dirs);
  const pids = await upAll(['a', 'a/log', 'b']);
  const before = dirs.map((d) => statusBytes(dirOf(d)));
  const svstat = client('ours', 'svstat', dirs.map((d) => `svc/${d}`), box.root).stdout;
  await crash(first);
  const second = await svscan(dirs);
  expect(dirs.map((d) => statusBytes(dirOf(d)))).toEqual(before);
  expect(marked(marker).sort()).toEqual([...pids].sort());
  expect(client('ours', 'svstat', dirs.map((d) => `svc/${d}`), box.root).stdout.replace(/ [0-9]+ seconds/g, '')).toBe(svstat.replace(/ [0-9]+ seconds/g, ''));
  if (HAVE_C) expect(svstatShape(client('c', 'svstat', ['svc/a'], box.root).stdout)).toEqual(svstatShape(client('ours', 'svstat', ['svc/a'], box.root).stdout));
  expect(second.stderr).toBe('');
});

/** The pipe inode behind `pid`'s descriptor `fd`. */
const pipeOf = (pid: number, fd: number): string => readlinkSync(`/proc/${pid}/fd/${fd}`);

/** `pid`'s descriptors on `pipe`. svscan opens and closes others as it goes (rescans, status
 * writes): one listed and closed before its link is read was never one it holds. */
function holding(pid: number, pipe: string): string[] {
  return readdirSync(`/proc/${pid}/fd`).filter((fd) => {
    try {
      return pipeOf(pid, Number(fd)) === pipe;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  });
}

test('the new svscan holds the pipe the adopted service and logger share', async () => {
  box.service('a', COUNTER(), { log: APPENDER() });
  const first = await svscan(['a', 'a/log']);
  const [service, logger] = await upAll(['a', 'a/log']);
  await crash(first);
  const second = await svscan(['a', 'a/log']);
  const pipe = pipeOf(logger!, 0);
  expect(pipeOf(service!, 1)).toBe(pipe);
  expect(holding(second.pid, pipe).length).toBe(2); // a read end and a write end
  expect(second.stderr).toBe('');
});

test.each([
  ['the logger is restarted (svc -t)', 'a/log', '-t'],
  ['the logger is killed (svc -k), its supervisor restarts it', 'a/log', '-k'],
  ['the service is restarted (svc -t)', 'a', '-t'],
])('after adoption, no line is lost when %s', async (_name, target, flag) => {
  box.service('a', COUNTER(), { log: APPENDER() });
  const first = await svscan(['a', 'a/log']);
  const [service, logger] = await upAll(['a', 'a/log']);
  await until('some lines', () => box.lines('svc/a/out').length >= 5);
  await crash(first);
  const second = await svscan(['a', 'a/log']);
  const old = target === 'a' ? service! : logger!;
  client('ours', 'svc', [flag, `svc/${target}`], box.root);
  const next = await until('restarted', () => [statusOf(dirOf(target))?.pid ?? 0].find((p) => p !== 0 && p !== old));
  track(next);
  const writer = target === 'a' ? next : service!;
  // The new process is on the same pipe: the writer's lines go on reaching ../out.
  const seen = runs().get(writer) ?? 0;
  await until('more lines from the writer', () => (runs().get(writer) ?? 0) > seen + 10, 20000, () => second.stderr);
  runs();
  expect(alive(target === 'a' ? logger! : service!)).toBe(true);
  expect(second.stderr).toBe('');
});

test('the logger died while svscan was down: the next logger reads the same pipe, no line lost', async () => {
  box.service('a', COUNTER(), { log: APPENDER() });
  const first = await svscan(['a', 'a/log']);
  const [service, logger] = await upAll(['a', 'a/log']);
  await until('some lines', () => box.lines('svc/a/out').length >= 5);
  await crash(first);
  process.kill(logger!, 'SIGTERM');
  await until('logger gone', () => !alive(logger!));
  // Meanwhile the pipe has no reader: the service keeps its line and tries again.
  const second = await svscan(['a', 'a/log']);
  const next = await until('a new logger', () => [statusOf(dirOf('a/log'))?.pid ?? 0].find((p) => p !== 0 && p !== logger));
  track(next);
  expect(pipeOf(next, 0)).toBe(pipeOf(service!, 1));
  const seen = runs().get(service!) ?? 0;
  await until('more lines', () => (runs().get(service!) ?? 0) > seen + 10, 20000, () => second.stderr);
  expect(statusOf(dirOf('a'))?.pid).toBe(service);
  expect(second.stderr).toBe('');
});

test.each([
  ['a logger that outlives end-of-file: it is kept, the next service writes to it', true],
  ['a logger that ends at end-of-file (no writer was left): it drains the pipe first, then a new pair', false],
])('the service died while svscan was down, %s', async (_name, outlivesEof) => {
  const appender = outlivesEof ? APPENDER().replace('last if $n==0;', 'if($n==0){ select(undef,undef,undef,0.05); next }') : APPENDER();
  box.service('a', COUNTER(), { log: appender });
  const first = await svscan(['a', 'a/log']);
  const [service, logger] = await upAll(['a', 'a/log']);
  await until('some lines', () => box.lines('svc/a/out').length >= 5);
  await crash(first);
  process.kill(service!, 'SIGKILL');
  await until('service gone', () => !alive(service!));
  const written = await until('what it wrote, all logged', () => {
    const n = runs().get(service!) ?? 0;
    return n > 0 && (outlivesEof || !alive(logger!)) ? n : undefined;
  });
  const second = await svscan(['a', 'a/log']);
  const next = await until('a new service', () => [statusOf(dirOf('a'))?.pid ?? 0].find((p) => p !== 0 && p !== service));
  track(next);
  await until('its lines reach the log', () => (runs().get(next) ?? 0) >= 10, 20000, () => second.stderr);
  expect(runs().get(service!)).toBe(written);
  if (outlivesEof) expect(statusOf(dirOf('a/log'))?.pid).toBe(logger);
  expect(second.stderr).toBe('');
});

test('svscan died while the logger was down: the service waits in the pipe (no SIGPIPE), the next logger gets every line', async () => {
  // SIGPIPE at its default: a write with no reader left would kill it.
  const plain = `#!/bin/sh\nexec perl -e 'my $i=0; while(1){ $i++; syswrite(STDOUT,"$$ $i\\n") or die "$!"; select(undef,undef,undef,0.02) }' ${marker}\n`;
  box.service('a', plain, { log: APPENDER() });
  const first = await svscan(['a', 'a/log']);
  const [service, logger] = await upAll(['a', 'a/log']);
  await until('some lines', () => box.lines('svc/a/out').length >= 5);
  client('ours', 'svc', ['-d', 'svc/a/log'], box.root);
  await until('logger down', () => !alive(logger!));
  await crash(first);
  // No svscan, no logger: only the keeper holds a reader, and the service goes on writing into the pipe.
  const keepers = (): number[] => marked(`daemontools-keeper\0${box.path('svc')}\0`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(alive(service!)).toBe(true);
  expect(keepers().length).toBe(1);
  const second = await svscan(['a', 'a/log']);
  client('ours', 'svc', ['-u', 'svc/a/log'], box.root);
  const next = await until('a new logger', () => [statusOf(dirOf('a/log'))?.pid ?? 0].find((p) => p !== 0 && p !== logger));
  track(next);
  const seen = runs().get(service!) ?? 0;
  await until('more lines', () => (runs().get(service!) ?? 0) > seen + 20, 20000, () => second.stderr);
  expect(statusOf(dirOf('a'))?.pid).toBe(service);
  // The dead svscan's keeper is gone; the new one's holds the pipes now.
  await until('one keeper', () => keepers().length === 1 || undefined);
  expect(ppid(keepers()[0]!)).toBe(second.pid);
  expect(second.stderr).toBe('');
});

test.skipIf(process.platform !== 'linux')('keepers dead svscans of this directory left are ended once svscan is up; those of another directory or of a live svscan stay', async () => {
  const keeperProgram = nativeProgram('dt-keeper');
  expect(keeperProgram).not.toBeNull();
  // A keeper as svscan starts one (argv: daemontools-keeper DIR SVSCAN-PID), its parent this test.
  const keeper = (dir: string, owner: number): number => {
    const child = spawn(keeperProgram!, [dir, String(owner)], { argv0: 'daemontools-keeper', stdio: 'ignore', detached: true });
    child.unref();
    track(child.pid!);
    return child.pid!;
  };
  const svc = box.path('svc');
  const gone = 2 ** 22 + 1; // above pid_max's default: no process has it
  const stale = keeper(svc, gone);
  const otherDir = keeper(box.path('elsewhere'), gone);
  const ownerAlive = keeper(svc, process.pid);
  box.service('a', SLEEP(), { log: APPENDER() });
  const s = await svscan(['a', 'a/log']);
  await until('the stale keeper ended', () => !alive(stale) || undefined);
  expect([alive(otherDir), alive(ownerAlive)]).toEqual([true, true]);
  // svscan's own keeper holds the pipe.
  expect(marked(`daemontools-keeper\0${svc}\0${s.pid}\0`).length).toBe(1);
});
