// `daemontools remove`: the removal djb documents, in its safe order. First the service leaves the
// scan directory (its symlink unlinked; a real directory renamed to a dot-name, which svscan
// skips), so nothing restarts it; then `svc -dx` to it and its log; then wait until both
// supervisors are gone; only then is the definition deleted, if asked.
import { lstatSync, readlinkSync, realpathSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sendCommand, isSupervised } from './control.js';
import { isDaemontoolsError } from './errors.js';
import { nameProblem } from '../lib/door/install.js';

export interface RemoveOptions {
  readonly scandir: string;
  /** Delete the service directory once its supervisors are gone. */
  readonly purge: boolean;
  /** How long to wait for the supervisors to leave, in milliseconds. */
  readonly timeout: number;
  /** How often to look (supervise leaves no trace of its going but an ok FIFO nobody reads). */
  readonly interval?: number;
}

export interface Removed {
  /** The service directory (the symlink's target, or the renamed directory). */
  readonly dir: string;
  /** The supervisors that were told to go (the service's, and its log's). */
  readonly stopped: readonly string[];
  readonly purged: boolean;
}

export class RemoveError extends Error {
  constructor(
    readonly code: 'ENOSERVICE' | 'EBADNAME' | 'ETIMEDOUT' | 'EEXIST',
    message: string,
    readonly waiting: readonly string[] = [],
  ) {
    super(message);
  }
}

const exists = (path: string): boolean => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/** Takes the entry out of the scan directory; returns the service directory it stood for. */
function deactivate(scandir: string, name: string): string {
  const link = join(scandir, name);
  let st;
  try {
    st = lstatSync(link);
  } catch {
    throw new RemoveError('ENOSERVICE', `no service ${name} in ${scandir}`);
  }
  if (st.isSymbolicLink()) {
    let dir: string;
    try {
      dir = realpathSync(link);
    } catch {
      dir = resolve(scandir, readlinkSync(link)); // dangling: nothing supervises it
    }
    unlinkSync(link);
    return dir;
  }
  const hidden = join(scandir, `.${name}`);
  if (exists(hidden)) throw new RemoveError('EEXIST', `${hidden} exists already: cannot move ${name} out of svscan's sight`);
  renameSync(link, hidden);
  return hidden;
}

function tellToGo(dir: string): boolean {
  try {
    sendCommand(dir, 'down', 'exit');
    return true;
  } catch (err) {
    if (isDaemontoolsError(err, 'ERR_NOT_SUPERVISED') || isDaemontoolsError(err, 'ERR_SYSTEM')) return false;
    throw err;
  }
}

const supervised = (dir: string): boolean => {
  try {
    return isSupervised(dir);
  } catch {
    return false;
  }
};

export async function removeService(name: string, options: RemoveOptions): Promise<Removed> {
  const bad = nameProblem(name);
  if (bad) throw new RemoveError('EBADNAME', bad);
  const dir = deactivate(options.scandir, name);
  const dirs = [dir, ...(exists(join(dir, 'log')) ? [join(dir, 'log')] : [])];
  const stopped = dirs.filter(tellToGo);
  const deadline = Date.now() + options.timeout;
  for (;;) {
    const waiting = stopped.filter(supervised);
    if (waiting.length === 0) break;
    if (Date.now() >= deadline) {
      throw new RemoveError('ETIMEDOUT', `supervise still running after ${options.timeout / 1000} s in ${waiting.join(' and ')}`, waiting);
    }
    await new Promise((r) => setTimeout(r, options.interval ?? 50));
  }
  if (options.purge) rmSync(dir, { recursive: true, force: true });
  return { dir, stopped, purged: options.purge };
}
