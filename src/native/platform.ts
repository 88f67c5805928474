// Which platform's code paths this process takes: Linux's (/proc, pidfds, tee and splice, setfsuid,
// SO_PEERCRED, hosted loggers, the pipe keeper) or the portable ones a FreeBSD or macOS build
// takes. DAEMONTOOLS_PROFILE=portable makes a Linux build take the portable ones, so that they run
// somewhere we can test them. Read once, from the environment the process started with; the
// launcher (native/launcher.c) reads the same variable for its own branches, and passes it on
// untouched, as any other variable (a run script sees it only if svscan was given it).
import type * as Os from 'node:os';
import { processSlot } from './process-slot.js';
import type { NativeBinding } from './binding.js';

/** The variable, and its value that asks for the portable branches (native/launch_env.h is the C side). */
export const PROFILE_VAR = 'DAEMONTOOLS_PROFILE';
export const PROFILE_PORTABLE = 'portable';

/** 'linux': the system's extras are used; 'portable': only what FreeBSD and macOS offer too. */
export type Branches = 'linux' | 'portable';

/** The choice, once made: one for the process (processSlot). */
const chosen = processSlot('branches', (): { branches?: Branches } => ({}));

/** The branches this process takes (decided on the first call: main.ts makes it at start). */
export function branches(): Branches {
  chosen.branches ??= process.platform === 'linux' && process.env[PROFILE_VAR] !== PROFILE_PORTABLE ? 'linux' : 'portable';
  return chosen.branches;
}

/** Linux's branches: /proc to read, pidfds, hosted loggers and the keeper. */
export const linuxBranches = (): boolean => branches() === 'linux';

/** The operating system itself (prebuild directories, the init system): never changed by the profile. */
export const hostOs = (): NodeJS.Platform => process.platform;

/** An error as native/errno.cc throws it. */
function unavailable(syscall: string): Error {
  const err = new Error(`ENOSYS: Function not implemented, ${syscall}`) as Error & { errno: number; code: string; syscall: string };
  // node:os only here: loading it costs every start ~0.3 ms.
  err.errno = -(require('node:os') as typeof Os).constants.errno.ENOSYS;
  err.code = 'ENOSYS';
  err.syscall = syscall;
  return err;
}

/** The calls a non-Linux build of native/ compiles to ENOSYS (or to "nothing done"). */
const ABSENT: Partial<Record<keyof NativeBinding, string>> = {
  setfsuid: 'setfsuid',
  setfsgid: 'setfsgid',
  setgroupsThread: 'setgroups',
  setgidThread: 'setgid',
  setuidThread: 'setuid',
  getpeercred: 'getsockopt',
  pidfdOpen: 'pidfd_open',
  pidfdGetfd: 'pidfd_getfd',
  sameFile: 'kcmp',
  tee: 'tee',
  splice: 'splice',
  // FreeBSD has procctl(PROC_REAP_ACQUIRE), macOS nothing: the profile is the least of the two.
  setChildSubreaper: 'prctl',
  prctlSetMmMap: 'prctl',
  prctlSetName: 'prctl',
  brk: 'brk',
};

/** The addon as a non-Linux build answers: Linux-only calls fail with ENOSYS, glibc's and the shim's do nothing. */
export function portableBinding(real: NativeBinding): NativeBinding {
  // Everything else is the real binding's (which makes its members as they are first asked for).
  const masked: Record<string, unknown> = Object.create(real) as Record<string, unknown>;
  for (const [name, syscall] of Object.entries(ABSENT)) {
    masked[name] = () => {
      throw unavailable(syscall);
    };
  }
  masked.mallocTrim = () => false; // not glibc
  masked.releaseSignals = () => false; // no native/sigshim.c preloaded
  return masked as unknown as NativeBinding;
}
