// Starting a child program with the recorded exec state (as a C parent's fork+exec would hand it
// on), trying PATH candidates the way execvp does, and waiting for it without polling.
import type { Bytes, ExecPlan, NativeBinding, WaitResult } from '../../native/binding.js';
import { errnoName } from '../errors.js';

export type Started = { readonly pid: number } | { readonly code: string };

/**
 * Tries each file in turn (execvp's rule: past ENOENT and EACCES, stop at anything else); a
 * candidate whose exec failed has already exited 111 and is reaped here.
 */
export function startChild(
  n: NativeBinding,
  files: readonly Bytes[],
  argv: readonly Bytes[],
  env: readonly Buffer[],
  plan: ExecPlan,
): Started {
  let code = 'ENOENT';
  let seenAccess = false;
  for (const file of files) {
    const { pid, execErrno } = n.spawn(file, argv, env, plan);
    if (execErrno === 0) return { pid };
    n.waitpid(pid, 0);
    code = errnoName(execErrno);
    if (code === 'EACCES') seenAccess = true;
    else if (code !== 'ENOENT') return { code };
  }
  return { code: seenAccess ? 'EACCES' : code };
}

// Waiting for a child started by startChild: the process-wide reaper's.
export { waitChild } from '../proc/reaper.js';

/** The status a shell reports for a child: its exit code, or 128 + the signal. */
export function shellStatus(result: WaitResult | null): number {
  if (result === null) return 0;
  return result.code ?? 128 + (result.signal ?? 0);
}
