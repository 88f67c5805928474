// Real svscan processes (ours or C's) on a scan directory in a temp dir. svscan runs in its own
// process group, which its services share; services outlive svscan by design, so the group (and
// anything that left it) is killed when the test ends.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStatus } from '../../src/lib/status.js';
import { OUR_BIN, ours, theirs } from '../helpers/paths.js';

export type Side = 'ours' | 'c';
export const program = (side: Side, prog: string): string => (side === 'ours' ? ours(prog) : theirs(prog));

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A temp dir holding a scan directory `svc/` and whatever else a test needs beside it. */
export class ScanBox {
  readonly root = mkdtempSync(join(tmpdir(), 'dt-svscan-'));
  readonly svc = join(this.root, 'svc');

  constructor() {
    mkdirSync(this.svc);
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  /** Writes an executable script, making its directory. */
  script(path: string, text: string): void {
    mkdirSync(join(this.root, path, '..'), { recursive: true });
    writeFileSync(join(this.root, path), text);
    chmodSync(join(this.root, path), 0o755);
  }

  /** A service directory `svc/<name>` (or `<where>/<name>`), with ./run and optionally log/run. */
  service(name: string, run: string, options: { log?: string; down?: boolean; where?: string } = {}): string {
    const dir = join(options.where ?? 'svc', name);
    this.script(join(dir, 'run'), run);
    if (options.log !== undefined) this.script(join(dir, 'log', 'run'), options.log);
    if (options.down) writeFileSync(this.path(dir, 'down'), '');
    return this.path(dir);
  }

  /** The pid supervise/status records for a service directory (0 when down or unreadable). */
  pid(dir: string): number {
    try {
      return decodeStatus(readFileSync(join(dir, 'supervise', 'status')))?.pid ?? 0;
    } catch {
      return 0;
    }
  }

  lines(path: string): string[] {
    try {
      return readFileSync(this.path(path), 'latin1').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

const running = new Set<RunningSvscan>();

/** Kills every svscan started here with all it started. Call from afterEach. */
export function killAll(): void {
  for (const r of running) r.kill();
  running.clear();
}

export class RunningSvscan {
  private readonly proc: ChildProcess;
  stderr = '';
  readonly exited: Promise<Exit>;
  private done: Exit | undefined;
  /** Every process seen below svscan, so that none outlives the test even if it left the group. */
  private readonly seen = new Set<number>();

  /** `wrap` runs first and execs svscan (a parent leaving some state behind). */
  constructor(side: Side, cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, wrap: readonly string[] = []) {
    const path = side === 'ours' ? `${OUR_BIN}:/usr/bin:/bin` : '/usr/bin:/bin';
    const argv = [...wrap, program(side, 'svscan'), ...args];
    this.proc = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env: { PATH: path, ...env },
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.proc.stderr!.setEncoding('latin1').on('data', (t: string) => (this.stderr += t));
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        this.done = { code, signal };
        resolve(this.done);
      }),
    );
    running.add(this);
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get hasExited(): boolean {
    return this.done !== undefined;
  }

  signal(signal: NodeJS.Signals): void {
    this.remember();
    process.kill(this.pid, signal);
  }

  /** Notes every current descendant of svscan (for kill()). */
  remember(): void {
    for (const pid of descendants(this.pid)) this.seen.add(pid);
  }

  kill(): void {
    this.remember();
    for (const target of [-this.pid, this.pid, ...this.seen]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

/** Every process below `root`, from /proc (parent pids). */
export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    for (const child of children.get(todo.pop()!) ?? []) {
      out.push(child);
      todo.push(child);
    }
  }
  return out;
}

export function alive(pid: number): boolean {
  if (pid === 0) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0): it has ended all the same.
  try {
    return readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Runs a daemontools client (svc, svstat, svok) in `cwd`. */
export function client(side: Side, prog: string, args: readonly string[], cwd: string): { stdout: string; stderr: string; status: number | null } {
  const r = spawnSync(program(side, prog), args, { cwd, encoding: 'latin1', env: { PATH: '/usr/bin:/bin' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** svstat's lines with pids and ages taken out, so two runs compare. */
export function svstatShape(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => l.replace(/\(pid [0-9]+\)/g, '(pid N)').replace(/ [0-9]+ seconds/g, ' S seconds'));
}

/**
 * The number a service left in `path` as one line, or undefined while there is none yet: writers
 * create the file before they write to it, so an empty or unfinished file is no count (not 0).
 */
export function countIn(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch {
    return undefined;
  }
  return /^[0-9]+\n$/.test(text) ? Number(text) : undefined;
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function until<T>(what: string, probe: () => T | undefined | false, ms = 20000, explain: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
