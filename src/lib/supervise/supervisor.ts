// One service directory supervised exactly as a C supervise process would: the lock, the control
// and ok FIFOs, supervise/status, ./run started and restarted with a second's pause after each
// start. Many supervisors can share one Node process (svscan); each keeps to its own directory.
// A ./run left running by a supervisor that died is adopted, not started twice (adopt.ts). What
// to do is machine.ts's to decide; this class turns what happens into its events and carries
// out its effects.
import { closeSync, constants as fs, readSync } from 'node:fs';
import { constants as os } from 'node:os';
import { native, type ExecPlan, type FdOp, type FdWatch } from '../../native/index.js';
import { errnoError, errnoName } from '../errors.js';
import { stampNow, type Stamp } from '../status.js';
import { AdoptedChild, claim } from './adopt.js';
import {
  checkDir,
  closeHeld,
  NO_FD,
  normallyUp,
  openControl,
  openFifo,
  takeLock,
  writeStatus,
  type Held,
  type Problem,
} from './files.js';
import {
  adoptedState,
  freshState,
  pidOf,
  reduce,
  resumedState,
  supervising,
  type Effect,
  type Event,
  type Signal,
  type State,
} from './machine.js';
import { spawnRecorded } from './gate.js';
import { beginOwner, finishOwner, forgetOwner, ownerOf, writeOwner } from './owner.js';
import { listen, watchChild } from '../proc/reaper.js';

export { SuperviseStartError, type Problem, type StartStep } from './files.js';

export interface SupervisorOptions {
  /** The directory on disk, relative to the process's working directory; defaults to the name. */
  readonly path?: string;
  /** The environment ./run gets, its bytes exactly. */
  readonly env: readonly Buffer[];
  /** The process state ./run gets (the pre-Node state); SIGCHLD is always handed on as default. */
  readonly plan: ExecPlan;
  /** Descriptors to hand ./run as its stdin and stdout (svscan's log pipe), else inherited. */
  readonly stdin?: number;
  readonly stdout?: number;
  onProblem?(problem: Problem): void;
  /** Called once supervision ends after svc -x (the service being down). */
  onExit?(): void;
  /** Told of each process this supervisor adopts (svscan's log host asks a logger back in). */
  onAdopt?(pid: number): void;
}

const POLL_FALLBACK_MS = 100;
/** One byte at a time, as supervise reads its control FIFO; shared, as the loop is single. */
const byte = Buffer.alloc(1);

export class Supervisor {
  readonly path: string;
  /** Everything supervise knows and decides (machine.ts); the fields below are what its effects hold. */
  private state: State | undefined;
  private readonly held: Held = { lock: NO_FD, control: NO_FD, controlWrite: NO_FD, ok: NO_FD };
  private watch: FdWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private plan: ExecPlan | undefined;
  /** The pidfd of a ./run this supervisor did not start but took over. */
  private adopted: AdoptedChild | undefined;

  constructor(
    /** The name in messages, as given. */
    readonly dir: string,
    private readonly options: SupervisorOptions,
  ) {
    this.path = options.path ?? dir;
  }

  /** The pid of ./run, 0 when down. */
  get pid(): number {
    return this.state === undefined ? 0 : pidOf(this.state.child);
  }

  get active(): boolean {
    return this.state !== undefined && supervising(this.state);
  }

  /** Takes the directory over as supervise does on start; throws SuperviseStartError. */
  start(): void {
    const { path, held } = this;
    try {
      checkDir(path);
      const up = normallyUp(path);
      takeLock(path, held);
      openControl(path, held);
      this.state = this.takeOver(up);
      this.dispatch({ type: 'locked', at: stampNow() });
      held.ok = openFifo(path, 'supervise/ok', fs.O_RDONLY, 'ok');
    } catch (err) {
      this.release();
      throw err;
    }
    listen();
    this.dispatch({ type: 'begin', at: stampNow() });
  }

  /** With the lock held: what a supervisor that died here left running, or C's fresh start. */
  private takeOver(normallyUp: boolean): State {
    const found = claim(this.path);
    switch (found.kind) {
      case 'adopt': {
        const child = found.child;
        try {
          child.onExit(() => {
            this.adopted = undefined;
            this.dispatch({ type: 'ended', pid: child.pid, at: stampNow() });
          });
        } catch (error) {
          child.close();
          this.problem({ kind: 'adopt', pid: child.pid, error });
          return freshState(normallyUp, stampNow());
        }
        this.adopted = child;
        this.options.onAdopt?.(child.pid);
        return adoptedState(found.status);
      }
      case 'resume':
        return resumedState(found.status, found.idle);
      case 'fresh':
        if (found.problem) this.problem(found.problem);
        return freshState(normallyUp, stampNow());
    }
  }

  /** Lets go of the directory (lock, FIFOs) as if this supervise were killed; ./run keeps running. */
  stop(): void {
    if (this.state !== undefined) this.dispatch({ type: 'stop', at: stampNow() });
  }

  private release(): void {
    this.adopted?.close();
    this.adopted = undefined;
    this.watch?.close();
    this.watch = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    closeHeld(this.held);
  }

  /** The event through the machine, then its effects; what they answer (a fork, a read) goes in next. */
  private dispatch(event: Event): void {
    const queue = [event];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const step = reduce(this.state!, next);
      this.state = step.state;
      for (const effect of step.effects) {
        const answer = this.perform(effect);
        if (answer !== undefined) queue.push(answer);
      }
    }
  }

  /** One effect as syscalls; an event when the world answers at once. */
  private perform(effect: Effect): Event | undefined {
    switch (effect.type) {
      case 'write-status': {
        const problem = writeStatus(this.path, effect.status);
        if (problem !== null) this.problem(problem);
        return undefined;
      }
      case 'record-idle':
        this.record(0, effect.stamp);
        return undefined;
      case 'signal':
        for (const sig of effect.signals) {
          // An adopted child found gone: the machine learns it ended before its pidfd says so.
          if (!this.kill(effect.pid, sig)) return { type: 'ended', pid: effect.pid, at: stampNow() };
        }
        return undefined;
      case 'spawn':
        return this.spawn();
      case 'sleep':
        this.sleep(effect.ms);
        return undefined;
      case 'watch':
        this.watch ??= this.watchControl();
        return undefined;
      case 'read':
        return { type: 'read', byte: this.readControl(), at: stampNow() };
      case 'finish':
        forgetOwner(this.path);
        this.release();
        this.options.onExit?.();
        return undefined;
      case 'release':
        if (effect.reap !== null) watchChild(effect.reap, () => {});
        this.release();
        return undefined;
    }
  }

  private watchControl(): FdWatch {
    const readable = (): void => this.dispatch({ type: 'readable', at: stampNow() });
    try {
      return native().watchReadable(this.held.control, readable);
    } catch {
      // Not pollable (a regular file put where the FIFO belongs): C would spin on it; look now and then.
      const timer = setInterval(readable, POLL_FALLBACK_MS);
      return { close: () => clearInterval(timer) };
    }
  }

  private readControl(): string | null {
    try {
      if (readSync(this.held.control, byte, 0, 1, null) === 1) return String.fromCharCode(byte[0]!);
    } catch {
      // EAGAIN: nothing more to read.
    }
    return null;
  }

  /** False when `pid` is an adopted process that has ended. */
  private kill(pid: number, sig: Signal): boolean {
    // An adopted process is no child of ours (no zombie keeps its pid): it is signalled only
    // while it is provably the process adopted.
    const adopted = this.adopted;
    if (adopted?.pid === pid) {
      if (adopted.signal(sig)) return true;
      // Ended: as when its pidfd reads ready, the handle is done with.
      adopted.close();
      this.adopted = undefined;
      return false;
    }
    try {
      process.kill(pid, sig);
    } catch {
      // Gone already: supervise ignores kill's failure too (our zombie holds the pid until reaped).
    }
    return true;
  }

  /** Forks ./run; the answer is the machine's next event. */
  private spawn(): Event {
    const record = beginOwner(this.path);
    let recorded = false;
    let at = stampNow();
    let problem: Problem | null = null;
    let pid: number;
    let execErrno: number;
    try {
      // The record comes first, while the child waits at the gate: a supervisor killed before it
      // is written leaves nothing running, one killed after it leaves a child its successor adopts.
      ({ pid, execErrno } = spawnRecorded(native(), './run', ['./run'], this.options.env, this.childPlan(), (child) => {
        recorded = true;
        at = stampNow();
        problem = typeof record === 'number' ? finishOwner(this.path, record, ownerOf(child, at)) : record;
      }));
    } catch (err) {
      if (typeof record === 'number' && !recorded) closeSync(record);
      this.problem({ kind: 'fork', error: err });
      return { type: 'spawn-failed', at: stampNow() };
    }
    if (problem !== null) this.problem(problem);
    if (execErrno !== 0) this.problem({ kind: 'exec', error: errnoError(errnoName(execErrno), 'execve', './run') });
    watchChild(pid, () => this.dispatch({ type: 'ended', pid, at: stampNow() }));
    return { type: 'started', pid, at };
  }

  private record(pid: number, at: Stamp): void {
    const problem = writeOwner(this.path, ownerOf(pid, at));
    if (problem !== null) this.problem(problem);
  }

  private childPlan(): ExecPlan {
    if (this.plan) return this.plan;
    const base = this.options.plan;
    const sigchld = os.signals.SIGCHLD;
    const stdio: FdOp[] = [];
    if (this.options.stdin !== undefined) stdio.push(['dup2', this.options.stdin, 0]);
    if (this.options.stdout !== undefined) stdio.push(['dup2', this.options.stdout, 1]);
    this.plan = {
      ...base,
      ignore: base.ignore.filter((s) => s !== sigchld),
      mask: base.mask.filter((s) => s !== sigchld),
      fds: [...base.fds, ...stdio],
      ...(this.path === '.' ? {} : { cwd: this.path }),
    };
    return this.plan;
  }

  /** supervise's deepsleep: nothing is read or reaped until it is over. */
  private sleep(ms: number): void {
    this.watch?.close();
    this.watch = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.dispatch({ type: 'woke', at: stampNow() });
    }, ms);
  }

  private problem(problem: Problem): void {
    this.options.onProblem?.(problem);
  }
}
