// The process state a hosted logger's processor is handed: what a fork of that C multilog would
// have, read from the kernel when the processor starts, never from the stub's record. The stub's
// own descriptors (copies taken with pidfd_getfd) are put at their numbers, its limits, ignored
// signals and mask are /proc's, its credentials and environment too, with multilog's umask; nothing of the host's is
// left open in it (every descriptor svscan could hand down is closed or replaced).
import { readFileSync } from 'node:fs';
import { native } from '../../native/index.js';
import type { ExecPlan, FdOp } from '../../native/binding.js';
import { ExecContext } from '../exec/context.js';
import { placeFds, type FdMove } from '../exec/place-fds.js';
import { inheritableFds } from '../proc/state.js';
import type { Identity } from './identity.js';
import { REHOST_VAR } from './rehost.js';
import type { LoggerProcess } from './server.js';

export class LoggerContext extends ExecContext {
  /** The descriptors the logger process would hand a child (none close-on-exec). */
  private readonly inherited: readonly number[];
  /** Our copies of them for the plan in hand; closed by release(). */
  private copies: number[] = [];

  constructor(
    private readonly proc: LoggerProcess,
    private readonly who: Identity,
  ) {
    // (If it is gone, killed while its engine finishes the rotation in hand: its state when it came.)
    const state = proc.currentState();
    let env: string[] = [];
    try {
      // The environment it was exec'd with, less what only the launcher reads.
      env = readFileSync(`/proc/${who.pid}/environ`, 'latin1')
        .split('\0')
        .filter((e) => e !== '' && !e.startsWith(`${REHOST_VAR}=`));
    } catch {
      // gone already: the processor gets an empty environment
    }
    super({ ignored: state.ignored, blocked: state.blocked, rlimits: state.rlimits, fds: [] }, env);
    this.inherited = state.fds.filter((f) => !f.cloexec).map((f) => f.fd);
  }

  override plan(extra: readonly FdOp[] = []): ExecPlan {
    const n = native();
    const moves: FdMove[] = [];
    const others: FdOp[] = [];
    for (const op of extra) {
      if (op[0] === 'dup2') moves.push([op[1], op[2]]);
      else others.push(op);
    }
    const placed = new Set(moves.map(([, to]) => to));
    for (const fd of this.inherited) {
      if (placed.has(fd)) continue;
      const copy = this.proc.copyFd(fd);
      if (copy < 0) continue; // closed since: the logger has it no more
      this.copies.push(copy);
      moves.push([copy, fd]);
      placed.add(fd);
    }
    // What the host itself would hand down (its stdio, what it inherited) is not the logger's.
    const strays: FdOp[] = inheritableFds(n)
      .filter((fd) => !placed.has(fd))
      .map((fd) => ['close', fd]);
    const { ignore, mask, rlimits } = super.plan();
    return {
      ignore,
      mask,
      rlimits,
      fds: [...strays, ...placeFds(moves), ...others],
      umask: this.who.umask,
      creds: { uid: this.who.uid, gid: this.who.gid, groups: this.who.groups },
    };
  }

  override release(): void {
    for (const fd of this.copies) native().close(fd);
    this.copies = [];
  }
}
