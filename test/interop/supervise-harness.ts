// Real supervise processes, C's and ours, in a sandbox: start one on a service directory, wait for
// what it does, and kill it with everything it started (its process group) when the test ends.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeStatus, type Status } from '../../src/lib/status.js';
import { program, type Outcome, type Sandbox, type Side } from '../integration/sv-golden.js';

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const running = new Set<RunningSupervise>();

/** Kills every supervise started here, and its children. Call from afterEach. */
export function killAll(): void {
  for (const r of running) r.kill();
  running.clear();
}

let runs = 0;

export class RunningSupervise {
  private readonly proc: ChildProcess;
  private readonly out: string;
  private readonly err: string;
  readonly exited: Promise<Exit>;
  private done: Exit | undefined;

  /** `wrap` runs before supervise (a parent leaving some state behind). */
  constructor(side: Side, cwd: string, args: readonly string[], options: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}) {
    const argv = [...(options.wrap ?? []), program(side, 'supervise'), ...args];
    // Files, not pipes: complete as soon as supervise has exited, whoever else holds them.
    const id = `${process.pid}-${++runs}`;
    this.out = join(tmpdir(), `dt-supervise-${id}.out`);
    this.err = join(tmpdir(), `dt-supervise-${id}.err`);
    const out = openSync(this.out, 'w');
    const err = openSync(this.err, 'w');
    try {
      this.proc = spawn(argv[0]!, argv.slice(1), {
        cwd,
        env: options.env ?? { PATH: '/usr/bin:/bin' },
        detached: true, // its own process group, which its children share
        stdio: ['ignore', out, err],
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    this.exited = new Promise((resolve) =>
      this.proc.on('exit', (code, signal) => {
        this.done = { code, signal };
        resolve(this.done);
      }),
    );
    running.add(this);
  }

  get stdout(): string {
    return readFileSync(this.out, 'latin1');
  }

  get stderr(): string {
    return readFileSync(this.err, 'latin1');
  }

  get pid(): number {
    return this.proc.pid!;
  }

  get hasExited(): boolean {
    return this.done !== undefined;
  }

  /** Sends `signal` to supervise alone. */
  signal(signal: NodeJS.Signals): void {
    process.kill(this.pid, signal);
  }

  kill(): void {
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      // Nothing left in the group.
    }
    rmSync(this.out, { force: true });
    rmSync(this.err, { force: true });
  }
}

/** Polls `probe` until it returns something other than undefined/false. */
export async function until<T>(
  what: string,
  probe: () => T | undefined | false,
  ms = 15000,
  explain: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = probe();
    if (got !== undefined && got !== false) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${explain()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A service directory in the sandbox. */
export class Service {
  readonly dir: string;

  constructor(
    readonly box: Sandbox,
    readonly name: string,
    run: string | null,
    options: { down?: boolean } = {},
  ) {
    this.dir = box.file(name);
    mkdirSync(this.dir, { recursive: true });
    if (run !== null) this.setRun(run);
    if (options.down) writeFileSync(join(this.dir, 'down'), '');
  }

  setRun(script: string): void {
    writeFileSync(join(this.dir, 'run'), script);
    chmodSync(join(this.dir, 'run'), 0o755);
  }

  file(name: string): string {
    return join(this.dir, name);
  }

  lines(name: string): string[] {
    try {
      return readFileSync(this.file(name), 'latin1').split('\n').filter((l) => l !== '');
    } catch {
      return [];
    }
  }

  /** Pids ./run recorded, one per start. */
  pids(): number[] {
    return this.lines('pids').map(Number);
  }

  status(): Status | null {
    try {
      return decodeStatus(readFileSync(this.file('supervise/status')));
    } catch {
      return null;
    }
  }

  start(side: Side, options: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {}): RunningSupervise {
    return new RunningSupervise(side, this.box.dir, [this.name], options);
  }

  /** Runs svc/svok/svstat of `side` on this service. */
  client(side: Side, prog: string, ...args: string[]): Outcome {
    const r = spawnSync(program(side, prog), [...args, this.name], {
      cwd: this.box.dir,
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'latin1',
    });
    return { stdout: r.stdout, stderr: r.stderr, status: r.status };
  }
}

/** A run script that records its pid and each signal it catches, and otherwise waits. */
export const SIGNAL_RECORDER = `#!/bin/sh
echo $$ >> pids
for s in HUP ALRM INT CONT USR1; do trap "echo $s >> sigs" $s; done
trap "echo TERM >> sigs; exit 0" TERM
while :; do sleep 0.05; done
`;

/** The process state letter from /proc (R, S, T for stopped, Z...). */
export function procState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] ?? null;
  } catch {
    return null;
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return procState(pid) !== 'Z';
  } catch {
    return false;
  }
}
