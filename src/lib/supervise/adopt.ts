// A supervisor that starts after its predecessor died (svscan or supervise killed) takes over what
// it left: the ./run still running is adopted (same pid, the status file's stamp, want and pause
// kept), and a service that died meanwhile is started again only if it was last wanted up. Where
// the old supervisor ended cleanly (svc -x), left no record, or lived in another boot, the start is
// C's: from the down file. Linux only: elsewhere, and on kernels without pidfd_open (< 5.3), a
// process still running is not adopted and ./run starts beside it, with a warning.
import { native, type FdWatch } from '../../native/index.js';
import { errnoError } from '../errors.js';
import { stampNow, type Status } from '../status.js';
import { readStatusFile } from '../svdir.js';
import type { Problem } from './files.js';
import { bootId, isRunning, procStart, readOwner, type Owner } from './owner.js';

/** A process this supervisor did not start: its exit is seen through a pidfd, not waitpid. */
export class AdoptedChild {
  private watch: FdWatch | undefined;

  constructor(
    readonly pid: number,
    private readonly ticks: bigint,
    private pidfd: number,
  ) {}

  /** Calls `onExit` once, as soon as the process has ended (the pidfd reads ready). */
  onExit(onExit: () => void): void {
    this.watch = native().watchReadable(this.pidfd, () => {
      this.close();
      onExit();
    });
  }

  /**
   * Sends `sig` while the process is still the one adopted (what pidfd_send_signal would prove):
   * once it has ended its pid may be anyone's, as no zombie of ours holds it. False: it has ended.
   */
  signal(sig: NodeJS.Signals): boolean {
    if (!this.running()) return false;
    try {
      process.kill(this.pid, sig);
    } catch {
      // Gone already: its pidfd says so next.
    }
    return true;
  }

  /** Still the process adopted, not ended: safe to signal by pid. */
  running(): boolean {
    if (this.pidfd < 0) return false;
    const now = procStart(this.pid);
    return now !== null && now.ticks === this.ticks && !now.zombie;
  }

  close(): void {
    this.watch?.close();
    this.watch = undefined;
    if (this.pidfd >= 0) native().close(this.pidfd);
    this.pidfd = -1;
  }
}

export type Claim =
  /** ./run is still running: supervise it. `status`: supervise/status as found (the owner record's stamp where it was not written yet). */
  | { readonly kind: 'adopt'; readonly status: Status; readonly child: AdoptedChild }
  /** ./run died while nobody supervised it: carry on from the status left behind (pid 0). */
  | { readonly kind: 'resume'; readonly status: Status; readonly idle: boolean }
  /** Start as C's supervise does; `problem` says why a running process was not adopted. */
  | { readonly kind: 'fresh'; readonly problem?: Problem };

function readStatus(path: string): Status | null {
  try {
    return readStatusFile(path);
  } catch {
    return null;
  }
}

/** Decides, with the lock held, how supervision of `path` begins. */
export function claim(path: string): Claim {
  const owner = readOwner(path);
  if (owner === null) return { kind: 'fresh' };
  if (owner.boot === null || bootId() === null) return owner.pid === 0 ? { kind: 'fresh' } : unproven(owner);
  if (owner.boot !== bootId()) return { kind: 'fresh' };
  const status = readStatus(path);
  // A down service: its status goes on as it was ("down" since the same moment).
  if (owner.pid === 0) return resume(status, true);
  if (owner.ticks === null) return unproven(owner);
  // The pidfd first, then the check: a pidfd taken before the start time matches is that process.
  let pidfd: number;
  try {
    pidfd = native().pidfdOpen(owner.pid);
  } catch (error) {
    if (isRunning(owner)) return { kind: 'fresh', problem: { kind: 'adopt', pid: owner.pid, error } };
    return resume(status, false);
  }
  if (!isRunning(owner)) {
    native().close(pidfd);
    return resume(status, false);
  }
  const current = status !== null && status.pid === owner.pid;
  return {
    kind: 'adopt',
    child: new AdoptedChild(owner.pid, owner.ticks, pidfd),
    status: {
      pid: owner.pid,
      // Killed between the owner record and the status write: the record has the stamp.
      stamp: current ? status.stamp : owner.stamp,
      paused: current ? status.paused : false,
      want: status?.want ?? 'up',
    },
  };
}

/**
 * The service ended meanwhile, or was down (`idle`: the record says nothing ran): pid 0, and the
 * want the dead supervisor last wrote.
 */
function resume(status: Status | null, idle: boolean): Claim {
  if (status === null) return { kind: 'fresh' };
  // Down since it was seen down, or, if it ended unwatched, since now (when C would have seen it).
  const stamp = status.pid === 0 ? status.stamp : stampNow();
  return { kind: 'resume', status: { ...status, pid: 0, paused: false, stamp }, idle };
}

/** No /proc to prove identity by: never adopt; warn when something lives at the recorded pid. */
function unproven(owner: Owner): Claim {
  try {
    process.kill(owner.pid, 0);
  } catch {
    return { kind: 'fresh' };
  }
  return { kind: 'fresh', problem: { kind: 'adopt', pid: owner.pid, error: errnoError('ENOSYS', 'pidfd_open') } };
}
