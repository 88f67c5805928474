// Starting ./run so that a supervisor's death can never leave it running unrecorded. The child
// is spawned through the start gate (native/gate.c, `daemontools-gate`; its bytes are
// gate-protocol.ts's): it already has ./run's pid and final process state, and waits until the
// supervisor has written its record (supervise/owner) and sends one byte. A supervisor killed before that closes the gate's pipe,
// and the child ends without running anything; its successor starts ./run once. Without the
// launcher (a platform with Node shims only), ./run is spawned directly.
import { closeSync, readSync, writeSync } from 'node:fs';
import type { ExecPlan, NativeBinding, SpawnResult } from '../../native/index.js';
import { nativeProgram } from '../../native/launcher.js';
import { decodeReport, gateArgv, GATE_REPORT_LEN, openMessage } from './gate-protocol.js';

/**
 * Spawns `file` with `argv`, `env` and `plan` (as native spawn does), calls `record(pid)` while
 * the child waits at the gate, then lets it run. The result's execErrno is that of `file`'s execve.
 */
export function spawnRecorded(
  n: NativeBinding,
  file: string,
  argv: readonly string[],
  env: readonly Buffer[],
  plan: ExecPlan,
  record: (pid: number) => void,
): SpawnResult {
  const launcher = nativeProgram('dt-gate');
  if (launcher === null) return direct(n, file, argv, env, plan, record);
  const taken = dup2Targets(plan);
  let [gateIn, gateOut] = n.pipe();
  let reportIn = -1;
  let reportOut = -1;
  let started: SpawnResult;
  try {
    gateIn = keepClear(n, gateIn, taken);
    [reportIn, reportOut] = n.pipe();
    reportOut = keepClear(n, reportOut, taken);
    const gated: ExecPlan = { ...plan, fds: [...plan.fds, ['cloexec', gateIn, false], ['cloexec', reportOut, false]] };
    started = n.spawn(launcher, gateArgv(gateIn, reportOut, file, argv), env, gated);
  } catch (err) {
    for (const fd of [gateIn, gateOut, reportIn, reportOut]) if (fd >= 0) n.close(fd);
    throw err;
  } finally {
    if (reportOut >= 0) n.close(reportOut);
    n.close(gateIn);
  }
  if (started.execErrno !== 0) {
    // The child failed before the gate (its state, or the launcher itself): it has ended. Try
    // without the gate, so that the error is the one ./run's own start meets.
    n.close(gateOut);
    n.close(reportIn);
    try {
      n.waitpid(started.pid, 0);
    } catch {
      // reaped already
    }
    return direct(n, file, argv, env, plan, record);
  }
  try {
    record(started.pid);
  } finally {
    try {
      writeSync(gateOut, openMessage());
    } catch {
      // The child is gone already (killed at the gate): its exit is reaped as any other.
    }
    n.close(gateOut);
  }
  return { pid: started.pid, execErrno: readReport(reportIn) };
}

function direct(
  n: NativeBinding,
  file: string,
  argv: readonly string[],
  env: readonly Buffer[],
  plan: ExecPlan,
  record: (pid: number) => void,
): SpawnResult {
  const started = n.spawn(file, argv, env, plan);
  record(started.pid);
  return started;
}

/** The descriptors `plan` dup2s onto in the child (s6's notification-fd, the log pipe's 0 and 1). */
function dup2Targets(plan: ExecPlan): Set<number> {
  const taken = new Set<number>();
  for (const op of plan.fds) if (op[0] === 'dup2') taken.add(op[2]);
  return taken;
}

/** `fd`, or a copy of it at a number the plan's dup2s leave alone (the original is closed then). */
function keepClear(n: NativeBinding, fd: number, taken: ReadonlySet<number>): number {
  if (!taken.has(fd)) return fd;
  const held = [fd];
  let copy = n.dup(fd);
  while (taken.has(copy)) {
    held.push(copy);
    copy = n.dup(fd);
  }
  for (const h of held) n.close(h);
  n.fcntl(copy, n.constants.F_SETFD, n.constants.FD_CLOEXEC);
  return copy;
}

/** Waits for the gate's report: end of file once `file` was exec'd, else execve's errno. */
function readReport(fd: number): number {
  const buf = Buffer.alloc(GATE_REPORT_LEN);
  let got = 0;
  try {
    while (got < GATE_REPORT_LEN) {
      let r: number;
      try {
        r = readSync(fd, buf, got, GATE_REPORT_LEN - got, null);
      } catch (err) {
        if ((err as { code?: string }).code === 'EINTR' || (err as { code?: string }).code === 'EAGAIN') continue;
        return 0;
      }
      if (r === 0) return 0;
      got += r;
    }
  } finally {
    closeSync(fd);
  }
  return decodeReport(buf);
}
