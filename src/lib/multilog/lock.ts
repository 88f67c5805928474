// The log directory's lock: flock(LOCK_EX | LOCK_NB) on `lock`, as C multilog takes it, so that C
// multilog and ours keep out of each other's directories.
import { spawnSync } from 'node:child_process';
import { native } from '../../native/index.js';
import { errnoError } from '../errors.js';

/** flock(2) through the addon; without the addon, flock(1) takes it on our descriptor for us. */
export function lockExclusiveNonblocking(fd: number): void {
  let nat: ReturnType<typeof native> | undefined;
  try {
    nat = native();
  } catch {
    nat = undefined;
  }
  if (nat) {
    nat.flock(fd, nat.constants.LOCK_EX | nat.constants.LOCK_NB);
    return;
  }
  lockWithUtility(fd);
}

/** A lock belongs to the open file description, so the one flock(1) takes on our fd stays ours. */
function lockWithUtility(fd: number): void {
  const result = spawnSync('flock', ['-n', '-E', '75', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] });
  if (result.error) throw result.error;
  if (result.status === 75) throw errnoError('EAGAIN', 'flock');
  if (result.status !== 0) throw errnoError('ENOLCK', 'flock');
}
