// Service directories with extension files (issue 13) under our supervise: make one, start
// supervise on it in its own process group, read supervise/status.json, and kill all at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSidecar } from '../../src/lib/supervise/ext/sidecar-file.js';
import type { Sidecar } from '../../src/lib/supervise/ext/sidecar.js';
import { ours } from '../helpers/paths.js';
import { until } from './svscan-harness.js';

export { until };

const started: Array<{ child: ChildProcess; dir: string }> = [];
const roots: string[] = [];

/** A service directory: `run` and the other files as given (scripts made executable). */
export function service(files: Readonly<Record<string, string>>, root = tempRoot()): string {
  const dir = join(root, `svc${started.length}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, name), text);
    if (text.startsWith('#!')) chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

export function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'dt-ready-'));
  roots.push(root);
  return root;
}

/** Our supervise on `dir`; its stderr goes to DIR.err. */
export function supervise(dir: string, env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }): ChildProcess {
  const err = openSync(`${dir}.err`, 'w');
  try {
    const child = spawn(ours('supervise'), [dir], { env, detached: true, stdio: ['ignore', 'ignore', err] });
    started.push({ child, dir });
    return child;
  } finally {
    closeSync(err);
  }
}

export function stderrOf(dir: string): string {
  return readFileSync(`${dir}.err`, 'latin1');
}

export function sidecar(dir: string): Sidecar | null {
  return readSidecar(dir);
}

/** Waits until status.json satisfies `test`, and returns it. */
export function sidecarUntil(dir: string, what: string, test: (s: Sidecar) => boolean, ms = 20000): Promise<Sidecar> {
  return until(what, () => {
    const s = readSidecar(dir);
    return s !== null && test(s) ? s : undefined;
  }, ms, () => `; status.json: ${JSON.stringify(readSidecar(dir))}; stderr: ${safeStderr(dir)}`);
}

function safeStderr(dir: string): string {
  try {
    return stderrOf(dir);
  } catch {
    return '';
  }
}

function gone(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Kills every supervise started here with its process group (./run and what it started), removes the directories. */
export async function cleanupAll(): Promise<void> {
  for (const { child } of started.splice(0)) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone.
    }
    await gone(child);
  }
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** The environment of process `pid`, NAME=value entries. */
export function environOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter((e) => e !== '');
}
