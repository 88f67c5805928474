// supervise's state machine as a pure reducer, case for case like supervise.c: what a command
// letter, a child's start or end, a pause's end or a readable control FIFO does to the service
// (state.ts), where the main loop goes next, and which effects follow (status writes, signals, a
// fork, a read of one control byte, a pause), in the order supervise performs them. Every decision
// is taken here; the supervisor (supervisor.ts) turns what happens into events and effects into
// syscalls, and feeds back the answers to a fork and a read as the next event.
import { Command, isCommandLetter, type CommandLetter } from '../control.js';
import type { Stamp, Status } from '../status.js';
import { afterDeath, clearFailure, type Death } from './ext/policy.js';
import type { SidecarParts } from './ext/sidecar.js';
import { msOf, type Exit, type Ext, type Timer } from './extended.js';
import {
  DOWN,
  EVERY_WRITE,
  pidOf,
  sameStatus,
  sidecarOf,
  signalTarget,
  statusOf,
  type Child,
  type Loop,
  type State,
} from './state.js';

export * from './state.js';
export type { Timer } from './extended.js';

/** C's signals, and any `down-signal` names. */
export type Signal = 'SIGTERM' | 'SIGCONT' | 'SIGSTOP' | 'SIGALRM' | 'SIGHUP' | 'SIGKILL' | 'SIGINT' | NodeJS.Signals;

/** What a readiness dialect told us (s6's newline, a Node IPC 'ready', sd_notify's tags). */
export interface Notice {
  /** true: ready (READY=1, s6's newline, 'ready'); false: not any more (RELOADING=1, STOPPING=1). */
  readonly ready?: boolean;
  /** STATUS=: the text, or null to clear it. */
  readonly status?: string | null;
  readonly mainPid?: number;
  readonly errno?: number;
  readonly watchdog?: 'ping' | 'trigger';
}

/** supervise's deepsleep after each start, and after a failed fork. */
export const START_PAUSE_MS = 1000;
export const FORK_RETRY_MS = 60000;

export type Event =
  /** The lock is held and supervise/control open: supervise announces what it starts from. */
  | { readonly type: 'locked'; readonly at: Stamp }
  /** supervise/ok is open: ./run starts if wanted, and the main loop begins. */
  | { readonly type: 'begin'; readonly at: Stamp }
  /** supervise/control reads ready. */
  | { readonly type: 'readable'; readonly at: Stamp }
  /** The answer to 'read': one byte, or null when there was none. */
  | { readonly type: 'read'; readonly byte: string | null; readonly at: Stamp }
  /** The answer to 'spawn': ./run runs as `pid`, recorded at `at`. */
  | { readonly type: 'started'; readonly pid: number; readonly at: Stamp }
  /** The answer to 'spawn': fork failed. */
  | { readonly type: 'spawn-failed'; readonly at: Stamp }
  /** Process `pid` has ended (reaped, or its pidfd read ready); how, when waitpid said. */
  | { readonly type: 'ended'; readonly pid: number; readonly at: Stamp; readonly exit?: Exit }
  /** A readiness dialect spoke for run number `run` (extension files only). */
  | { readonly type: 'notify'; readonly run: number; readonly notice: Notice; readonly at: Stamp }
  /** A 'set-timer' of run `run` is due. */
  | { readonly type: 'timer'; readonly timer: Timer; readonly run: number; readonly at: Stamp }
  /** The answer to 'run-finish': ./finish runs as `pid`, or could not be forked (null). */
  | { readonly type: 'finish-started'; readonly pid: number | null; readonly at: Stamp }
  /** ./finish (`pid`) has ended: its exit code, null when killed. */
  | { readonly type: 'finish-ended'; readonly pid: number; readonly code: number | null; readonly at: Stamp }
  /** A 'sleep' is over. */
  | { readonly type: 'woke'; readonly at: Stamp }
  /** Let the directory go as if this supervise were killed; ./run keeps running. */
  | { readonly type: 'stop'; readonly at: Stamp };

export type Effect =
  /** Write these 18 bytes to supervise/status (by way of status.new). */
  | { readonly type: 'write-status'; readonly status: Status }
  /** Record in supervise/owner that nothing runs here, as of `stamp` (adopt.ts resumes from it). */
  | { readonly type: 'record-idle'; readonly stamp: Stamp }
  /** Send each signal, in order, to `pid`. */
  | { readonly type: 'signal'; readonly pid: number; readonly signals: readonly Signal[] }
  /** Fork ./run; answered at once by 'started' or 'spawn-failed'. */
  | { readonly type: 'spawn' }
  /** Sleep `ms`, reading and reaping nothing; answered later by 'woke'. */
  | { readonly type: 'sleep'; readonly ms: number }
  /** Wait for supervise/control to read ready; answered later by 'readable'. */
  | { readonly type: 'watch' }
  /** Read one byte of supervise/control; answered at once by 'read'. */
  | { readonly type: 'read' }
  /** svc -x carried out: forget supervise/owner, let the directory go, tell whoever started us. */
  | { readonly type: 'finish' }
  /** Let the directory go; `reap`: a child of ours left running, to be reaped when it ends. */
  | { readonly type: 'release'; readonly reap: number | null }
  /** Start (or restart) `timer`: a 'timer' event for run `run` after `ms`. */
  | { readonly type: 'set-timer'; readonly timer: Timer; readonly ms: number; readonly run: number }
  | { readonly type: 'clear-timer'; readonly timer: Timer }
  /** Run ./finish for this exit (s6's arguments); answered at once by 'finish-started'. */
  | { readonly type: 'run-finish'; readonly exit: Exit }
  /** Replace supervise/status.json (written before the 18 bytes that follow it). */
  | { readonly type: 'write-sidecar'; readonly sidecar: SidecarParts };

export interface Step {
  readonly state: State;
  readonly effects: readonly Effect[];
}

const SPAWN: Effect = { type: 'spawn' };
const WATCH: Effect = { type: 'watch' };
const READ: Effect = { type: 'read' };
const FINISH: Effect = { type: 'finish' };
const SPAWNING: Child = { phase: 'spawning' };

/** Signals that only reach a running child and change nothing else. */
const PLAIN_SIGNALS: Partial<Record<CommandLetter, Signal>> = {
  [Command.alarm]: 'SIGALRM',
  [Command.hangup]: 'SIGHUP',
  [Command.kill]: 'SIGKILL',
  [Command.term]: 'SIGTERM',
  [Command.interrupt]: 'SIGINT',
};

const loop = (s: State, change: Partial<Loop>): State => ({ ...s, loop: { ...s.loop, ...change } });

/** supervise's announce(): the status, written unless the rule in force (StatusWrites) skips it. */
function announce(s: State, out: Effect[]): State {
  const status = statusOf(s);
  const { writes } = s;
  if (writes.rule === 'changed' && writes.last !== null && sameStatus(writes.last, status)) return s;
  out.push({ type: 'write-status', status });
  if (writes.rule === 'every') return s;
  return { ...s, writes: writes.last === null ? { rule: 'changed', last: status } : EVERY_WRITE };
}

function spawn(s: State, out: Effect[]): State {
  out.push(SPAWN);
  return { ...s, child: SPAWNING };
}

function sleep(s: State, ms: number, out: Effect[]): State {
  out.push({ type: 'sleep', ms });
  return loop(s, { asleep: true });
}

/** The service is down after svc -x: the status a last time (supervise's main), and leave. */
function finish(s: State, out: Effect[]): State {
  const last = announce(s, out);
  out.push(FINISH);
  return loop(last, { stage: 'gone' });
}

function command(s: State, letter: CommandLetter, at: Stamp, out: Effect[]): State {
  const running = pidOf(s.child) !== 0;
  const target = signalTarget(s.child);
  const signal = (...signals: Signal[]): void => {
    if (target !== 0) out.push({ type: 'signal', pid: target, signals });
  };
  switch (letter) {
    case Command.down:
      if (s.ext !== null) return downExt(s, s.ext, out);
      if (!running) return announce({ ...s, want: 'down' }, out);
      // CONT after TERM, so a stopped child sees the TERM.
      signal('SIGTERM', 'SIGCONT');
      return announce({ ...s, want: 'down', paused: false }, out);
    case Command.up:
    case Command.once: {
      const next = announce({ ...s, want: letter === Command.up ? 'up' : 'none' }, out);
      if (next.ext !== null) return upExt(next, next.ext, at, out);
      return running ? next : spawn(next, out);
    }
    case Command.pause:
    case Command.cont: {
      const paused = letter === Command.pause;
      const next = announce({ ...s, paused }, out);
      signal(paused ? 'SIGSTOP' : 'SIGCONT');
      return next;
    }
    case Command.exit:
      return announce({ ...s, exiting: true }, out);
    default: {
      const sig = PLAIN_SIGNALS[letter];
      if (sig) signal(sig);
      return s;
    }
  }
}

/** The loop's reap: a dead child taken in; after svc -x that is the end, else up means again. */
function reap(s: State, at: Stamp, out: Effect[]): State {
  if (s.ext !== null) return reapExt(s, s.ext, at, out);
  const down = announce({ ...s, child: DOWN, stamp: at }, out);
  if (down.exiting) return finish(down, out);
  return down.want === 'up' ? spawn(down, out) : down;
}

/** supervise's main loop, step by step, until it needs the world: a byte, a fork's outcome, time. */
function advance(s: State, at: Stamp, out: Effect[]): State {
  for (;;) {
    // A fork's answer comes next (of ./run, or of ./finish: its pid 0 until then).
    if (s.loop.asleep || s.child.phase === 'spawning' || s.ext?.finishing?.pid === 0) return s;
    switch (s.loop.stage) {
      case 'opening':
      case 'reading':
      case 'gone':
        return s;
      case 'enter':
        s = announce(loop(s, { stage: 'wait' }), out);
        break;
      case 'wait':
        if (s.exiting && s.child.phase === 'down' && s.ext?.finishing == null) return finish(s, out);
        if (s.child.phase !== 'ended' && !s.loop.readable) {
          out.push(WATCH);
          return s;
        }
        s = loop(s, { stage: 'reap' });
        break;
      case 'reap':
        s = loop(s, { stage: 'control' });
        if (s.child.phase === 'ended') s = reap(s, at, out);
        break;
      case 'control':
        out.push(READ);
        return loop(s, { stage: 'reading' });
    }
  }
}

/** What one event does, before the loop moves on; null for an event that does not apply where it stands. */
function handle(s: State, event: Event, out: Effect[]): State | null {
  const { stage } = s.loop;
  if (stage === 'gone') return null;
  switch (event.type) {
    case 'locked':
      if (stage !== 'opening') return null;
      // After a takeover the status is there already: it is written once ok is open.
      return s.writes.rule === 'every' ? announce(s, out) : s;
    case 'begin': {
      if (stage !== 'opening') return null;
      const entered = loop(s, { stage: 'enter' });
      if (entered.child.phase !== 'down') return entered;
      if (entered.want === 'up') return spawn(entered, out);
      // Nothing runs or starts: the record still says a supervisor began here (adopt.ts resumes it).
      if (!entered.idleRecorded) out.push({ type: 'record-idle', stamp: entered.stamp });
      return entered;
    }
    case 'readable':
      return loop(s, { readable: true });
    case 'read': {
      if (stage !== 'reading') return null;
      const next = loop(s, { stage: 'wait', readable: event.byte !== null });
      return event.byte !== null && isCommandLetter(event.byte) ? command(next, event.byte, event.at, out) : next;
    }
    case 'started': {
      if (s.child.phase !== 'spawning') return null;
      const child: Child = { phase: 'up', pid: event.pid, origin: 'started' };
      const up = announce({ ...s, child, paused: false, stamp: event.at }, out);
      return sleep(up.ext === null ? up : startedExt(up, up.ext, event.at, out), START_PAUSE_MS, out);
    }
    case 'spawn-failed':
      return s.child.phase === 'spawning' ? sleep({ ...s, child: DOWN }, FORK_RETRY_MS, out) : null;
    case 'ended':
      // A start of ours that ended is reaped at once, an adopted one seen gone: either way it is
      // taken in at the loop's next reap, and its pid is signalled no more.
      if (stage === 'opening' || s.child.phase !== 'up' || s.child.pid !== event.pid) return null;
      return {
        ...s,
        child: { ...s.child, phase: 'ended' },
        ...(s.ext === null ? {} : { ext: { ...s.ext, exited: event.exit ?? { code: null, signal: null } } }),
      };
    case 'woke':
      // Whatever arrived meanwhile is read next.
      return s.loop.asleep ? loop(s, { asleep: false, readable: true }) : null;
    case 'stop': {
      if (stage === 'opening') return null;
      const { child } = s;
      // Still reap our own child, so no zombie is left behind (an adopted one is not ours to reap).
      out.push({ type: 'release', reap: child.phase === 'up' && child.origin === 'started' ? child.pid : null });
      return loop(s, { stage: 'gone' });
    }
    case 'notify':
      return s.ext === null || stage === 'opening' ? null : notify(s, s.ext, event.run, event.notice, event.at, out);
    case 'timer':
      return s.ext === null || stage === 'opening' ? null : timer(s, s.ext, event.timer, event.run, event.at, out);
    case 'finish-started':
      return s.ext?.finishing == null ? null : finishStarted(s, s.ext, event.pid, event.at, out);
    case 'finish-ended':
      return s.ext?.finishing?.pid !== event.pid || event.pid === 0 ? null : finishEnded(s, s.ext, event.code, event.at, out);
  }
}

// Extension files (extended.ts): readiness, stops, ./finish, the restart policy. None of this
// runs for a state whose ext is null.

const withExt = (s: State, ext: Partial<Ext>): State => ({ ...s, ext: { ...s.ext!, ...ext } });

/** svc -d: down-signal (then CONT) instead of TERM, the kill timer; a pending restart is called off. */
function downExt(s: State, ext: Ext, out: Effect[]): State {
  if (pidOf(s.child) === 0) {
    if (ext.nextStartAt !== null) out.push({ type: 'clear-timer', timer: 'restart' });
    return announce(withExt({ ...s, want: 'down' }, { nextStartAt: null }), out);
  }
  const stopped = takeDown(s, ext, 'stopped', out);
  return announce({ ...stopped, want: 'down', paused: false }, out);
}

/** svc -u / -o: a failed service may start again; a start waits for ./finish and for a backoff. */
function upExt(s: State, ext: Ext, at: Stamp, out: Effect[]): State {
  const cleared = ext.policy.failed ? withExt(s, { policy: clearFailure(ext.policy, msOf(at)) }) : s;
  if (pidOf(s.child) !== 0 || s.child.phase === 'spawning' || ext.finishing !== null || ext.nextStartAt !== null) return cleared;
  return spawn(cleared, out);
}

/** Take the running child down as svc -d does, for `reason`; it is wanted as before. */
function takeDown(s: State, ext: Ext, reason: Death['reason'], out: Effect[]): State {
  const target = signalTarget(s.child);
  if (target !== 0) out.push({ type: 'signal', pid: target, signals: [ext.config.downSignal, 'SIGCONT'] });
  if (ext.config.killTimeoutMs !== null && ext.stopping === null) {
    out.push({ type: 'set-timer', timer: 'kill', ms: ext.config.killTimeoutMs, run: ext.runs });
  }
  return withExt(s, { stopping: reason });
}

/** A new run: not ready until its dialect says so (at once without one); the ready timeout starts. */
function startedExt(s: State, ext: Ext, at: Stamp, out: Effect[]): State {
  const now = msOf(at);
  const runs = ext.runs + 1;
  const { readiness, readyTimeoutMs } = ext.config;
  if (readiness !== null && readyTimeoutMs !== null) out.push({ type: 'set-timer', timer: 'ready-timeout', ms: readyTimeoutMs, run: runs });
  const ready = readiness === null;
  return withExt(s, { runs, startedAt: now, ready, readySince: ready ? now : null, statusText: null, mainPid: null, errno: null, stopping: null, exited: null, nextStartAt: null });
}

/** Timers that belong to a run, cleared when it ends. */
function clearRunTimers(ext: Ext, out: Effect[]): void {
  const { readiness, readyTimeoutMs, watchdogMs, killTimeoutMs } = ext.config;
  if (readiness !== null && readyTimeoutMs !== null) out.push({ type: 'clear-timer', timer: 'ready-timeout' });
  if (watchdogMs !== null) out.push({ type: 'clear-timer', timer: 'watchdog' });
  if (killTimeoutMs !== null) out.push({ type: 'clear-timer', timer: 'kill' });
}

/** The reap with extension files: the death recorded, then ./finish, or the policy's decision. */
function reapExt(s: State, ext: Ext, at: Stamp, out: Effect[]): State {
  const now = msOf(at);
  const exit = ext.exited ?? { code: null, signal: null };
  const reason = ext.stopping ?? (exit.signal !== null ? 'signal' : 'exit');
  const death: Death = { at: now, code: exit.code, signal: exit.signal, reason };
  clearRunTimers(ext, out);
  const lastExit = { ...exit, at: now, uptimeMs: now - (ext.startedAt ?? now), reason };
  const recorded: Partial<Ext> = { ready: false, readySince: null, stopping: null, exited: null, deathsTotal: ext.deathsTotal + 1, lastExit };
  if (ext.config.finish !== null) {
    const down = announce(withExt({ ...s, child: DOWN, stamp: at }, { ...recorded, finishing: { pid: 0, death } }), out);
    out.push({ type: 'run-finish', exit });
    return down;
  }
  const down = announce(withExt({ ...s, child: DOWN, stamp: at }, recorded), out);
  const decided = decide(down, down.ext!, death, null, now, out);
  return decided.exiting ? finish(decided, out) : decided;
}

/** After a death (and ./finish): start now, after a backoff, or not (down, failed). */
function decide(s: State, ext: Ext, death: Death, finishCode: number | null, now: number, out: Effect[]): State {
  const run = { startedAt: ext.startedAt ?? death.at, death, wantUp: s.want === 'up' && !s.exiting, finishCode };
  const { policy, decision } = afterDeath(ext.policy, ext.config, run);
  const next = withExt(s, { policy, nextStartAt: null });
  if (decision.kind !== 'start') return next;
  if (decision.at <= now) return spawn(next, out);
  out.push({ type: 'set-timer', timer: 'restart', ms: decision.at - now, run: ext.runs });
  return withExt(next, { nextStartAt: decision.at });
}

function finishStarted(s: State, ext: Ext, pid: number | null, at: Stamp, out: Effect[]): State {
  if (pid === null) return finishEnded(s, ext, null, at, out);
  const timeout = ext.config.finish?.timeoutMs ?? null;
  if (timeout !== null) out.push({ type: 'set-timer', timer: 'finish-kill', ms: timeout, run: ext.runs });
  return withExt(s, { finishing: { ...ext.finishing!, pid } });
}

function finishEnded(s: State, ext: Ext, code: number | null, at: Stamp, out: Effect[]): State {
  if (ext.config.finish?.timeoutMs != null && ext.finishing!.pid !== 0) out.push({ type: 'clear-timer', timer: 'finish-kill' });
  const { death } = ext.finishing!;
  const done = withExt(s, { finishing: null });
  return decide(done, done.ext!, death, code, msOf(at), out);
}

function notify(s: State, ext: Ext, run: number, notice: Notice, at: Stamp, out: Effect[]): State | null {
  if (run !== ext.runs || s.child.phase !== 'up' || ext.stopping !== null) return null;
  const change: { -readonly [K in keyof Ext]?: Ext[K] } = {};
  if (notice.status !== undefined) change.statusText = notice.status;
  if (notice.mainPid !== undefined) change.mainPid = notice.mainPid;
  if (notice.errno !== undefined) change.errno = notice.errno;
  const { watchdogMs, readyTimeoutMs } = ext.config;
  if (notice.ready === true && !ext.ready) {
    change.ready = true;
    change.readySince = msOf(at);
    if (readyTimeoutMs !== null) out.push({ type: 'clear-timer', timer: 'ready-timeout' });
    if (watchdogMs !== null) out.push({ type: 'set-timer', timer: 'watchdog', ms: watchdogMs, run });
  } else if (notice.ready === false && ext.ready) {
    change.ready = false;
    change.readySince = null;
  }
  const next = Object.keys(change).length === 0 ? s : withExt(s, change);
  if (watchdogMs === null || notice.watchdog === undefined) return next;
  if (notice.watchdog === 'trigger') return takeDown(next, next.ext!, 'watchdog', out);
  // A ping while ready (or just made so) starts the watchdog's period again.
  if (next.ext!.ready && change.ready === undefined) out.push({ type: 'set-timer', timer: 'watchdog', ms: watchdogMs, run });
  return next;
}

function timer(s: State, ext: Ext, which: Timer, run: number, at: Stamp, out: Effect[]): State | null {
  if (run !== ext.runs) return null;
  const target = signalTarget(s.child);
  switch (which) {
    case 'ready-timeout':
      return target === 0 || ext.ready || ext.stopping !== null ? null : takeDown(s, ext, 'ready-timeout', out);
    case 'watchdog':
      return target === 0 || !ext.ready || ext.stopping !== null ? null : takeDown(s, ext, 'watchdog', out);
    case 'kill':
      if (target === 0 || ext.stopping === null) return null;
      out.push({ type: 'signal', pid: target, signals: ['SIGKILL'] });
      return s;
    case 'finish-kill':
      if (ext.finishing === null || ext.finishing.pid === 0) return null;
      out.push({ type: 'signal', pid: ext.finishing.pid, signals: ['SIGKILL'] });
      return s;
    case 'restart': {
      if (ext.nextStartAt === null || s.child.phase !== 'down') return null;
      const next = withExt(s, { nextStartAt: null });
      void at;
      return s.want === 'down' || s.exiting || ext.policy.failed ? next : spawn(next, out);
    }
  }
}

/** One event, and supervise's loop carried on until it waits for the world again. */
export function reduce(state: State, event: Event): Step {
  const effects: Effect[] = [];
  const handled = handle(state, event, effects);
  if (handled === null) return { state, effects };
  const next = advance(handled, event.at, effects);
  if (next.ext !== null) sidecarWrite(state, next, next.ext, effects);
  return { state: next, effects };
}

/** Effects answered at once by the next event: nothing may follow them in a step. */
const ANSWERED = new Set<Effect['type']>(['spawn', 'read', 'run-finish']);

/**
 * supervise/status.json is rewritten when the step changed what it says or wrote the 18 bytes:
 * before the first status write (readers see the sidecar first), else before an effect answered at once.
 */
function sidecarWrite(before: State, after: State, ext: Ext, effects: Effect[]): void {
  const wrote = effects.findIndex((e) => e.type === 'write-status');
  const changed =
    before.ext !== ext || before.child !== after.child || before.want !== after.want || before.paused !== after.paused || before.stamp !== after.stamp;
  if (wrote < 0 && !changed) return;
  const last = effects.length - 1;
  const at = wrote >= 0 ? wrote : last >= 0 && ANSWERED.has(effects[last]!.type) ? last : effects.length;
  effects.splice(at, 0, { type: 'write-sidecar', sidecar: sidecarOf(after, ext) });
}
