// Runs svc, svok, svstat and supervise side by side: C daemontools' (/usr/bin) and ours (bin/),
// in one sandbox, with the sandbox's path written as $T in what they print. Also fakes a running
// supervise for the clients: the FIFOs held open by this process, a status file of our choosing.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ours, theirs } from '../helpers/paths.js';

export const SIDES = ['c', 'ours'] as const;
export type Side = (typeof SIDES)[number];

export const program = (side: Side, prog: string): string => (side === 'c' ? theirs(prog) : ours(prog));

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'dt-sv-'));

  file(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** Runs `prog` of `side`; a name with a slash (or "sh") runs as given. */
  run(side: Side, prog: string, args: readonly string[], cwd = this.dir): Outcome {
    const file = prog.includes('/') || prog === 'sh' ? prog : program(side, prog);
    const result = spawnSync(file, args, {
      cwd,
      env: { PATH: '/usr/bin:/bin' },
      encoding: 'latin1',
      timeout: 20000,
    });
    if (result.error) throw result.error;
    const clean = (text: string): string => text.split(this.dir).join('$T');
    return { stdout: clean(result.stdout), stderr: clean(result.stderr), status: result.status };
  }

  /** The same invocation under C and ours. */
  both(prog: string, args: readonly string[]): { c: Outcome; ours: Outcome } {
    return { c: this.run('c', prog, args), ours: this.run('ours', prog, args) };
  }

  /**
   * Runs both sides within one wall-clock second, so "N seconds" reads the same on both
   * (a run straddling a second boundary is tried again). `prepare` runs first, in that second.
   */
  bothInOneSecond(prog: string, args: readonly string[], prepare?: () => void): { c: Outcome; ours: Outcome } {
    for (let tries = 0; ; tries++) {
      // Start early in a second, clear of its edge: C's time() reads a coarse clock, which can
      // lag Date.now() by a few milliseconds there.
      const into = Date.now() % 1000;
      if (into < 50 || into > 500) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (1050 - into) % 1000);
      const before = Math.floor(Date.now() / 1000);
      prepare?.();
      const outcome = this.both(prog, args);
      if (Math.floor(Date.now() / 1000) === before || tries === 5) return outcome;
    }
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function mkfifo(path: string): void {
  execFileSync('mkfifo', ['-m', '600', path]);
}

/** A service directory whose "supervise" is this test process: both FIFOs held open for reading. */
export class FakeSupervise {
  private readonly control: number;
  private readonly ok: number;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'supervise'), { recursive: true });
    mkfifo(join(dir, 'supervise/control'));
    mkfifo(join(dir, 'supervise/ok'));
    this.control = openSync(join(dir, 'supervise/control'), constants.O_RDONLY | constants.O_NONBLOCK);
    this.ok = openSync(join(dir, 'supervise/ok'), constants.O_RDONLY | constants.O_NONBLOCK);
  }

  /** Whatever svc wrote since the last call. */
  takeCommands(): string {
    const buf = Buffer.alloc(256);
    let text = '';
    for (;;) {
      let n: number;
      try {
        n = readSync(this.control, buf, 0, buf.length, null);
      } catch {
        return text; // EAGAIN
      }
      if (n === 0) return text;
      text += buf.toString('latin1', 0, n);
    }
  }

  writeStatus(bytes: Buffer): void {
    writeFileSync(join(this.dir, 'supervise/status'), bytes);
  }

  close(): void {
    closeSync(this.control);
    closeSync(this.ok);
  }
}
