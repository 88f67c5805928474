// For the adoption tests: a standalone supervise run and killed at will, processes counted by a
// marker in their argv, and a sweep that kills every process a test started. Services outlive
// the supervisors that started them by design, so they are found by marker and by status file.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parentPid, procStat } from '../../src/lib/proc-stat.js';
import { decodeStatus } from '../../src/lib/status.js';
import { OUR_BIN, ours } from '../helpers/paths.js';
import { alive, until, type Exit } from './svscan-harness.js';

/** Every process `test` holds for; one gone meanwhile (or not ours to read) is left out. */
function processesWhere(test: (pid: number) => boolean): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      if (test(Number(name))) out.push(Number(name));
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return out;
}

/** Live (not zombie) processes whose argv contains `marker`. */
export function marked(marker: string): number[] {
  return processesWhere((pid) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes(marker) && alive(pid));
}

/** The raw 18 bytes of dir/supervise/status, or an empty buffer. */
export function statusBytes(dir: string): Buffer {
  try {
    return readFileSync(join(dir, 'supervise', 'status'));
  } catch {
    return Buffer.alloc(0);
  }
}

export function statusOf(dir: string): ReturnType<typeof decodeStatus> {
  return decodeStatus(statusBytes(dir));
}

/** The supervisor's ok FIFO has a reader (what svok checks): it runs, adoption decided. */
export function supervised(dir: string): boolean {
  try {
    closeSync(openSync(join(dir, 'supervise', 'ok'), constants.O_WRONLY | constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}

/** The parent pid of `pid`, from /proc. */
export function ppid(pid: number): number {
  const parent = parentPid(pid);
  if (parent === null) throw new Error(`no process ${pid}`);
  return parent;
}

/** The process state letter (S, R, T, Z...); '' when there is no such process. */
export function procState(pid: number): string {
  return procStat(pid)?.(3) ?? '';
}

const started = new Set<number>();

/** Remembers pids to kill when the test ends. */
export function track(...pids: number[]): void {
  for (const pid of pids) if (pid !== 0) started.add(pid);
}

/** Every process whose working directory is `root` or below it. */
function workingUnder(root: string): number[] {
  const real = realpathSync(root); // as the kernel names a cwd
  return processesWhere((pid) => {
    const cwd = readlinkSync(`/proc/${pid}/cwd`);
    return cwd === real || cwd.startsWith(`${real}/`);
  });
}

/**
 * Kills whatever was tracked, everything carrying `markers`, what dirs' status files name, and
 * every process working below `under` (a service caught between its run script's sh and the exec
 * of the marked program carries no marker yet).
 */
export function sweep(markers: readonly string[], dirs: readonly string[] = [], under: readonly string[] = []): void {
  const pids = new Set(started);
  for (const m of markers) for (const pid of marked(m)) pids.add(pid);
  for (const root of under) for (const pid of workingUnder(root)) if (pid !== process.pid) pids.add(pid);
  for (const d of dirs) {
    const pid = statusOf(d)?.pid ?? 0;
    if (pid !== 0) pids.add(pid);
  }
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  started.clear();
}

/** Every service directory below `root` (a directory holding supervise/). */
export function superviseDirs(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (!statSync(path).isDirectory()) continue;
      if (name === 'supervise') out.push(dir);
      else walk(path);
    }
  };
  walk(root);
  return out;
}

/** `supervise dir` (ours), in its own session, its stderr kept. */
export class Standalone {
  private readonly proc: ChildProcess;
  stderr = '';
  readonly exited: Promise<Exit>;

  constructor(cwd: string, dir: string) {
    this.proc = spawn(ours('supervise'), [dir], {
      cwd,
      env: { PATH: `${OUR_BIN}:/usr/bin:/bin` },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr!.setEncoding('latin1').on('data', (t: string) => (this.stderr += t));
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    track(this.proc.pid!);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  /** SIGKILL, and wait until it is gone (its lock with it). */
  async kill(): Promise<void> {
    process.kill(this.pid, 'SIGKILL');
    await this.exited;
  }
}

/** Waits until the supervisor of `dir` runs (its ok FIFO has a reader). */
export function whenSupervised(dir: string, explain: () => string = () => ''): Promise<true> {
  return until(`${dir} supervised`, () => supervised(dir), 20000, explain);
}
