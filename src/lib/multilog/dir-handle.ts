// How multilog's engine reaches one of its log directories. C multilog holds a descriptor on it for
// good (fddir), and so does ours when it runs as a process of its own. A host of many loggers
// (svscan) holds none while it only writes `current`: it opens the directory again for the moment
// a rotation or a clean-up needs it, found through the lock file it holds open (the kernel keeps
// that link's path true when the directory is renamed, as C's fddir would follow it) and checked
// to be the very directory opened at the start. A descriptor less per hosted logger.
import { readlinkSync } from 'node:fs';
import { closeSync, constants, fstatSync, ownFs, type MultilogFs } from './fs.js';

const { O_RDONLY, O_NONBLOCK, O_DIRECTORY } = constants;
const OPEN_DIR = O_RDONLY | O_NONBLOCK | O_DIRECTORY;
const LOCK_SUFFIX = Buffer.from('/lock');

export interface DirHandle {
  /** A path reaching the directory, valid until the current turn of the event loop ends. */
  path(): string;
  /** Closes what is held. */
  release(): void;
}

/** The directory held open for good: /proc/self/fd/N where /proc is there, else its path. */
export function heldDir(fd: number, path: string): DirHandle {
  return {
    path: () => path,
    release: () => closeQuietly(fd),
  };
}

/**
 * The directory `fd` opened, let go of now and opened again when a path is asked for: through the
 * lock file `lockFd` holds open, else the path it had at the start; either must be the same
 * directory (device and inode), or path() throws ESTALE (never ENOENT, which would read as a file
 * that is not there), which the engine's callers treat as the failed call it stands for (a
 * warning, a pause, a retry). It is opened again through `fs`, as the logger. Null where /proc
 * cannot tell paths.
 */
export function lentDir(fd: number, lockFd: number, fs: MultilogFs = ownFs): DirHandle | null {
  let original: Buffer;
  let st;
  try {
    original = readlinkSync(`/proc/self/fd/${fd}`, { encoding: 'buffer' });
    st = fstatSync(fd);
  } catch {
    return null;
  }
  const [dev, ino] = [st.dev, st.ino];
  closeQuietly(fd);
  let lent = -1;
  const giveBack = (): void => {
    closeQuietly(lent);
    lent = -1;
  };
  const tryOpen = (where: Buffer): number | null => {
    let dir: number;
    try {
      dir = fs.openSync(where, OPEN_DIR);
    } catch {
      return null;
    }
    const now = fstatSync(dir);
    if (now.dev === dev && now.ino === ino) return dir;
    closeSync(dir);
    return null;
  };
  return {
    path() {
      if (lent < 0) {
        const dir = viaLock(lockFd);
        lent = (dir && tryOpen(dir)) ?? tryOpen(original) ?? -1;
        if (lent < 0) throw Object.assign(new Error('log directory not found'), { code: 'ESTALE', errno: -116, syscall: 'open' });
        setImmediate(giveBack);
      }
      return `/proc/self/fd/${lent}`;
    },
    release: giveBack,
  };
}

/** The directory the lock file is in now, from the kernel's link; null once it is removed. */
function viaLock(lockFd: number): Buffer | null {
  try {
    const link = readlinkSync(`/proc/self/fd/${lockFd}`, { encoding: 'buffer' });
    if (link.length <= LOCK_SUFFIX.length || !link.subarray(link.length - LOCK_SUFFIX.length).equals(LOCK_SUFFIX)) return null;
    return link.subarray(0, link.length - LOCK_SUFFIX.length);
  } catch {
    return null;
  }
}

function closeQuietly(fd: number): void {
  if (fd < 0) return;
  try {
    closeSync(fd);
  } catch {
    // already gone
  }
}
