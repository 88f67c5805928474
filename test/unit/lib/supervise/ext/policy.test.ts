import { describe, expect, test } from 'vitest';
import { DEFAULTS, type ExtensionConfig } from '../../../../../src/lib/supervise/ext/files.js';
import {
  afterDeath,
  backoffDelay,
  clearFailure,
  INITIAL_POLICY,
  type Decision,
  type ExitReason,
  type Policy,
} from '../../../../../src/lib/supervise/ext/policy.js';

/** A run: started at `start` s, died at `end` s (seconds keep the tables readable). */
type R = { start: number; end: number; reason?: ExitReason; wantUp?: boolean; finish?: number };
const S = 1000;

function play(config: Partial<ExtensionConfig>, runs: readonly R[]): { policy: Policy; decisions: Decision[] } {
  const c = { ...DEFAULTS, ...config };
  let policy = INITIAL_POLICY;
  const decisions: Decision[] = [];
  for (const r of runs) {
    const step = afterDeath(policy, c, {
      startedAt: r.start * S,
      death: { at: r.end * S, code: 1, signal: null, reason: r.reason ?? 'exit' },
      wantUp: r.wantUp ?? true,
      finishCode: r.finish ?? null,
    });
    policy = step.policy;
    decisions.push(step.decision);
  }
  return { policy, decisions };
}

/** The pause from each death to the start decided (seconds), or the decision's kind. */
const pauses = (config: Partial<ExtensionConfig>, runs: readonly R[]): Array<number | string> =>
  play(config, runs).decisions.map((d, i) => (d.kind === 'start' ? (d.at - runs[i]!.end * S) / S : d.kind));

describe('the pause before the next start', () => {
  test.each<[string, Partial<ExtensionConfig>, R[], Array<number | string>]>([
    ['C: a second after the start, at once when it ran longer', {}, [{ start: 0, end: 0.2 }, { start: 1, end: 10 }], [0.8, 0]],
    ['C: no limit however often it dies', {}, Array.from({ length: 50 }, (_, i) => ({ start: i, end: i })), Array(50).fill(1)],
    ['backoff 1 8: 1, 2, 4, 8, 8', { backoff: { minMs: 1 * S, maxMs: 8 * S } }, [0, 2, 5, 10, 19].map((t) => ({ start: t, end: t + 0.5 })), [1, 2, 4, 8, 8]],
    ['backoff 2 30: a run that stayed up 30 s resets it', { backoff: { minMs: 2 * S, maxMs: 30 * S } },
      [{ start: 0, end: 1 }, { start: 3, end: 4 }, { start: 8, end: 38 }, { start: 40, end: 41 }], [2, 4, 2, 4]],
    ['backoff: the pause is never shorter than C\'s second after the start', { backoff: { minMs: 1 * S, maxMs: 4 * S } }, [{ start: 0, end: 0 }], [1]],
    ['a stop asked for does not back off', { backoff: { minMs: 5 * S, maxMs: 60 * S } }, [{ start: 0, end: 1 }, { start: 6, end: 7, reason: 'stopped' }, { start: 8, end: 9 }], [5, 0, 10]],
    ['not wanted up: stays down', {}, [{ start: 0, end: 3, wantUp: false }], ['stay-down']],
  ])('%s', (_name, config, runs, expected) => {
    expect(pauses(config, runs)).toEqual(expected);
  });

  test('backoff doubling stops at MAX, even after very many deaths', () => {
    const c = { ...DEFAULTS, backoff: { minMs: 1000, maxMs: 300000 } };
    expect([0, 1, 2, 8, 9, 1000].map((step) => backoffDelay(c, step))).toEqual([1000, 2000, 4000, 256000, 300000, 300000]);
  });
});

describe('permanent failure', () => {
  const pf = (seconds: number, count: number): Partial<ExtensionConfig> => ({ permanentFailure: { windowMs: seconds * S, count } });
  test.each<[string, Partial<ExtensionConfig>, R[], Array<number | string>]>([
    ['3 deaths within 10 s: failed at the third', pf(10, 3), [0, 2, 4].map((t) => ({ start: t, end: t + 1 })), [0, 0, 'failed']],
    ['3 deaths spread over more than 10 s: never', pf(10, 3), [0, 6, 12, 18].map((t) => ({ start: t, end: t + 1 })), [0, 0, 0, 0]],
    ['stops do not count', pf(10, 2), [{ start: 0, end: 1, reason: 'stopped' }, { start: 2, end: 3 }], [0, 0]],
    ['watchdog and ready-timeout deaths count', pf(60, 2), [{ start: 0, end: 1, reason: 'watchdog' }, { start: 2, end: 3, reason: 'ready-timeout' }], [0, 'failed']],
    ['./finish exiting 125 fails it at once (s6)', {}, [{ start: 0, end: 5, finish: 125 }], ['failed']],
    ['a tally of 1 cannot hold 2 deaths', { ...pf(60, 2), maxDeathTally: 1 }, [{ start: 0, end: 1 }, { start: 2, end: 3 }], [0, 0]],
  ])('%s', (_name, config, runs, expected) => {
    expect(pauses(config, runs)).toEqual(expected);
  });

  test('svc -u clears it: the deaths before stop counting, the next ones count again', () => {
    const c = { ...DEFAULTS, permanentFailure: { windowMs: 60 * S, count: 2 } };
    let { policy } = play(c, [{ start: 0, end: 1 }, { start: 2, end: 3 }]);
    expect(policy.failed).toBe(true);
    policy = clearFailure(policy, 4 * S);
    expect(policy.failed).toBe(false);
    const one = afterDeath(policy, c, { startedAt: 4 * S, death: { at: 5 * S, code: 1, signal: null, reason: 'exit' }, wantUp: true });
    expect(one.decision.kind).toBe('start');
    const two = afterDeath(one.policy, c, { startedAt: 6 * S, death: { at: 7 * S, code: 1, signal: null, reason: 'exit' }, wantUp: true });
    expect(two.decision).toEqual({ kind: 'failed', why: 'permanent-failure' });
  });
});

describe('the death tally', () => {
  test.each([
    [100, 150, 100],
    [3, 5, 3],
    [0, 5, 0],
  ])('max-death-tally %i, %i deaths: the last %i kept, oldest first', (max, n, kept) => {
    const { policy } = play({ maxDeathTally: max }, Array.from({ length: n }, (_, i) => ({ start: i * 2, end: i * 2 + 1 })));
    expect(policy.deaths).toHaveLength(kept);
    if (kept > 0) expect(policy.deaths.at(-1)!.at).toBe((n * 2 - 1) * S);
    if (kept > 1) expect(policy.deaths[0]!.at).toBeLessThan(policy.deaths[1]!.at);
  });
});
