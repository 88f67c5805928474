// The typed boundary to the C++ addon (native/): plain syscalls, no logic.
// Every function throws an ErrnoError (see src/lib/errors.ts) shaped like Node's own on failure.

/** Bytes for the system: a string (its UTF-8 encoding) or a Buffer (exactly these bytes). */
export type Bytes = string | Buffer;
/**
 * An environment entry (NAME=value): a Buffer, or a byte string (one character per byte, as
 * lib/exec/bytes.ts carries the environment; a character above U+00FF is a TypeError). Never
 * UTF-8 text.
 */
export type EnvEntry = string | Buffer;

/** One step applied, in order, to the descriptor table right before execve. */
export type FdOp =
  | readonly ['dup2', from: number, to: number] // dup2(from, to); `to` is left without FD_CLOEXEC
  | readonly ['close', fd: number]
  | readonly ['cloexec', fd: number, on: boolean]
  | readonly ['nonblock', fd: number, on: boolean];

/** The process state a program is exec'd (or spawned) with. Built in TypeScript, applied verbatim in C. */
export interface ExecPlan {
  /** Signals set to SIG_IGN; every other catchable signal is set to SIG_DFL. */
  readonly ignore: readonly number[];
  /** The signal mask to install (sigprocmask SIG_SETMASK). */
  readonly mask: readonly number[];
  /** setrlimit(resource, {cur, max}) for each entry, in order. */
  readonly rlimits: ReadonlyArray<readonly [resource: number, cur: bigint, max: bigint]>;
  readonly fds: readonly FdOp[];
  /** setsid() in the child (spawn only). */
  readonly setsid?: boolean;
  /**
   * setpgid(0, pgid) in the child (spawn only): 0 makes it lead a group of its own. A group that
   * no longer exists is not joined: the child stays in its parent's.
   */
  readonly pgid?: number;
  /** chdir() in the child (spawn only). */
  readonly cwd?: string;
  /** umask() in the child (spawn only); by default it keeps ours. */
  readonly umask?: number;
  /** setgroups, setgid, setuid in the child, after everything else (spawn only). */
  readonly creds?: { readonly uid: number; readonly gid: number; readonly groups: readonly number[] };
  /** Signals given to holdSignalForExec: blocked through execve, each one caught raised again. */
  readonly held?: readonly number[];
}

export interface WaitResult {
  readonly pid: number;
  /** Exit code when the child exited, else null. */
  readonly code: number | null;
  /** Terminating signal number, else null. */
  readonly signal: number | null;
  /** The raw wait status, as svscan/supervise would see it. */
  readonly status: number;
}

/** What waitid(2) reported of a child: siginfo's si_pid, si_code (CLD_*) and si_status. */
export interface WaitIdResult {
  readonly pid: number;
  readonly code: number;
  readonly status: number;
}

export interface SpawnResult {
  readonly pid: number;
  /** errno of the failed execve in the child (which then _exit(111)s), or 0 when the exec succeeded. */
  readonly execErrno: number;
}

export interface Passwd {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly dir: string;
  readonly shell: string;
}

export interface FdWatch {
  close(): void;
}

export interface NativeConstants {
  readonly RLIMIT: Readonly<Record<string, number>>; // AS, CORE, CPU, DATA, FSIZE, MEMLOCK, NOFILE, NPROC, RSS, STACK (those that exist)
  readonly RLIM_INFINITY: bigint;
  readonly NSIG: number;
  readonly F_GETFD: number;
  readonly F_SETFD: number;
  readonly F_GETFL: number;
  readonly F_SETFL: number;
  /** Linux only: a pipe's capacity, read and set (fcntl). */
  readonly F_GETPIPE_SZ?: number;
  readonly F_SETPIPE_SZ?: number;
  readonly FD_CLOEXEC: number;
  readonly O_NONBLOCK: number;
  /** As /proc/PID/fdinfo's `flags:` shows a descriptor's FD_CLOEXEC. */
  readonly O_CLOEXEC: number;
  readonly LOCK_SH: number;
  readonly LOCK_EX: number;
  readonly LOCK_NB: number;
  readonly LOCK_UN: number;
  readonly WNOHANG: number;
  readonly WEXITED: number;
  readonly WSTOPPED: number;
  readonly WCONTINUED: number;
  readonly WNOWAIT: number;
  readonly CLD_STOPPED: number;
  readonly CLD_CONTINUED: number;
}

/** The address fields of struct prctl_mm_map but the argument area (numbers: user space fits in 53 bits). */
export interface MmLayout {
  readonly startCode: number;
  readonly endCode: number;
  readonly startData: number;
  readonly endData: number;
  readonly startBrk: number;
  readonly brk: number;
  readonly startStack: number;
  readonly envStart: number;
  readonly envEnd: number;
}

export interface NativeBinding {
  readonly constants: NativeConstants;
  /** constants.RLIM_INFINITY alone, made without the rest (a start that reads only it spares ~0.2 M instructions). */
  readonly rlimInfinity: bigint;

  /**
   * Apply `plan`, then execve each of `files` in turn as djb's pathexec does: go on past ENOENT,
   * remember EACCES/EPERM/EISDIR and go on, stop at any other error. Returns only by throwing the
   * error that decides (path = the file it belongs to). Rlimits are put back as they were before the
   * plan when every execve fails, so the caller can still report the error. In `files` and `argv`
   * a string stands for its UTF-8 bytes, a Buffer for its bytes exactly; the environment is always
   * bytes ({@link EnvEntry}), as another program handed it over.
   */
  execve(files: readonly Bytes[], argv: readonly Bytes[], env: readonly EnvEntry[], plan: ExecPlan): never;
  /** fork(); in the child apply `plan` and execve(file). Exec failure is reported, not thrown. */
  spawn(file: Bytes, argv: readonly Bytes[], env: readonly EnvEntry[], plan: ExecPlan): SpawnResult;
  /** This process's environment (environ) as it is now, each entry a byte string (lib/exec/bytes.ts). */
  environ(): string[];
  /** Makes `entries` (NAME=value) this process's environment, bytes exactly (entries without a name are skipped). */
  replaceEnviron(entries: readonly EnvEntry[]): void;
  /** waitpid(pid, options); null when WNOHANG and nothing to report. */
  waitpid(pid: number, options: number): WaitResult | null;
  /** waitid(P_PID, pid, options); null when WNOHANG and nothing to report. */
  waitid(pid: number, options: number): WaitIdResult | null;

  getrlimit(resource: number): [cur: bigint, max: bigint];
  setrlimit(resource: number, cur: bigint, max: bigint): void;

  setuid(uid: number): void;
  setgid(gid: number): void;
  setgroups(gids: readonly number[]): void;
  getgroups(): number[];
  /** getpwnam(3); null when there is no such account. */
  getpwnam(name: Bytes): Passwd | null;

  /** Linux: the calling thread's filesystem uid/gid only; returns the previous one. */
  setfsuid(uid: number): number;
  setfsgid(gid: number): number;
  /** Linux: supplementary groups of the calling thread only (the raw system call). */
  setgroupsThread(gids: readonly number[]): void;
  /** Linux: setgid(2)/setuid(2) of the calling thread only (the raw system call): libc's make
   * every thread follow, one signal and wait per thread each. */
  setgidThread(gid: number): void;
  setuidThread(uid: number): void;
  /** Linux: SO_PEERCRED of a connected unix socket. */
  getpeercred(fd: number): { pid: number; uid: number; gid: number };

  setsid(): number;
  setpgid(pid: number, pgid: number): void;

  /** flock(2); with LOCK_NB throws EWOULDBLOCK/EAGAIN when held. A blocking call blocks the calling thread. */
  flock(fd: number, operation: number): void;
  mkfifo(path: string, mode: number): void;
  /**
   * stat(2), following symlinks: st_dev and st_ino into out[0] and out[1] (a double: one past 2^53
   * may be rounded), st_mode returned; allocates nothing. Absent from an older addon.
   */
  statId?(path: Bytes, out: Float64Array): number;
  /**
   * The entries of directory `path` but . and .., each with its stat(2) following symlinks, into
   * `out` as src/lib/scan/survey.ts reads them; an entry whose name begins with the byte `skip`
   * (-1: none) is listed without a stat. Returns the size of the whole listing: more than
   * out.length means out holds only part of it. Throws opendir's or readdir's error (syscall
   * `readdir`).
   */
  readdirStat(path: string, skip: number, out: Uint8Array): number;
  fcntl(fd: number, cmd: number, arg?: number): number;
  /** pipe2(O_CLOEXEC). */
  pipe(): [read: number, write: number];
  /** socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC). */
  socketpair(): [number, number];
  /**
   * A unix datagram socket (close-on-exec, non-blocking, SO_PASSCRED on Linux) bound to the bytes
   * of `address` exactly (a leading NUL for an abstract name).
   */
  bindDgram(address: Buffer): number;
  /**
   * recvmsg(2) of one datagram into `buf` without blocking, with the sender's credentials (-1 where
   * the kernel gave none; descriptors sent along are closed); null when none is waiting.
   */
  recvCred(fd: number, buf: Buffer): { length: number; truncated: boolean; pid: number; uid: number; gid: number } | null;
  dup(fd: number): number;
  dup2(from: number, to: number): number;
  close(fd: number): void;
  /** open(2) exactly, flags and mode as given (no O_CLOEXEC added). */
  open(path: Bytes, flags: number, mode: number): number;
  /** access(2) (X_OK and the like, as node:fs's constants number them). */
  access(path: Bytes, mode: number): void;
  /** realpath(3), as text: what Node's realpathSync.native returns. */
  realpath(path: Bytes): string;
  /** read(2) once into array[offset, offset + length): the count (0 at the end). EINTR is thrown, not retried. */
  read(fd: number, array: Uint8Array, offset: number, length: number): number;
  /** chdir(2) by the path's bytes (Node's process.chdir takes text only). */
  chdir(path: Bytes): void;
  fchdir(fd: number): void;

  /** Calls `onReadable` on the event loop each time `fd` becomes readable (uv_poll). */
  watchReadable(fd: number, onReadable: () => void): FdWatch;
  /** pidfd_open(2) (Linux >= 5.3); throws ENOSYS elsewhere. */
  pidfdOpen(pid: number): number;
  /** pidfd_getfd(2) (Linux >= 5.6): our own copy of another process's descriptor, close-on-exec. */
  pidfdGetfd(pidfd: number, targetFd: number): number;
  /** kcmp(2) KCMP_FILE on two of our own descriptors: whether they are one open file description (Linux; ENOSYS elsewhere). */
  sameFile(fd1: number, fd2: number): boolean;
  /** Linux tee(2) with SPLICE_F_NONBLOCK: copies up to `len` bytes from pipe `fdIn` to pipe `fdOut`
   * without consuming them (EAGAIN when empty); throws ENOSYS elsewhere. */
  tee(fdIn: number, fdOut: number, len: number): number;
  /** Linux splice(2) with SPLICE_F_NONBLOCK between two pipes: moves up to `len` bytes. */
  splice(fdIn: number, fdOut: number, len: number): number;
  /** madvise(2) on [addr, addr + length) (addresses as numbers: user space fits in 53 bits). */
  madvise(addr: number, length: number, advice: number): void;
  /**
   * Catches `signal` until the next execve, so that none is lost on the way: one that comes is
   * raised again right before an execve whose plan lists it in `held`, for the new program.
   */
  holdSignalForExec(signal: number): number;
  /** Ends native/sigshim.c's hold on SIGTERM/SIGALRM (when the launcher preloaded it): true if it held. */
  releaseSignals(): boolean;
  /**
   * prctl(PR_SET_MM, PR_SET_MM_MAP) (Linux): the memory layout as /proc/self/stat shows it (and
   * `brk`), with the argument area moved to `args`' bytes -- what /proc/PID/cmdline shows from then
   * on. `args` must sit on a backing store of its own (an ArrayBuffer's); the addon keeps it alive.
   * The executable and the auxiliary vector are left as they are. Throws ENOSYS elsewhere.
   */
  prctlSetMmMap(layout: MmLayout, args: Buffer): void;
  /** prctl(PR_SET_NAME) (Linux): the calling thread's name, its comm (the kernel cuts it to 15 bytes). */
  prctlSetName(name: string | Buffer): void;
  /** The program break as the kernel has it (brk(2) with 0); throws ENOSYS where there is none. */
  brk(): number;
  /** glibc malloc_trim(0): true if memory went back to the system (false elsewhere). */
  mallocTrim(): boolean;
  /** prctl(PR_SET_CHILD_SUBREAPER) / procctl(PROC_REAP_ACQUIRE); throws ENOSYS where absent. */
  setChildSubreaper(): void;
  /** _exit(2): no exit handlers, no flushing. */
  exit(code: number): never;
}
