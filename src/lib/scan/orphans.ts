// svscan as a child subreaper: processes a service leaves behind (a daemon that forked away) are
// reparented to svscan rather than to init, and reaped here, as C svscan reaps whatever child it
// has (and as it must when it runs as PID 1).
import { native } from '../../native/index.js';
import { listen } from '../proc/reaper.js';

let adopted = false;

/** Marks this process a subreaper where the system has one, and reaps every orphan handed to it. */
export function adoptOrphans(): void {
  if (adopted) return;
  adopted = true;
  try {
    native().setChildSubreaper();
  } catch {
    // ENOSYS (no subreapers here) or an old kernel's EINVAL: orphans go to init, as under C svscan.
  }
  // The reaper of our own children goes first and takes those it waits for; what is left is orphans.
  listen();
  process.on('SIGCHLD', reapOrphans);
  setImmediate(reapOrphans);
}

/**
 * Reaps every child that has ended. A service that ends between that reaper and this
 * loop is reaped here; the reaper then finds it gone (ECHILD) and reports it ended all the same.
 */
function reapOrphans(): void {
  const n = native();
  const { WNOHANG } = n.constants;
  for (;;) {
    try {
      if (n.waitpid(-1, WNOHANG) === null) return;
    } catch {
      return; // ECHILD: no children at all
    }
  }
}
