// One service directory supervised exactly as a C supervise process would: the lock, the control
// and ok FIFOs, supervise/status, ./run started and restarted with a second's pause after each
// start. Many supervisors can share one Node process (svscan); each keeps to its own directory.
// A ./run left running by a supervisor that died is adopted, not started twice (adopt.ts).
import { closeSync, constants as fs, readSync } from 'node:fs';
import { constants as os } from 'node:os';
import { native, type ExecPlan, type FdOp, type FdWatch } from '../../native/index.js';
import { isCommandLetter } from '../control.js';
import { errnoError, errnoName } from '../errors.js';
import { encodeStatus, stampNow, type Stamp } from '../status.js';
import { AdoptedChild, claim } from './adopt.js';
import {
  checkDir,
  closeHeld,
  NO_FD,
  normallyUp,
  openFifo,
  takeLock,
  writeStatus,
  type Held,
  type Problem,
} from './files.js';
import { initialState, reduce, resumedState, startup, statusOf, type Effect, type Event, type State } from './machine.js';
import { spawnRecorded } from './gate.js';
import { beginOwner, finishOwner, forgetOwner, ownerOf, writeOwner } from './owner.js';
import { listen, unwatchChild, watchChild } from '../proc/reaper.js';

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
}

type Stage = 'enter' | 'wait' | 'reap' | 'control';

/** Told of every process a supervisor in this process adopts (svscan's log host asks loggers back). */
let adoptionHook: ((pid: number) => void) | null = null;

export function setAdoptionHook(hook: ((pid: number) => void) | null): void {
  adoptionHook = hook;
}

/** Pause after each start, and after a failed fork (supervise's deepsleep). */
const START_PAUSE_MS = 1000;
const FORK_RETRY_MS = 60000;
const POLL_FALLBACK_MS = 100;
/** One byte at a time, as supervise reads its control FIFO; shared, as the loop is single. */
const byte = Buffer.alloc(1);

export class Supervisor {
  readonly path: string;
  private state: State | undefined;
  private stage: Stage = 'enter';
  private readonly held: Held = { lock: NO_FD, control: NO_FD, controlWrite: NO_FD, ok: NO_FD };
  private watch: FdWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private controlReady = false;
  private exitPending = false;
  private running = false;
  private plan: ExecPlan | undefined;
  /** The running ./run when this supervisor did not start it but took it over. */
  private adopted: AdoptedChild | undefined;
  /**
   * After a takeover, the status is written once, with ok open (watchers learn a supervisor is
   * back), and not again while it stays the same: C rewrites nothing when svscan restarts.
   * null: not yet written; undefined: no takeover, every announce writes, as C's do.
   */
  private quiet: Buffer | null | undefined;
  /** The record (owner.ts) already says nothing runs here. */
  private idleRecorded = false;

  constructor(
    /** The name in messages, as given. */
    readonly dir: string,
    private readonly options: SupervisorOptions,
  ) {
    this.path = options.path ?? dir;
  }

  /** The pid of ./run, 0 when down. */
  get pid(): number {
    return this.state?.pid ?? 0;
  }

  get active(): boolean {
    return this.running;
  }

  /** Takes the directory over as supervise does on start; throws SuperviseStartError. */
  start(): void {
    const { path, held } = this;
    try {
      checkDir(path);
      const up = normallyUp(path);
      takeLock(path, held);
      held.control = openFifo(path, 'supervise/control', fs.O_RDONLY, 'control-read');
      // Holding a write end too: the FIFO never reads as end-of-file when svc closes it.
      held.controlWrite = openFifo(path, 'supervise/control', fs.O_WRONLY, 'control-write', false);
      this.state = this.takeOver(up);
      // After a takeover the status is there already; it is written once ok is open (see quiet).
      if (this.quiet !== null) this.announce();
      held.ok = openFifo(path, 'supervise/ok', fs.O_RDONLY, 'ok');
    } catch (err) {
      this.release();
      throw err;
    }
    this.running = true;
    listen();
    const effects = startup(this.state);
    // Nothing runs or starts: the record still says a supervisor began here (adopt.ts resumes it).
    if (effects.length === 0 && this.state.pid === 0 && !this.idleRecorded) this.record(0, this.state.stamp);
    this.apply(effects);
    this.pump();
  }

  /** With the lock held: what a supervisor that died here left running, or C's fresh start. */
  private takeOver(normallyUp: boolean): State {
    const found = claim(this.path);
    switch (found.kind) {
      case 'adopt': {
        const child = found.child;
        try {
          child.onExit(() => this.onChildExit(child.pid));
        } catch (error) {
          child.close();
          this.problem({ kind: 'adopt', pid: child.pid, error });
          return initialState(normallyUp, stampNow());
        }
        this.adopted = child;
        this.quiet = null;
        adoptionHook?.(child.pid);
        return resumedState(found.status);
      }
      case 'resume':
        this.quiet = null;
        this.idleRecorded = found.idle;
        return resumedState(found.status);
      case 'fresh':
        if (found.problem) this.problem(found.problem);
        return initialState(normallyUp, stampNow());
    }
  }

  /** Lets go of the directory (lock, FIFOs) as if this supervise were killed; ./run keeps running. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    const pid = this.pid;
    // Still reap it, so no zombie is left behind (an adopted one is not ours to reap).
    if (pid !== 0 && this.adopted === undefined) watchChild(pid, () => {});
    this.release();
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

  /** supervise's main loop, one stage at a time: reap a dead child, then read one command. */
  private pump(): void {
    while (this.running && this.timer === undefined) {
      switch (this.stage) {
        case 'enter':
          this.stage = 'wait';
          this.announce();
          break;
        case 'wait':
          if (!this.exitPending && !this.controlReady) {
            this.watch ??= this.watchControl();
            return;
          }
          this.stage = 'reap';
          break;
        case 'reap':
          this.stage = 'control';
          if (this.exitPending) {
            this.exitPending = false;
            this.dispatch({ type: 'exited', at: stampNow() });
          }
          break;
        case 'control': {
          this.stage = 'wait';
          const letter = this.readControl();
          if (letter !== null && isCommandLetter(letter)) this.dispatch({ type: 'command', command: letter });
          break;
        }
      }
    }
  }

  private watchControl(): FdWatch {
    try {
      return native().watchReadable(this.held.control, () => this.onReadable());
    } catch {
      // Not pollable (a regular file put where the FIFO belongs): C would spin on it; look now and then.
      const timer = setInterval(() => this.onReadable(), POLL_FALLBACK_MS);
      return { close: () => clearInterval(timer) };
    }
  }

  private onReadable(): void {
    this.controlReady = true;
    this.pump();
  }

  private readControl(): string | null {
    try {
      if (readSync(this.held.control, byte, 0, 1, null) === 1) return String.fromCharCode(byte[0]!);
    } catch {
      // EAGAIN: nothing more to read.
    }
    this.controlReady = false;
    return null;
  }

  private dispatch(event: Event): void {
    const step = reduce(this.state!, event);
    this.state = step.state;
    this.apply(step.effects);
  }

  private apply(effects: readonly Effect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'announce':
          this.announce();
          break;
        case 'signal':
          // A reaped child's pid may already belong to someone else: C's zombie would still hold it.
          if (!this.exitPending) for (const sig of effect.signals) this.kill(sig);
          break;
        case 'start':
          this.startChild();
          break;
        case 'finish':
          this.finish();
          break;
      }
    }
  }

  private kill(sig: NodeJS.Signals): void {
    // An adopted process is no zombie of ours: once it has ended, its pid may be anyone's.
    if (this.adopted !== undefined && !this.adopted.running()) return;
    try {
      process.kill(this.state!.pid, sig);
    } catch {
      // Gone already: supervise ignores kill's failure too.
    }
  }

  private startChild(): void {
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
      this.sleep(FORK_RETRY_MS);
      return;
    }
    if (problem !== null) this.problem(problem);
    if (execErrno !== 0) this.problem({ kind: 'exec', error: errnoError(errnoName(execErrno), 'execve', './run') });
    watchChild(pid, () => this.onChildExit(pid));
    this.dispatch({ type: 'started', pid, at });
    this.sleep(START_PAUSE_MS);
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

  private onChildExit(pid: number): void {
    if (!this.running || this.state?.pid !== pid) return;
    if (this.adopted?.pid === pid) {
      this.adopted.close();
      this.adopted = undefined;
    }
    this.exitPending = true;
    this.pump();
  }

  /** supervise's deepsleep: nothing is read or reaped until it is over. */
  private sleep(ms: number): void {
    this.watch?.close();
    this.watch = undefined;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.controlReady = true; // whatever arrived meanwhile is read next
      this.pump();
    }, ms);
  }

  private announce(): void {
    const status = statusOf(this.state!);
    if (this.quiet !== undefined) {
      const bytes = encodeStatus(status);
      if (this.quiet?.equals(bytes)) return;
      this.quiet = this.quiet === null ? bytes : undefined;
    }
    const problem = writeStatus(this.path, status);
    if (problem !== null) this.problem(problem);
  }

  private finish(): void {
    this.announce();
    forgetOwner(this.path);
    this.running = false;
    const pid = this.pid;
    if (pid !== 0) unwatchChild(pid);
    this.release();
    this.options.onExit?.();
  }

  private problem(problem: Problem): void {
    this.options.onProblem?.(problem);
  }
}
