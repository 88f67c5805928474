// The profile a test file runs under (vitest.config.mts's `portable` project sets it), and what
// the portable branches lack: a test of a Linux-only feature is skipped there, for that reason.
export const PROFILE_VAR = 'DAEMONTOOLS_PROFILE';
export const PORTABLE_ENV = { [PROFILE_VAR]: 'portable' } as const;

/** Taking FreeBSD's and macOS's branches (src/native/platform.ts). */
export const PORTABLE = process.env[PROFILE_VAR] === 'portable';

/** What only Linux's branches have, and why. */
export const LINUX_ONLY = {
  hosting: 'loggers are hosted through /proc, pidfd_getfd and tee(2)',
  adoption: 'a process is proven by its /proc start time and watched through a pidfd',
  keeper: 'the pipe keeper is found again through /proc',
  shim: 'the LD_PRELOAD shim holds SIGTERM and SIGALRM through Node start-up',
  subreaper: 'macOS has no subreaper (FreeBSD has procctl, run only in the FreeBSD job)',
} as const;

/** True where the tests of `feature` must be skipped: not Linux, or the portable profile. */
export const linuxOnly = (feature: keyof typeof LINUX_ONLY): boolean => process.platform !== 'linux' || PORTABLE || !LINUX_ONLY[feature];
