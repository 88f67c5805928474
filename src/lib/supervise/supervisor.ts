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
  type Problem as BaseProblem,
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
import { ipcChannel, NotifySocket, s6Channel, type Channel } from './channels.js';
import { readinessExec, withEnv } from './ext/exec.js';
import { formatWarning, readExtensions, type ExtensionConfig, type ExtensionWarning } from './ext/files.js';
import { makeSidecar } from './ext/sidecar.js';
import { removeSidecar, writeSidecar, type SidecarProblem } from './ext/sidecar-file.js';
import { signalName } from './ext/signals.js';
import type { Exit, Timer } from './extended.js';
import { beginOwner, finishOwner, forgetOwner, ownerOf, writeOwner } from './owner.js';
import { listen, watchChild } from '../proc/reaper.js';

export { SuperviseStartError, type StartStep } from './files.js';
export { formatWarning };

/** What supervise warns about: C's problems, and those of the extension files (issue 13). */
export type Problem =
  | BaseProblem
  /** A malformed extension file, counted as absent: `supervise: warning: DIR/FILE: ...`. */
  | { readonly kind: 'extension'; readonly warning: ExtensionWarning }
  /** The sd_notify socket could not be made: the service runs without NOTIFY_SOCKET. */
  | { readonly kind: 'notify-socket'; readonly error: unknown }
  /** ./finish could not be started. */
  | { readonly kind: 'finish'; readonly error: unknown }
  | SidecarProblem;

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
  /** The extension files as read at start-up; null without any (C's supervise exactly). */
  private ext: ExtensionConfig | null = null;
  /** The machine's timers (extension files only). */
  private readonly timers = new Map<Timer, NodeJS.Timeout>();
  /** The current run's readiness channel (s6's pipe, Node IPC), and the service's sd_notify socket. */
  private channel: Channel | undefined;
  private notifySocket: NotifySocket | undefined;
  /** Starts so far: the run number readiness notices are tagged with (the machine counts the same). */
  private runs = 0;

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
      this.readExtensions();
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
            this.dispatch({ type: 'ended', pid: child.pid, at: stampNow(), exit: { code: null, signal: null } });
          });
        } catch (error) {
          child.close();
          this.problem({ kind: 'adopt', pid: child.pid, error });
          return freshState(normallyUp, stampNow());
        }
        this.adopted = child;
        this.options.onAdopt?.(child.pid);
        return adoptedState(found.status, this.ext, normallyUp);
      }
      case 'resume':
        return resumedState(found.status, found.idle, this.ext, normallyUp);
      case 'fresh':
        if (found.problem) this.problem(found.problem);
        return freshState(normallyUp, stampNow(), this.ext);
    }
  }

  /** Lets go of the directory (lock, FIFOs) as if this supervise were killed; ./run keeps running. */
  stop(): void {
    if (this.state !== undefined) this.dispatch({ type: 'stop', at: stampNow() });
  }

  /** The extension files, each problem warned about once; the sd_notify socket when asked for. */
  private readExtensions(): void {
    const nofile = this.options.plan.rlimits.find(([r]) => r === native().constants.RLIMIT['NOFILE']);
    const maxFd = nofile === undefined ? undefined : Number(nofile[1] < 1n ? 0n : nofile[1] - 1n);
    const { config, warnings } = readExtensions(this.path, maxFd === undefined ? {} : { maxFd });
    for (const warning of warnings) this.problem({ kind: 'extension', warning });
    if (!config.enabled) {
      // Back to C's view: a sidecar an earlier run of ours left is no longer true.
      removeSidecar(this.path);
      return;
    }
    this.ext = config;
    if (config.readiness?.dialect === 'sd-notify') {
      try {
        this.notifySocket = new NotifySocket(this.path);
        this.notifySocket.listen((notice) => this.dispatch({ type: 'notify', run: this.runs, notice, at: stampNow() }));
      } catch (error) {
        this.problem({ kind: 'notify-socket', error });
      }
    }
  }

  private release(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.channel?.close();
    this.channel = undefined;
    this.notifySocket?.close();
    this.notifySocket = undefined;
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
      case 'set-timer': {
        const { timer, run } = effect;
        clearTimeout(this.timers.get(timer));
        this.timers.set(
          timer,
          setTimeout(() => {
            this.timers.delete(timer);
            this.dispatch({ type: 'timer', timer, run, at: stampNow() });
          }, effect.ms),
        );
        return undefined;
      }
      case 'clear-timer':
        clearTimeout(this.timers.get(effect.timer));
        this.timers.delete(effect.timer);
        return undefined;
      case 'run-finish':
        return this.runFinish(effect.exit);
      case 'write-sidecar': {
        const problem = writeSidecar(this.path, makeSidecar(effect.sidecar));
        if (problem !== null) this.problem(problem);
        return undefined;
      }
    }
  }

  /** s6's ./finish: exit code (256 when killed) and signal number as arguments, in the service directory. */
  private runFinish(exit: Exit): Event {
    const code = exit.code ?? 256;
    const signal = exit.signal === null ? 0 : os.signals[exit.signal];
    let pid: number;
    try {
      const started = native().spawn('./finish', ['./finish', String(code), String(signal)], this.options.env, this.childPlan());
      pid = started.pid;
      if (started.execErrno !== 0) this.problem({ kind: 'finish', error: errnoError(errnoName(started.execErrno), 'execve', './finish') });
    } catch (error) {
      this.problem({ kind: 'finish', error });
      return { type: 'finish-started', pid: null, at: stampNow() };
    }
    watchChild(pid, (result) => this.dispatch({ type: 'finish-ended', pid, code: result?.code ?? null, at: stampNow() }));
    return { type: 'finish-started', pid, at: stampNow() };
  }

  /** A run's readiness channel (s6's pipe or Node IPC), made afresh for each start. */
  private openChannel(): Channel | undefined {
    const ext = this.ext;
    if (ext?.readiness?.dialect === 's6') return s6Channel(ext);
    if (ext?.readiness?.dialect === 'ipc') return ipcChannel(ext, inheritedFds(this.childPlan()));
    return undefined;
  }

  /** ./run's environment: C's, with the dialect's variables (NOTIFY_SOCKET, NODE_CHANNEL_FD, ...) put in. */
  private childEnv(channel: Channel | undefined): readonly Buffer[] {
    if (this.ext === null) return this.options.env;
    if (channel !== undefined) return withEnv(this.options.env, channel.env);
    if (this.notifySocket === undefined) return this.options.env;
    const { env } = readinessExec(this.ext, { socketAddress: this.notifySocket.address }, []);
    // A WATCHDOG_PID from our own parent would make libsystemd ignore the watchdog.
    return withEnv(this.options.env.filter((e) => !e.subarray(0, 13).equals(WATCHDOG_PID)), env);
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
    let channel: Channel | undefined;
    try {
      channel = this.openChannel();
      const base = this.childPlan();
      const plan = channel === undefined ? base : { ...base, fds: [...base.fds, ...channel.fds] };
      // The record comes first, while the child waits at the gate: a supervisor killed before it
      // is written leaves nothing running, one killed after it leaves a child its successor adopts.
      ({ pid, execErrno } = spawnRecorded(native(), './run', ['./run'], this.childEnv(channel), plan, (child) => {
        recorded = true;
        at = stampNow();
        problem = typeof record === 'number' ? finishOwner(this.path, record, ownerOf(child, at)) : record;
      }));
    } catch (err) {
      channel?.close();
      if (typeof record === 'number' && !recorded) closeSync(record);
      this.problem({ kind: 'fork', error: err });
      return { type: 'spawn-failed', at: stampNow() };
    }
    if (problem !== null) this.problem(problem);
    if (execErrno !== 0) this.problem({ kind: 'exec', error: errnoError(errnoName(execErrno), 'execve', './run') });
    const run = ++this.runs;
    this.channel?.close();
    this.channel = channel;
    channel?.started((notice) => this.dispatch({ type: 'notify', run, notice, at: stampNow() }));
    watchChild(pid, (result) => this.dispatch({ type: 'ended', pid, at: stampNow(), exit: exitOf(result) }));
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

const WATCHDOG_PID = Buffer.from('WATCHDOG_PID=');

/** The descriptors ./run has open from `plan`: 0-2, those left without close-on-exec, dup2's targets. */
function inheritedFds(plan: ExecPlan): number[] {
  const open = new Set([0, 1, 2]);
  for (const op of plan.fds) {
    if (op[0] === 'cloexec') {
      if (op[2]) open.delete(op[1]);
      else open.add(op[1]);
    } else if (op[0] === 'dup2') open.add(op[2]);
    else if (op[0] === 'close') open.delete(op[1]);
  }
  return [...open];
}

/** waitpid's answer as the machine records it; null (reaped by someone else): unknown. */
function exitOf(result: { code: number | null; signal: number | null } | null): Exit {
  if (result === null) return { code: null, signal: null };
  return { code: result.code, signal: result.signal === null ? null : signalName(result.signal) };
}
