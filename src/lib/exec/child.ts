// Starting a child program with the recorded exec state (as a C parent's fork+exec would hand it
// on), trying PATH candidates the way execvp does, and waiting for it without polling.
import type { Bytes, ExecPlan, NativeBinding, WaitResult } from '../../native/binding.js';
import { errnoName } from '../errors.js';
import { EXECVP_RULE, searchPath } from '../pathexec.js';

export type Started = { readonly pid: number } | { readonly code: string };

/**
 * Tries each file in turn by execvp's rule (pathexec.ts: EXECVP_RULE, as the shell's env(1) that
 * svscanboot's script runs its programs with); a candidate whose exec failed has already exited
 * 111 and is reaped here.
 */
export function startChild(
  n: NativeBinding,
  files: readonly Bytes[],
  argv: readonly Bytes[],
  env: readonly Buffer[],
  plan: ExecPlan,
): Started {
  let started = 0;
  const failed = searchPath(
    files,
    (file) => {
      const { pid, execErrno } = n.spawn(file, argv, env, plan);
      if (execErrno === 0) {
        started = pid;
        return null;
      }
      n.waitpid(pid, 0);
      return errnoName(execErrno);
    },
    EXECVP_RULE,
  );
  return failed === null ? { pid: started } : { code: failed.code };
}

// Waiting for a child started by startChild: the process-wide reaper's.
export { waitChild } from '../proc/reaper.js';

/** The status a shell reports for a child: its exit code, or 128 + the signal. */
export function shellStatus(result: WaitResult | null): number {
  if (result === null) return 0;
  return result.code ?? 128 + (result.signal ?? 0);
}
