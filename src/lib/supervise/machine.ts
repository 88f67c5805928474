// supervise's state machine as a pure reducer: what a command letter, a started child or a dead
// child does to the service, and which effects (status writes, signals, starts) follow, in the
// order supervise performs them.
import { Command, type CommandLetter } from '../control.js';
import type { Stamp, Status, Want } from '../status.js';

export interface State {
  /** The running child, 0 when the service is down. */
  readonly pid: number;
  /** svc -p seen and no start since (reported only while there is a child). */
  readonly paused: boolean;
  /** 'up' or 'down' after svc -u/-d (or the down file); 'none' after svc -o. */
  readonly want: Want;
  /** svc -x seen: leave once the service is down. */
  readonly exiting: boolean;
  /** When the pid last changed. */
  readonly stamp: Stamp;
}

export type Signal = 'SIGTERM' | 'SIGCONT' | 'SIGSTOP' | 'SIGALRM' | 'SIGHUP' | 'SIGKILL' | 'SIGINT';

export type Effect =
  /** Write the state to supervise/status. */
  | { readonly type: 'announce' }
  /** Send each signal, in order, to the child. */
  | { readonly type: 'signal'; readonly signals: readonly Signal[] }
  /** Start ./run, then pause a second before anything else. */
  | { readonly type: 'start' }
  /** The service is down after svc -x: write the status a last time and stop supervising. */
  | { readonly type: 'finish' };

export type Event =
  | { readonly type: 'command'; readonly command: CommandLetter }
  | { readonly type: 'started'; readonly pid: number; readonly at: Stamp }
  | { readonly type: 'exited'; readonly at: Stamp };

export interface Step {
  readonly state: State;
  readonly effects: readonly Effect[];
}

const ANNOUNCE: Effect = { type: 'announce' };
const START: Effect = { type: 'start' };
const FINISH: Effect = { type: 'finish' };
const signal = (...signals: Signal[]): Effect => ({ type: 'signal', signals });

/** Signals that only reach a running child and change nothing else. */
const PLAIN_SIGNALS: Partial<Record<CommandLetter, Signal>> = {
  [Command.alarm]: 'SIGALRM',
  [Command.hangup]: 'SIGHUP',
  [Command.kill]: 'SIGKILL',
  [Command.term]: 'SIGTERM',
  [Command.interrupt]: 'SIGINT',
};

export function initialState(normallyUp: boolean, at: Stamp): State {
  return { pid: 0, paused: false, want: normallyUp ? 'up' : 'down', exiting: false, stamp: at };
}

/** Taking over from a supervisor that died: its child (or 0) and what it last wrote. */
export function resumedState(status: Status): State {
  return { pid: status.pid, paused: status.paused, want: status.want, exiting: false, stamp: status.stamp };
}

/** Once the directory is set up: start ./run if it is wanted up and not running already. */
export function startup(state: State): readonly Effect[] {
  return state.pid === 0 && state.want === 'up' ? [START] : [];
}

/** What goes into supervise/status for `state`. */
export function statusOf(state: State): Status {
  return { stamp: state.stamp, pid: state.pid, paused: state.paused, want: state.want };
}

function command(state: State, letter: CommandLetter): Step {
  const up = state.pid !== 0;
  switch (letter) {
    case Command.down:
      // CONT after TERM, so a stopped child sees the TERM.
      return up
        ? { state: { ...state, want: 'down', paused: false }, effects: [signal('SIGTERM', 'SIGCONT'), ANNOUNCE] }
        : { state: { ...state, want: 'down' }, effects: [ANNOUNCE] };
    case Command.up:
      return { state: { ...state, want: 'up' }, effects: up ? [ANNOUNCE] : [ANNOUNCE, START] };
    case Command.once:
      return { state: { ...state, want: 'none' }, effects: up ? [ANNOUNCE] : [ANNOUNCE, START] };
    case Command.pause:
      return { state: { ...state, paused: true }, effects: up ? [ANNOUNCE, signal('SIGSTOP')] : [ANNOUNCE] };
    case Command.cont:
      return { state: { ...state, paused: false }, effects: up ? [ANNOUNCE, signal('SIGCONT')] : [ANNOUNCE] };
    case Command.exit:
      return { state: { ...state, exiting: true }, effects: [ANNOUNCE] };
    default: {
      const sig = PLAIN_SIGNALS[letter];
      return { state, effects: up && sig ? [signal(sig)] : [] };
    }
  }
}

/** One event; then, as at the top of supervise's loop, leave if told to and nothing runs. */
export function reduce(state: State, event: Event): Step {
  let step: Step;
  switch (event.type) {
    case 'command':
      step = command(state, event.command);
      break;
    case 'started':
      step = { state: { ...state, pid: event.pid, paused: false, stamp: event.at }, effects: [ANNOUNCE] };
      break;
    case 'exited': {
      const down: State = { ...state, pid: 0, stamp: event.at };
      // After svc -x the exit is final; otherwise a service wanted up starts again.
      if (down.exiting) return { state: down, effects: [ANNOUNCE, FINISH] };
      return { state: down, effects: down.want === 'up' ? [ANNOUNCE, START] : [ANNOUNCE] };
    }
  }
  if (step.state.exiting && step.state.pid === 0) step = { ...step, effects: [...step.effects, FINISH] };
  return step;
}
