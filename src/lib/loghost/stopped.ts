// Whether a hosted logger's stub is stopped: `svc -p` sends it SIGSTOP (anyone may), and a stopped
// C multilog reads nothing, so its engine here reads nothing either until the stub is continued.
// The kernel says whether it is stopped: waitid(WSTOPPED | WNOWAIT) for a stub that is our child
// (the stop stays reportable, and its exit is left to the reaper), its /proc state for one we
// adopted from a dead svscan (not our child). A stop cannot report itself, but a continue can: the
// stub says 'C' when it is continued, and that only wakes the reader, which asks the kernel again.
import type { NativeBinding } from '../../native/binding.js';
import type { Stoppable } from '../multilog/input.js';
import { procStat } from '../proc-stat.js';

/** State (field 3 of /proc/PID/stat) of a process stopped by a signal; `t` (a tracer's stop) is not. */
const STOPPED = 'T';

export interface StubStops extends Stoppable {
  /** The stub said it was continued. */
  continued(): void;
}

export function stubStops(n: NativeBinding, pid: number): StubStops {
  const { WSTOPPED, WNOHANG, WNOWAIT } = n.constants;
  let child = true;
  const waiting = new Set<() => void>();
  return {
    stopped() {
      if (child) {
        try {
          return n.waitid(pid, WSTOPPED | WNOHANG | WNOWAIT) !== null;
        } catch {
          child = false; // ECHILD: a stub adopted from another svscan
        }
      }
      return procStat(pid)?.(3) === STOPPED;
    },
    onContinue(wake) {
      waiting.add(wake);
      return () => void waiting.delete(wake);
    },
    continued() {
      for (const wake of [...waiting]) wake();
    },
  };
}
