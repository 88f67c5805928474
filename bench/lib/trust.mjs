// What makes a run fit to become BENCHMARKS.md: a full run (every group, not --quick) on a machine
// quiet at its start and at its end, and how a figure's spread is marked.
import { loadavg } from 'node:os';

/** The 1-minute load average at or above which a run may not be written. */
export const MAX_LOAD = 1.5;
/** A figure whose range (max - min) exceeds this share of its median is marked. */
export const MAX_SPREAD = 0.3;
export const SPREAD_MARK = '‡';
export const SPREAD_NOTE = `${SPREAD_MARK} spread over ${MAX_SPREAD * 100} %: the range (max − min) exceeds ${MAX_SPREAD * 100} % of the median; the machine or the figure was noisy, so read it as indicative`;

/** The 1-minute load average now. */
export const load1 = () => loadavg()[0];

/** Why --write is refused before the run starts (not a full run, a busy machine), or null. */
export function refuseBefore({ quick, only, all }, load) {
  if (quick) return 'a --quick run is not written: BENCHMARKS.md comes from a full run';
  if (only.length < all.length) return `a run of some groups (--only ${only.join(',')}) is not written: BENCHMARKS.md comes from a full run`;
  if (!(load < MAX_LOAD)) return `load average ${load.toFixed(2)} at the start (1 min) is not below ${MAX_LOAD}: the machine is busy`;
  return null;
}

/** Why --write is refused after the run (the machine was busy at its end), or null. */
export function refuseAfter(load) {
  return load < MAX_LOAD ? null : `load average ${load.toFixed(2)} at the end (1 min) is not below ${MAX_LOAD}: the machine was busy`;
}

/** Whether stats {median, min, max, n} spread over MAX_SPREAD of the median. */
export function spreadTooWide(stats) {
  if (!stats || stats.n < 2 || !(stats.median > 0)) return false;
  return (stats.max - stats.min) / stats.median > MAX_SPREAD;
}
