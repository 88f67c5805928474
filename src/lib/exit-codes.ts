// Exit codes shared by the daemontools programs.
export const EXIT_OK = 0;
/** Bad usage (most programs). */
export const EXIT_USAGE = 100;
/** Temporary failure: a system call failed, try again later. */
export const EXIT_TEMPORARY = 111;
