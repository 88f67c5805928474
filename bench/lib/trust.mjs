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

/** How long the end of a run waits for the load its own last group made to decay. */
export const SETTLE_MS = 480_000;

/**
 * The 1-minute load average at the end of a run, once the bench's own processes are gone: a
 * group of thousands of services raises it itself, and the 1-minute figure decays with a
 * 1-minute time constant, so this polls (every 5 s, at most SETTLE_MS: from the load of 190 that 6,500 services ending leave, the figure takes about 5 minutes to reach 1.5) until it is below
 * MAX_LOAD. A machine that someone else keeps busy stays above it, and the run is refused.
 */
export async function settledLoad(wait = SETTLE_MS) {
  const until = Date.now() + wait;
  let load = load1();
  while (!(load < MAX_LOAD) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    load = load1();
  }
  return load;
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
