// Reaps the children this process starts natively (supervisors' services, multilog's processors,
// svscanboot's pipeline), sharing one SIGCHLD listener across all of them. Each registered pid is
// waited for by itself (never waitpid(-1)), so children that Node's child_process started are left
// to Node.
import { native, type WaitResult } from '../../native/index.js';

export type ExitHandler = (result: WaitResult | null) => void;

const children = new Map<number, ExitHandler>();
let listening = false;
/** Registered since the last look: each is polled once on its own, soon after (see watchChild). */
const fresh = new Set<number>();

/** Polls every registered child once; `null` reports a child someone else already reaped. */
export function reapNow(): void {
  if (children.size === 0) return;
  for (const [pid, onExit] of children) poll(pid, onExit);
}

function poll(pid: number, onExit: ExitHandler): void {
  let result: WaitResult | null;
  try {
    result = native().waitpid(pid, native().constants.WNOHANG);
  } catch {
    result = null; // ECHILD: not ours to wait for any more
    children.delete(pid);
    onExit(null);
    return;
  }
  if (result !== null) {
    children.delete(pid);
    onExit(result);
  }
}

/** The first look at the children registered since the last one. */
function reapFresh(): void {
  for (const pid of fresh) {
    fresh.delete(pid);
    const onExit = children.get(pid);
    if (onExit !== undefined) poll(pid, onExit);
  }
}

/** Starts listening for SIGCHLD; call before the first child is started, so none is missed. */
export function listen(): void {
  if (listening) return;
  listening = true;
  process.on('SIGCHLD', reapNow);
}

/** Calls `onExit` once `pid` has exited and been reaped. */
export function watchChild(pid: number, onExit: ExitHandler): void {
  listen();
  children.set(pid, onExit);
  // A child that died before it was registered sent its SIGCHLD already: it is looked at once,
  // soon. Only the new ones, in one look for all registered meanwhile: svscan starting thousands
  // of services at once polled every child once per start (N² waitpids, seconds of CPU a minute
  // on).
  if (fresh.size === 0) setImmediate(reapFresh);
  fresh.add(pid);
}

/**
 * Resolves once `pid` has exited and been reaped (null: someone else reaped it). Unlike
 * watchChild, it keeps the event loop alive meanwhile: a SIGCHLD listener alone does not.
 */
export function waitChild(pid: number): Promise<WaitResult | null> {
  // An idle timer that never fires, cleared once the child is reaped.
  const alive = setInterval(() => {}, 2 ** 31 - 1);
  return new Promise((resolve) =>
    watchChild(pid, (result) => {
      clearInterval(alive);
      resolve(result);
    }),
  );
}

export function unwatchChild(pid: number): void {
  children.delete(pid);
}

export function watchedCount(): number {
  return children.size;
}
