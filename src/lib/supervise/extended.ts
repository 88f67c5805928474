// What supervise knows beyond C's view when a service directory has extension files (issue 13):
// readiness, the stop under way, ./finish, the restart policy's history, and how that reads as
// supervise/status.json's state. Null in State.ext when there are none: then nothing here exists.
import { TAI_EPOCH, type Stamp } from '../status.js';
import type { ExtensionConfig } from './ext/files.js';
import { INITIAL_POLICY, type Death, type ExitReason, type Policy } from './ext/policy.js';
import type { SidecarParts, StateName } from './ext/sidecar.js';

/** The machine's timers: each is set and cleared by effects, and fires as a 'timer' event. */
export type Timer = 'ready-timeout' | 'watchdog' | 'kill' | 'restart' | 'finish-kill';

/** How a run ended, as waitpid said (both null for an adopted process, whose status is not ours). */
export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LastExit extends Exit {
  readonly at: number;
  readonly uptimeMs: number;
  readonly reason: ExitReason;
}

export interface Ext {
  readonly config: ExtensionConfig;
  readonly normallyUp: boolean;
  /** Starts so far; also the generation of the run's readiness notices and timers. */
  readonly runs: number;
  /** When the current (or last) run started, ms since the epoch. */
  readonly startedAt: number | null;
  /** The run said it is ready (always, once up, without a dialect). */
  readonly ready: boolean;
  readonly readySince: number | null;
  readonly statusText: string | null;
  readonly mainPid: number | null;
  readonly errno: number | null;
  /** A stop of the running child under way, and why (svc -d: 'stopped'; watchdog; ready-timeout). */
  readonly stopping: ExitReason | null;
  /** The run's end as reaped, kept from 'ended' to the loop's reap. */
  readonly exited: Exit | null;
  /** ./finish runs for this death (pid 0 until it is forked). */
  readonly finishing: { readonly pid: number; readonly death: Death } | null;
  readonly policy: Policy;
  readonly deathsTotal: number;
  readonly lastExit: LastExit | null;
  /** A start waits for the restart timer until then (backoff). */
  readonly nextStartAt: number | null;
}

/** A stamp as ms since the epoch. */
export function msOf(stamp: Stamp): number {
  return Number(stamp.seconds - TAI_EPOCH) * 1000 + Math.floor(stamp.nanoseconds / 1e6);
}

/** Before the first start; `adoptedAt`: a running child taken over, started then (its readiness is taken as given). */
export function freshExt(config: ExtensionConfig, normallyUp: boolean, adoptedAt: number | null = null): Ext {
  return {
    config,
    normallyUp,
    runs: 0,
    startedAt: adoptedAt,
    ready: adoptedAt !== null,
    readySince: adoptedAt,
    statusText: null,
    mainPid: null,
    errno: null,
    stopping: null,
    exited: null,
    finishing: null,
    policy: INITIAL_POLICY,
    deathsTotal: 0,
    lastExit: null,
    nextStartAt: null,
  };
}

/** The sidecar's `state` for a child in `phase`. */
export function stateName(ext: Ext, phase: 'down' | 'spawning' | 'up' | 'ended'): StateName {
  if (ext.policy.failed) return 'failed';
  if (ext.finishing !== null) return 'finishing';
  if (phase === 'up' || phase === 'ended') {
    if (ext.stopping !== null) return 'stopping';
    return ext.ready ? 'up' : 'starting';
  }
  if (ext.nextStartAt !== null) return 'backoff';
  return phase === 'spawning' ? 'starting' : 'down';
}
