// svscan's services in a process group of their own, for svscan that brings them down itself on
// SIGINT and SIGTERM (SVSCAN_STOP_ON_TERM=1, or as PID 1). C svscan's children share its group,
// so a terminal's Ctrl-C reaches every service and logger at the moment it reaches svscan: a
// logger killed before its service is down leaves a `current` it sets aside as `@...u` at its
// restart, a service dying of it is started again. In their own group they get no signal from the
// terminal; svscan, which does, takes them down in order, services first, loggers last. The group
// is led by a small native program (`daemontools-group`, native/group.c), not by a
// service: a group leader cannot setsid (pgrphack), and a group of services would end with them.
import { native } from '../../native/index.js';
import { nativeProgram } from '../../native/launcher.js';

const NAME = 'daemontools-group';

/**
 * Starts the leader of the services' group and returns the group's id (the leader's pid), or null
 * where there is none (no launcher, or it failed to start): the services then share our group,
 * as C's. The leader lives until we end (its stdin is a pipe whose other end only we hold).
 */
export function startServiceGroup(): number | null {
  const launcher = nativeProgram('dt-group');
  if (launcher === null) return null;
  const n = native();
  const [r, w] = n.pipe(); // close-on-exec: no child of ours holds the leader's life
  try {
    const { pid, execErrno } = n.spawn(launcher, [NAME], n.environ(), {
      ignore: [],
      mask: [],
      rlimits: [],
      fds: [['dup2', r, 0], ['close', 1], ['close', 2]],
      pgid: 0,
    });
    if (execErrno === 0) return pid;
    n.close(w); // it exited 111; the orphan reaper collects it
    return null;
  } finally {
    n.close(r);
  }
}
