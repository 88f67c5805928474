// What the next program will be handed: the pre-Node state from the launcher, changed by each
// link of a chain in order (environment, limits, descriptors). Credentials and the process group
// are changed in-process at once, as a C link would; limits wait for the final execve so Node
// never runs under them.
import type { ExecPlan, FdOp, NativeBinding } from '../../native/binding.js';
import { applyEnvChanges, type EnvChange } from '../pathexec.js';
import { parseCaptured, takeRecord, type CapturedState } from './captured.js';

export class ExecContext {
  /** The environment the current program sees, in environ order, as byte strings (exec/bytes.ts). */
  env: string[];
  /** Changes the current link asked for; applied when it hands on (pathexec_env). */
  private pending: EnvChange[] = [];
  readonly rlimits: Map<number, [bigint, bigint]>;
  /** Descriptors the program will have open: inherited ones plus those links opened. */
  private readonly open: Set<number>;
  private readonly chainOps: FdOp[] = [];
  /** Descriptors the program itself set up (e.g. `exec </dev/null`): handed on as they are now. */
  private readonly own = new Set<number>();
  /** Ids this thread took alone (setuidgid): Node's other threads still hold the old ones. */
  private lagging: { gid?: number; uid?: number } = {};

  constructor(
    readonly captured: CapturedState,
    env: readonly string[],
  ) {
    this.env = env.slice();
    // A copy by forEach, not a spread and destructured pairs (their iterators cost a chain's
    // start ~0.1 M instructions), as in plan().
    this.rlimits = new Map();
    captured.rlimits.forEach((limits, r) => this.rlimits.set(r, [limits[0], limits[1]]));
    this.open = new Set(captured.fds.map((f) => f.fd));
  }

  /** Reads the launcher's record from process.env (and removes it there), or falls back to now. */
  static fromProcess(n: NativeBinding): ExecContext {
    const text = takeRecord();
    const captured = parseCaptured(text, n.rlimInfinity) ?? currentState(n);
    // environ's bytes, not process.env's UTF-8 reading of them: a value in another encoding goes on unchanged.
    return new ExecContext(captured, n.environ());
  }

  /**
   * setgid(2) for the rest of the chain (the caller sets the supplementary groups first, for every
   * thread). Where the system allows, for this thread alone: every later link runs on it and the
   * final execve keeps only it, so libc's round of signals that makes Node's idle threads follow
   * (one per thread, each waited for) is left to `threadsFollow`, for a chain that ends in a
   * program of ours run on in this process. Throws what the system call met.
   */
  takeGid(n: NativeBinding, gid: number): void {
    if (this.alone(() => n.setgidThread(gid))) this.lagging = { ...this.lagging, gid };
    else n.setgid(gid);
  }

  /** setuid(2) for the rest of the chain, as `takeGid`. */
  takeUid(n: NativeBinding, uid: number): void {
    if (this.alone(() => n.setuidThread(uid))) this.lagging = { ...this.lagging, uid };
    else n.setuid(uid);
  }

  /** Runs a call for this thread alone; false where the system has none (ENOSYS). */
  private alone(call: () => void): boolean {
    try {
      call();
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOSYS') return false;
      throw err;
    }
  }

  /**
   * Makes every thread hold the ids this one took, before a program of ours runs on in this
   * process: libc's calls, allowed both to this thread, which holds the ids already, and to the
   * others, which hold the old ones.
   */
  threadsFollow(n: NativeBinding): void {
    const { gid, uid } = this.lagging;
    if (gid !== undefined) n.setgid(gid);
    if (uid !== undefined) n.setuid(uid);
    this.lagging = {};
  }

  /** Queues a change; `name` and `value` are byte strings. */
  setEnv(name: string, value: string | undefined): void {
    this.pending.push([name, value]);
  }

  /** Applies the current link's environment changes, as it execs the next program. */
  commitEnv(): void {
    this.env = applyEnvChanges(this.env, this.pending);
    this.pending = [];
  }

  getrlimit(resource: number): [bigint, bigint] | undefined {
    return this.rlimits.get(resource);
  }

  setSoftLimit(resource: number, cur: bigint): void {
    const have = this.rlimits.get(resource);
    if (have) have[0] = cur;
  }

  /** The lowest descriptor number the program does not have open, as open(2) would pick. */
  lowestFreeFd(): number {
    let fd = 0;
    while (this.open.has(fd)) fd++;
    return fd;
  }

  isOpen(fd: number): boolean {
    return this.open.has(fd);
  }

  /** Hands `from` (one of ours) to the program as descriptor `to`. */
  inheritFd(from: number, to: number): void {
    this.chainOps.push(['dup2', from, to]);
    this.open.add(to);
  }

  /** `fd` now holds what the program itself put there (as a shell's `exec 2>file` does). */
  ownFd(fd: number): void {
    this.own.add(fd);
    this.open.add(fd);
  }

  /** The plan for execve or for a child: the captured state restored, then the chain's changes. */
  plan(extra: readonly FdOp[] = []): ExecPlan {
    const fds: FdOp[] = [];
    for (const fd of [0, 1, 2]) {
      if (!this.own.has(fd) && !this.captured.fds.some((f) => f.fd === fd)) fds.push(['close', fd]);
    }
    for (const f of this.captured.fds) {
      if (!this.own.has(f.fd)) fds.push(['cloexec', f.fd, f.cloexec], ['nonblock', f.fd, f.nonblock]);
    }
    for (const fd of this.own) fds.push(['cloexec', fd, false]);
    return {
      ignore: this.captured.ignored,
      mask: this.captured.blocked,
      rlimits: limitList(this.rlimits),
      fds: fds.concat(this.chainOps, extra),
    };
  }

  /** Once the program planned for is started: lets go of what plan() took for it (nothing here). */
  release(): void {}
}

/** Without a launcher record: the state Node has now, stdio as plain inherited descriptors. */
function currentState(n: NativeBinding): CapturedState {
  const rlimits = new Map<number, readonly [bigint, bigint]>();
  for (const r of Object.values(n.constants.RLIMIT)) rlimits.set(r, n.getrlimit(r));
  const fds = [0, 1, 2].map((fd) => ({ fd, cloexec: false, nonblock: false }));
  return { ignored: [], blocked: [], rlimits, fds };
}

/** The limits as the plan lists them: [resource, soft, hard] each. */
function limitList(rlimits: ReadonlyMap<number, readonly [bigint, bigint]>): [number, bigint, bigint][] {
  const list: [number, bigint, bigint][] = [];
  rlimits.forEach((limits, r) => list.push([r, limits[0], limits[1]]));
  return list;
}
