// Real service directories under a temp root, supervised by C's supervise (/usr/bin) or ours;
// every supervise started here is taken down (svc -dx) and reaped, or killed, after each test.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendCommands } from '../../../src/lib/control.js';
import { decodeStatus } from '../../../src/lib/status.js';
import { C_BIN, HAVE_C } from '../../helpers/paths.js';

export { HAVE_C };

const started: Array<{ child: ChildProcess; dir: string }> = [];
const roots: string[] = [];

export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'dt-api-'));
  roots.push(root);
  return root;
}

export interface ServiceSpec {
  /** Create the down file (supervise then starts it down). */
  down?: boolean;
  /** The body of ./run; a long sleep by default. */
  run?: string;
  /** Give it a log/ service too. */
  log?: boolean;
}

export function makeService(dir: string, spec: ServiceSpec = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'run'), `#!/bin/sh\n${spec.run ?? 'exec sleep 1000'}\n`);
  chmodSync(join(dir, 'run'), 0o755);
  if (spec.down) writeFileSync(join(dir, 'down'), '');
  if (spec.log) makeService(join(dir, 'log'), { run: 'exec cat >/dev/null' });
  return dir;
}

/**
 * Starts C's supervise on `dir`; resolves once it has opened supervise/ok and, unless `dir/down`
 * exists, started ./run. (supervise writes a first status, pid 0, before it opens supervise/ok:
 * a service read down at that moment may be about to start.)
 */
export async function startC(dir: string): Promise<ChildProcess> {
  const child = spawn(join(C_BIN, 'supervise'), [dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  started.push({ child, dir });
  const { waitFor } = await import('../../../src/api/watch.js');
  const startsUp = !existsSync(join(dir, 'down'));
  await waitFor(dir, startsUp ? 'up' : () => true, { timeout: 10000 });
  return child;
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function runPid(dir: string): number {
  try {
    return decodeStatus(readFileSync(join(dir, 'supervise', 'status')))?.pid ?? 0;
  } catch {
    return 0;
  }
}

/** Takes every started supervise down as svc -dx would; kills what does not go. */
export async function cleanup(): Promise<void> {
  for (const { child, dir } of started.splice(0)) {
    try {
      sendCommands(join(dir, 'supervise', 'control'), 'dx');
    } catch {
      // Not running any more.
    }
    if (!(await exited(child, 5000))) {
      const pid = runPid(dir);
      if (pid) process.kill(pid, 'SIGKILL');
      child.kill('SIGKILL');
      await exited(child, 5000);
    }
  }
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}
