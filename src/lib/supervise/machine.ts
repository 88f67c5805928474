// supervise's state machine as a pure reducer, case for case like supervise.c: what a command
// letter, a child's start or end, a pause's end or a readable control FIFO does to the service
// (state.ts), where the main loop goes next, and which effects follow (status writes, signals, a
// fork, a read of one control byte, a pause), in the order supervise performs them. Every decision
// is taken here; the supervisor (supervisor.ts) turns what happens into events and effects into
// syscalls, and feeds back the answers to a fork and a read as the next event.
import { Command, isCommandLetter, type CommandLetter } from '../control.js';
import type { Stamp, Status } from '../status.js';
import {
  DOWN,
  EVERY_WRITE,
  pidOf,
  sameStatus,
  signalTarget,
  statusOf,
  type Child,
  type Loop,
  type State,
} from './state.js';

export * from './state.js';

export type Signal = 'SIGTERM' | 'SIGCONT' | 'SIGSTOP' | 'SIGALRM' | 'SIGHUP' | 'SIGKILL' | 'SIGINT';

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
  /** Process `pid` has ended (reaped, or its pidfd read ready). */
  | { readonly type: 'ended'; readonly pid: number; readonly at: Stamp }
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
  | { readonly type: 'release'; readonly reap: number | null };

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

function command(s: State, letter: CommandLetter, out: Effect[]): State {
  const running = pidOf(s.child) !== 0;
  const target = signalTarget(s.child);
  const signal = (...signals: Signal[]): void => {
    if (target !== 0) out.push({ type: 'signal', pid: target, signals });
  };
  switch (letter) {
    case Command.down:
      if (!running) return announce({ ...s, want: 'down' }, out);
      // CONT after TERM, so a stopped child sees the TERM.
      signal('SIGTERM', 'SIGCONT');
      return announce({ ...s, want: 'down', paused: false }, out);
    case Command.up:
    case Command.once: {
      const next = announce({ ...s, want: letter === Command.up ? 'up' : 'none' }, out);
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
  const down = announce({ ...s, child: DOWN, stamp: at }, out);
  if (down.exiting) return finish(down, out);
  return down.want === 'up' ? spawn(down, out) : down;
}

/** supervise's main loop, step by step, until it needs the world: a byte, a fork's outcome, time. */
function advance(s: State, at: Stamp, out: Effect[]): State {
  for (;;) {
    if (s.loop.asleep || s.child.phase === 'spawning') return s;
    switch (s.loop.stage) {
      case 'opening':
      case 'reading':
      case 'gone':
        return s;
      case 'enter':
        s = announce(loop(s, { stage: 'wait' }), out);
        break;
      case 'wait':
        if (s.exiting && s.child.phase === 'down') return finish(s, out);
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
      return event.byte !== null && isCommandLetter(event.byte) ? command(next, event.byte, out) : next;
    }
    case 'started': {
      if (s.child.phase !== 'spawning') return null;
      const child: Child = { phase: 'up', pid: event.pid, origin: 'started' };
      return sleep(announce({ ...s, child, paused: false, stamp: event.at }, out), START_PAUSE_MS, out);
    }
    case 'spawn-failed':
      return s.child.phase === 'spawning' ? sleep({ ...s, child: DOWN }, FORK_RETRY_MS, out) : null;
    case 'ended':
      // A start of ours that ended is reaped at once, an adopted one seen gone: either way it is
      // taken in at the loop's next reap, and its pid is signalled no more.
      if (stage === 'opening' || s.child.phase !== 'up' || s.child.pid !== event.pid) return null;
      return { ...s, child: { ...s.child, phase: 'ended' } };
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
  }
}

/** One event, and supervise's loop carried on until it waits for the world again. */
export function reduce(state: State, event: Event): Step {
  const effects: Effect[] = [];
  const handled = handle(state, event, effects);
  if (handled === null) return { state, effects };
  return { state: advance(handled, event.at, effects), effects };
}
