// Taking over a service from a stopped C supervise: its process runs on, and supervise/owner, the
// record our supervisor adopts a process by (same pid, status kept), is written for it, so that
// our svscan adopts it instead of starting ./run beside it. C's supervise leaves no such record;
// ours writes one for every process it starts. Linux only: identity is proven from /proc.
import type { Status } from '../status.js';
import { readStatusFile } from '../svdir.js';
import { isRunning, ownerOf, procStart, readOwner, writeOwner } from './owner.js';

export type TakeoverResult =
  | { readonly kind: 'recorded' | 'would-record' | 'recorded-already'; readonly pid: number }
  | { readonly kind: 'down' | 'gone' | 'no-status' | 'supervised' | 'failed'; readonly pid?: number; readonly error?: unknown };

/**
 * Prepares one service directory; nothing is written when `dryRun`. `isSupervised` says whether a
 * supervise still runs in it (the caller's svok, with its own errors).
 */
export function takeOver(dir: string, dryRun: boolean, isSupervised: (dir: string) => boolean): TakeoverResult {
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

/** Results that mean the takeover is not ready. */
export const isFailure = (r: TakeoverResult): boolean => r.kind === 'supervised' || r.kind === 'failed';
