// Runs one invocation against C daemontools (/usr/bin) and against ours (bin/), with the same
// argv, environment, PATH string and working directory: T/bin is a symlink retargeted between
// T/c (links to /usr/bin/<tool>) and T/ours (links to our bin/<tool>), and PATH starts with T/bin,
// so a chain finds the same side's programs by name.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ours } from '../helpers/paths.js';

export const ROOT = join(__dirname, '..', '..');
export const CHAIN_TOOLS = ['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack', 'fghack'];
export const SIDES = ['c', 'ours'] as const;
export type Side = (typeof SIDES)[number];

export interface Outcome {
  readonly stdout: string;
  readonly stderr: string;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface RunOptions {
  /** Working directory, relative to the sandbox (default: the sandbox). */
  readonly cwd?: string;
  /** Extra environment; PATH is always T/bin:/usr/bin:/bin unless given here. */
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
  /** Called before each side runs, to put files back as the case expects them. */
  readonly prepare?: (side: Side) => void;
  /** Rewrites output that legitimately differs from run to run (pids, pipe inodes). */
  readonly normalize?: (text: string) => string;
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'dt-chain-'));
  readonly bin = join(this.dir, 'bin');
  readonly path = `${this.bin}:/usr/bin:/bin`;

  constructor() {
    chmodSync(this.dir, 0o755); // cases run as nobody too
    for (const side of SIDES) {
      mkdirSync(join(this.dir, side));
      for (const tool of CHAIN_TOOLS) {
        const target = side === 'c' ? `/usr/bin/${tool}` : ours(tool);
        symlinkSync(target, join(this.dir, side, tool));
      }
    }
  }

  file(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  use(side: Side): void {
    rmSync(this.bin, { force: true });
    symlinkSync(side, this.bin);
  }

  run(side: Side, argv: readonly string[], options: RunOptions = {}): Outcome {
    options.prepare?.(side);
    this.use(side);
    const [tool, ...args] = argv; // a bare name is one of the chain tools; a path runs as given
    const file = tool!.includes('/') ? tool! : join(this.bin, tool!);
    const result = spawnSync(file, args, {
      cwd: options.cwd === undefined ? this.dir : join(this.dir, options.cwd),
      env: { PATH: this.path, ...options.env },
      input: options.input ?? '',
      encoding: 'latin1',
      timeout: 20000,
    });
    if (result.error) throw result.error;
    const normalize = options.normalize ?? ((text: string) => text);
    return {
      stdout: normalize(result.stdout.split(this.dir).join('$T')),
      stderr: normalize(result.stderr.split(this.dir).join('$T')),
      status: result.status,
      signal: result.signal,
    };
  }

  /** The same invocation under C and ours. */
  both(argv: readonly string[], options: RunOptions = {}): { c: Outcome; ours: Outcome } {
    return { c: this.run('c', argv, options), ours: this.run('ours', argv, options) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const isRoot = process.getuid?.() === 0;
