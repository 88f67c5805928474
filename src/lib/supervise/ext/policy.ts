// The restart policy as pure functions of the death history: when the next start may come (C's
// one second after each start; `backoff MIN MAX` doubling from MIN to MAX, reset by a run that
// stayed up MAX), the death tally (max-death-tally, oldest forgotten first) and permanent failure
// (`permanent-failure SECONDS COUNT`, or ./finish exiting 125, as s6's) until svc -u.
import type { ExtensionConfig } from './files.js';

/** supervise's pause after each start (C's deepsleep(1)). */
export const START_PAUSE_MS = 1000;
/** s6: a ./finish exiting 125 means the service failed for good. */
export const FINISH_PERMANENT_FAILURE = 125;

export type ExitReason = 'exit' | 'signal' | 'watchdog' | 'ready-timeout' | 'stopped';

export interface Death {
  /** When the process was reaped, ms since the epoch. */
  readonly at: number;
  /** Exit code, or null when killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly reason: ExitReason;
}

export interface Policy {
  /** The last deaths, oldest first, at most max-death-tally of them. */
  readonly deaths: readonly Death[];
  /** Deaths since the last reset that count for backoff (0: the next pause is MIN). */
  readonly step: number;
  readonly failed: boolean;
  /** Deaths at or before this moment do not count for permanent failure (svc -u after a failure). */
  readonly clearedAt: number;
}

export const INITIAL_POLICY: Policy = { deaths: [], step: 0, failed: false, clearedAt: -Infinity };

export interface Run {
  /** When this run was started, ms since the epoch. */
  readonly startedAt: number;
  readonly death: Death;
  /** The service is wanted up (svc -u, or no down file and no svc -d/-o since). */
  readonly wantUp: boolean;
  /** ./finish's exit code when it ran and exited (null: none, or killed). */
  readonly finishCode?: number | null;
}

export type Decision =
  /** Start again at `at` (ms since the epoch); `at` may be now. `delayMs` is the backoff part. */
  | { readonly kind: 'start'; readonly at: number; readonly delayMs: number }
  /** Leave it down: not wanted up. */
  | { readonly kind: 'stay-down' }
  /** Leave it down in state failed until svc -u. */
  | { readonly kind: 'failed'; readonly why: 'permanent-failure' | 'finish' };

type PolicyConfig = Pick<ExtensionConfig, 'backoff' | 'permanentFailure' | 'maxDeathTally'>;

/** The pause before the next start after a death, under `backoff` (MIN, 2·MIN, 4·MIN … MAX). */
export function backoffDelay(config: PolicyConfig, step: number): number {
  if (!config.backoff) return 0;
  const { minMs, maxMs } = config.backoff;
  return Math.min(maxMs, minMs * 2 ** Math.min(step, 52));
}

/** Deaths in the tally that count toward permanent failure at `now`. */
export function recentDeaths(policy: Policy, config: PolicyConfig, now: number): number {
  if (!config.permanentFailure) return 0;
  const since = now - config.permanentFailure.windowMs;
  return policy.deaths.filter((d) => d.reason !== 'stopped' && d.at > policy.clearedAt && d.at >= since).length;
}

/** One run ended: its death is remembered and the policy says what comes next. */
export function afterDeath(policy: Policy, config: PolicyConfig, run: Run): { policy: Policy; decision: Decision } {
  const { death } = run;
  const deaths = config.maxDeathTally === 0 ? [] : [...policy.deaths, death].slice(-config.maxDeathTally);
  // A stop asked for is no failure: it neither backs off nor counts toward permanent failure.
  const counts = death.reason !== 'stopped';
  const uptime = death.at - run.startedAt;
  const reset = config.backoff !== null && uptime >= config.backoff.maxMs;
  const step = !counts ? policy.step : reset ? 0 : policy.step;
  const next: Policy = { ...policy, deaths, step: counts ? step + 1 : step };
  if (run.finishCode === FINISH_PERMANENT_FAILURE) {
    return { policy: { ...next, failed: true }, decision: { kind: 'failed', why: 'finish' } };
  }
  if (counts && config.permanentFailure && recentDeaths(next, config, death.at) >= config.permanentFailure.count) {
    return { policy: { ...next, failed: true }, decision: { kind: 'failed', why: 'permanent-failure' } };
  }
  if (!run.wantUp) return { policy: next, decision: { kind: 'stay-down' } };
  const delayMs = counts ? backoffDelay(config, step) : 0;
  return { policy: next, decision: { kind: 'start', at: Math.max(run.startedAt + START_PAUSE_MS, death.at + delayMs), delayMs } };
}

/** svc -u (or -o) on a failed service: it may start again, and the failure's deaths stop counting. */
export function clearFailure(policy: Policy, now: number): Policy {
  return policy.failed ? { ...policy, failed: false, step: 0, clearedAt: now } : policy;
}

/** How a wait status reads: the exit code, or the signal (and 128 + its number, as shells say). */
export function exitCodeOf(death: Pick<Death, 'code' | 'signal'>, signalNumber: (s: NodeJS.Signals) => number): number {
  return death.code ?? 128 + (death.signal ? signalNumber(death.signal) : 0);
}
