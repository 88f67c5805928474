// What supervise knows about one service, as the machine (machine.ts) keeps it: ./run's phase,
// the flags svc sets, where supervise's main loop stands, and which announcements reach
// supervise/status. Named after supervise.c (pid, flagpaused, flagwant/flagwantup, flagexit,
// doit's loop) and s6-supervise's state table.
import { encodeStatus, type Stamp, type Status, type Want } from '../status.js';
import type { ExtensionConfig } from './ext/files.js';
import type { SidecarParts } from './ext/sidecar.js';
import { freshExt, msOf, stateName, type Ext } from './extended.js';

/** Who started the running ./run: this supervisor, or one that died (adopted, seen through a pidfd). */
export type Origin = 'started' | 'adopted';

/**
 * ./run as supervise knows it; pidOf and signalTarget say what each phase reports and whether it
 * is signalled. With extension files, State.ext refines these (starting, stopping, finishing,
 * backoff, failed: extended.ts's stateName).
 */
export type Child =
  /** Nothing runs: supervise's pid 0. */
  | { readonly phase: 'down' }
  /** ./run is being forked: the start's outcome is the next event. */
  | { readonly phase: 'spawning' }
  | { readonly phase: 'up'; readonly pid: number; readonly origin: Origin }
  /**
   * ./run has ended and the loop has not taken the exit in yet (C's zombie): its pid is still
   * reported, and nothing is sent to it, as that pid may be anyone's now.
   */
  | { readonly phase: 'ended'; readonly pid: number; readonly origin: Origin };

/** Where supervise's main loop (supervise.c's doit) stands: the step it takes next. */
export type Stage =
  /** Start-up: the lock is held, supervise/ok not open yet; no loop. */
  | 'opening'
  /** doit's first announce. */
  | 'enter'
  /** The top of the loop: leave if svc -x said so and nothing runs, else wait for a dead child or a byte. */
  | 'wait'
  /** Take a dead child in (wait_nohang). */
  | 'reap'
  /** Read one byte of supervise/control. */
  | 'control'
  /** That byte has been asked for: its answer is the next event. */
  | 'reading'
  /** Supervision is over (svc -x carried out, or the directory let go). */
  | 'gone';

export interface Loop {
  readonly stage: Stage;
  /** supervise's deepsleep after a start (or a failed fork): nothing is reaped or read until it ends. */
  readonly asleep: boolean;
  /** supervise/control may hold a byte (its watch fired, or a sleep ended). */
  readonly readable: boolean;
}

/**
 * Which announcements reach supervise/status. C writes every one ('every'). After a takeover the
 * status is there already ('changed'): it is written once, with ok open (watchers learn a
 * supervisor is back), then not again while it stays the same, as C rewrites nothing when svscan
 * restarts; the first different one returns to 'every'. `last`: what was written, null before that.
 */
export type StatusWrites = { readonly rule: 'every' } | { readonly rule: 'changed'; readonly last: Status | null };

export interface State {
  readonly child: Child;
  /** svc -p seen and no start since (reported only while there is a pid). */
  readonly paused: boolean;
  /** 'up' or 'down' after svc -u/-d (or the down file); 'none' after svc -o. */
  readonly want: Want;
  /** svc -x seen: leave once the service is down. */
  readonly exiting: boolean;
  /** When the pid last changed. */
  readonly stamp: Stamp;
  readonly loop: Loop;
  readonly writes: StatusWrites;
  /** At start-up: supervise/owner says nothing runs here already (no record to write). */
  readonly idleRecorded: boolean;
  /** Readiness, stops, ./finish and the restart policy (extended.ts); null without extension files: C's supervise. */
  readonly ext: Ext | null;
}

export const DOWN: Child = { phase: 'down' };
const OPENING: Loop = { stage: 'opening', asleep: false, readable: false };
export const EVERY_WRITE: StatusWrites = { rule: 'every' };
const AFTER_TAKEOVER: StatusWrites = { rule: 'changed', last: null };

/** C's start: nothing runs, wanted up unless there is a down file. */
export function freshState(normallyUp: boolean, at: Stamp, config: ExtensionConfig | null = null): State {
  const want = normallyUp ? 'up' : 'down';
  const ext = config === null ? null : freshExt(config, normallyUp);
  return { child: DOWN, paused: false, want, exiting: false, stamp: at, loop: OPENING, writes: EVERY_WRITE, idleRecorded: false, ext };
}

/** Taking over from a supervisor that died, its ./run gone: what it last wrote (pid 0). */
export function resumedState(status: Status, idleRecorded: boolean, config: ExtensionConfig | null = null, normallyUp = true): State {
  const { paused, want, stamp } = status;
  const ext = config === null ? null : freshExt(config, normallyUp);
  return { child: DOWN, paused, want, exiting: false, stamp, loop: OPENING, writes: AFTER_TAKEOVER, idleRecorded, ext };
}

/** Taking over from a supervisor that died, its ./run still running: that process, adopted. */
export function adoptedState(status: Status, config: ExtensionConfig | null = null, normallyUp = true): State {
  const { pid, paused, want, stamp } = status;
  const child: Child = { phase: 'up', pid, origin: 'adopted' };
  const ext = config === null ? null : freshExt(config, normallyUp, msOf(stamp));
  return { child, paused, want, exiting: false, stamp, loop: OPENING, writes: AFTER_TAKEOVER, idleRecorded: false, ext };
}

/** The pid supervise/status reports: 0 while nothing runs. */
export function pidOf(child: Child): number {
  return child.phase === 'up' || child.phase === 'ended' ? child.pid : 0;
}

/** The pid a signal may go to: only a process still running (0 for none). */
export function signalTarget(child: Child): number {
  return child.phase === 'up' ? child.pid : 0;
}

/** Between start-up and the end of supervision. */
export function supervising(state: State): boolean {
  return state.loop.stage !== 'opening' && state.loop.stage !== 'gone';
}

/** What goes into supervise/status for `state`. */
export function statusOf(state: State): Status {
  return { stamp: state.stamp, pid: pidOf(state.child), paused: state.paused, want: state.want };
}

/** The same 18 bytes on disk. */
export function sameStatus(a: Status, b: Status): boolean {
  return encodeStatus(a).equals(encodeStatus(b));
}

/** What supervise/status.json says for `state` (which has extension files). */
export function sidecarOf(state: State, ext: Ext): SidecarParts {
  const up = state.child.phase === 'up' || state.child.phase === 'ended';
  const ready = up && ext.ready;
  return {
    status: statusOf(state),
    state: stateName(ext, state.child.phase),
    ready,
    readySince: ready ? ext.readySince : null,
    statusText: ext.statusText,
    dialect: ext.config.readiness?.dialect ?? null,
    mainPid: ext.mainPid,
    errno: ext.errno,
    normallyUp: ext.normallyUp,
    starts: ext.runs,
    deathsTotal: ext.deathsTotal,
    lastExit: ext.lastExit,
    deaths: ext.policy.deaths,
    nextStartAt: ext.nextStartAt,
  };
}
