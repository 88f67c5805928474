// Acting as another process for file operations: who a hosted logger is (read from /proc) and a
// bracket that makes this thread's filesystem identity and the umask that process's, so files
// the host creates, renames and removes for it get exactly the owner and mode C multilog's would.
import { readFileSync, readlinkSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';

export interface Identity {
  readonly pid: number;
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
  readonly umask: number;
  readonly cwd: string;
  readonly argv: readonly string[];
}

/** Reads a running process's identity: effective ids, groups, umask, cwd, argv. */
export function readIdentity(pid: number): Identity {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const field = (name: string): string => {
    const m = new RegExp(`^${name}:[ \\t]*(.*)$`, 'm').exec(status);
    if (!m) throw new Error(`no ${name} in /proc/${pid}/status`);
    return m[1]!;
  };
  const ids = (name: string): number[] => field(name).trim().split(/\s+/).filter(Boolean).map(Number);
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
  if (argv[argv.length - 1] === '') argv.pop();
  return {
    pid,
    uid: ids('Uid')[1]!,
    gid: ids('Gid')[1]!,
    groups: ids('Groups'),
    umask: parseInt(field('Umask'), 8),
    cwd: readlinkSync(`/proc/${pid}/cwd`),
    argv,
  };
}

/** Whether this thread's filesystem identity is another process's now (inside asIdentity). */
let switched = false;

const sameGroups = (a: readonly number[], b: readonly number[]): boolean => {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort((x, y) => x - y);
  return [...a].sort((x, y) => x - y).every((g, i) => g === sorted[i]);
};

/** Runs `fn` with this thread's filesystem identity and the umask set to `id`'s. Sync only. */
export function asIdentity<T>(n: NativeBinding, id: Identity, fn: () => T): T {
  const myGroups = n.getgroups();
  const myUid = process.geteuid?.() ?? 0;
  const myGid = process.getegid?.() ?? 0;
  const myUmask = process.umask(id.umask);
  // A logger of our own ids and groups (the usual case): only the umask is its own. Each change
  // of credentials is a commit in the kernel, and a host opening a thousand loggers' directories
  // at once (the orphan host at svscan's death) would spend most of its time on them.
  if (!switched && id.uid === myUid && id.gid === myGid && sameGroups(id.groups, myGroups)) {
    try {
      return fn();
    } finally {
      process.umask(myUmask);
    }
  }
  n.setgroupsThread(id.groups);
  n.setfsgid(id.gid);
  n.setfsuid(id.uid);
  const outer = switched;
  switched = true;
  try {
    return fn();
  } finally {
    switched = outer;
    n.setfsuid(myUid);
    n.setfsgid(myGid);
    n.setgroupsThread(myGroups);
    process.umask(myUmask);
  }
}
