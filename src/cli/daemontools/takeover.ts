// `daemontools takeover`: for services whose C supervise has been stopped while their processes
// run on, records each running process in supervise/owner, the record our supervisor adopts a
// process by (same pid, status kept) instead of starting ./run beside it. C's supervise leaves no
// such record; ours writes one for every process it starts. Linux only: identity is proven from /proc.
import { isSupervised } from '../../api/control.js';
import type { Status } from '../../lib/status.js';
import { readStatusFile } from '../../lib/svdir.js';
import { isRunning, ownerOf, procStart, readOwner, writeOwner } from '../../lib/supervise/owner.js';

export type TakeoverResult =
  | { readonly kind: 'recorded' | 'would-record' | 'recorded-already'; readonly pid: number }
  | { readonly kind: 'down' | 'gone' | 'no-status' | 'supervised' | 'failed'; readonly pid?: number; readonly error?: unknown };

/** Prepares one service directory; nothing is written when `dryRun`. */
export function takeOver(dir: string, dryRun: boolean): TakeoverResult {
  if (isSupervised(dir)) return { kind: 'supervised' };
  let status: Status | null;
  try {
    status = readStatusFile(dir);
  } catch (error) {
    return { kind: 'no-status', error };
  }
  if (status === null) return { kind: 'no-status' };
  const { pid } = status;
  if (pid === 0) return { kind: 'down' };
  const start = procStart(pid);
  if (start === null || start.zombie) return { kind: 'gone', pid };
  const known = readOwner(dir);
  if (known !== null && known.pid === pid && isRunning(known)) return { kind: 'recorded-already', pid };
  if (dryRun) return { kind: 'would-record', pid };
  const problem = writeOwner(dir, ownerOf(pid, status.stamp));
  return problem === null ? { kind: 'recorded', pid } : { kind: 'failed', pid, error: 'error' in problem ? problem.error : problem };
}

export function describeTakeover(name: string, r: TakeoverResult): string {
  switch (r.kind) {
    case 'recorded':
      return `${name}: pid ${r.pid} recorded; our svscan will adopt it`;
    case 'would-record':
      return `${name}: would record pid ${r.pid}`;
    case 'recorded-already':
      return `${name}: pid ${r.pid} already recorded`;
    case 'down':
      return `${name}: down, nothing to take over`;
    case 'gone':
      return `${name}: pid ${r.pid} has exited; the service starts afresh`;
    case 'no-status':
      return `${name}: no readable supervise/status; the service starts afresh`;
    case 'supervised':
      return `${name}: a supervise still runs here: stop it first (see docs/replacing-c-daemontools.md)`;
    case 'failed':
      return `${name}: unable to write supervise/owner`;
  }
}

/** Results that mean the takeover is not ready. */
export const isFailure = (r: TakeoverResult): boolean => r.kind === 'supervised' || r.kind === 'failed';
