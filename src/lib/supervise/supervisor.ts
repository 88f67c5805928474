// One service directory supervised exactly as a C supervise process would: the lock, the control
// and ok FIFOs, supervise/status, ./run started and restarted with a second's pause after each
// start. Many supervisors can share one Node process (svscan); each keeps to its own directory.
import { closeSync, constants as fs, mkdirSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { constants as os } from 'node:os';
import { native, type ExecPlan, type FdOp, type FdWatch } from '../../native/index.js';
import { isCommandLetter } from '../control.js';
import { errnoError, errnoName } from '../errors.js';
import { encodeStatus, STATUS_SIZE, stampNow } from '../status.js';
import { initialState, reduce, startup, statusOf, type Effect, type Event, type State } from './machine.js';
import { listen, unwatchChild, watchChild } from './reaper.js';

/** A step of supervise's start-up that can fail, after which supervise gives up (exit 111). */
export type StartStep = 'chdir' | 'down' | 'lock' | 'control-read' | 'control-write' | 'ok';

export class SuperviseStartError extends Error {
  constructor(
    readonly step: StartStep,
    override readonly cause: unknown,
  ) {
    super(`supervise start-up failed at ${step}`);
  }
}

/** Something supervise warns about and carries on after. */
export type Problem =
  | { readonly kind: 'status-open' | 'status-write' | 'status-rename'; readonly error: unknown }
  | { readonly kind: 'status-partial' }
  /** fork failed: supervise waits a minute. */
  | { readonly kind: 'fork'; readonly error: unknown }
  /** ./run could not be executed: the child said so and exited 111. */
  | { readonly kind: 'exec'; readonly error: unknown };

export interface SupervisorOptions {
  /** The directory on disk, relative to the process's working directory; defaults to the name. */
  readonly path?: string;
  /** The environment ./run gets. */
  readonly env: readonly string[];
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

/** Pause after each start, and after a failed fork (supervise's deepsleep). */
const START_PAUSE_MS = 1000;
const FORK_RETRY_MS = 60000;
const POLL_FALLBACK_MS = 100;
const NONE = -1;
/** One byte at a time, as supervise reads its control FIFO; shared, as the loop is single. */
const byte = Buffer.alloc(1);

export class Supervisor {
  readonly path: string;
  private state: State | undefined;
  private stage: Stage = 'enter';
  private fdLock = NONE;
  private fdControl = NONE;
  private fdControlWrite = NONE;
  private fdOk = NONE;
  private watch: FdWatch | undefined;
  private timer: NodeJS.Timeout | undefined;
  private controlReady = false;
  private exitPending = false;
  private running = false;
  private plan: ExecPlan | undefined;

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

  private file(name: string): string {
    return this.path === '.' ? name : `${this.path}/${name}`;
  }

  /** Takes the directory over as supervise does on start; throws SuperviseStartError. */
  start(): void {
    const n = native();
    if (this.path !== '.') {
      // Where supervise would chdir, check the same: a directory we can get to.
      try {
        if (!statSync(this.path).isDirectory()) throw errnoError('ENOTDIR', 'chdir', this.path);
      } catch (err) {
        throw new SuperviseStartError('chdir', err);
      }
    }
    let normallyUp = false;
    try {
      statSync(this.file('down'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new SuperviseStartError('down', err);
      normallyUp = true;
    }
    try {
      mkdirSync(this.file('supervise'), 0o700);
    } catch {
      // Already there, or the lock below says why not.
    }
    try {
      this.fdLock = openSync(this.file('supervise/lock'), fs.O_WRONLY | fs.O_NONBLOCK | fs.O_APPEND | fs.O_CREAT, 0o600);
      n.flock(this.fdLock, n.constants.LOCK_EX | n.constants.LOCK_NB);
    } catch (err) {
      this.release();
      throw new SuperviseStartError('lock', err);
    }
    this.fdControl = this.openFifo('supervise/control', fs.O_RDONLY, 'control-read');
    // Holding a write end too: the FIFO never reads as end-of-file when svc closes it.
    this.fdControlWrite = this.openFifo('supervise/control', fs.O_WRONLY, 'control-write', false);
    this.state = initialState(normallyUp, stampNow());
    this.running = true;
    this.announce();
    try {
      this.fdOk = this.openFifo('supervise/ok', fs.O_RDONLY, 'ok');
    } catch (err) {
      this.running = false;
      throw err;
    }
    listen();
    this.apply(startup(this.state));
    this.pump();
  }

  /** Lets go of the directory (lock, FIFOs) as if this supervise were killed; ./run keeps running. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    const pid = this.pid;
    if (pid !== 0) watchChild(pid, () => {}); // still reap it, so no zombie is left behind
    this.release();
  }

  private openFifo(name: string, mode: number, step: StartStep, make = true): number {
    if (make) {
      try {
        native().mkfifo(this.file(name), 0o600);
      } catch {
        // Already there; opening it tells whether it is usable.
      }
    }
    try {
      return openSync(this.file(name), mode | fs.O_NONBLOCK);
    } catch (err) {
      this.release();
      throw new SuperviseStartError(step, err);
    }
  }

  private release(): void {
    this.watch?.close();
    this.watch = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const fd of [this.fdOk, this.fdControlWrite, this.fdControl, this.fdLock]) if (fd !== NONE) closeSync(fd);
    this.fdOk = this.fdControlWrite = this.fdControl = this.fdLock = NONE;
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
      return native().watchReadable(this.fdControl, () => this.onReadable());
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
      if (readSync(this.fdControl, byte, 0, 1, null) === 1) return String.fromCharCode(byte[0]!);
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
    try {
      process.kill(this.state!.pid, sig);
    } catch {
      // Gone already: supervise ignores kill's failure too.
    }
  }

  private startChild(): void {
    let pid: number;
    try {
      const result = native().spawn('./run', ['./run'], this.options.env, this.childPlan());
      pid = result.pid;
      if (result.execErrno !== 0) this.problem({ kind: 'exec', error: errnoError(errnoName(result.execErrno), 'execve', './run') });
    } catch (err) {
      this.problem({ kind: 'fork', error: err });
      this.sleep(FORK_RETRY_MS);
      return;
    }
    watchChild(pid, () => this.onChildExit(pid));
    this.dispatch({ type: 'started', pid, at: stampNow() });
    this.sleep(START_PAUSE_MS);
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
    const bytes = encodeStatus(statusOf(this.state!));
    let fd: number;
    try {
      fd = openSync(this.file('supervise/status.new'), fs.O_WRONLY | fs.O_NONBLOCK | fs.O_TRUNC | fs.O_CREAT, 0o644);
    } catch (error) {
      this.problem({ kind: 'status-open', error });
      return;
    }
    let written: number;
    try {
      written = writeSync(fd, bytes);
    } catch (error) {
      closeSync(fd);
      this.problem({ kind: 'status-write', error });
      return;
    }
    closeSync(fd);
    if (written < STATUS_SIZE) {
      this.problem({ kind: 'status-partial' });
      return;
    }
    try {
      renameSync(this.file('supervise/status.new'), this.file('supervise/status'));
    } catch (error) {
      this.problem({ kind: 'status-rename', error });
    }
  }

  private finish(): void {
    this.announce();
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
