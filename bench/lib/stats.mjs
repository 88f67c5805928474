// Medians and ranges of repeated measurements, and how they print.
import { SPREAD_MARK, spreadTooWide } from './trust.mjs';

/** {median, min, max, n} of the numbers given (null when there are none). */
export function summarize(values) {
  const xs = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = xs.length >> 1;
  const median = xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
  return { median, min: xs[0], max: xs[xs.length - 1], n: xs.length };
}

/** Element-wise ratios a[i]/b[i] of two equally long series (pairs from the same round). */
export function ratios(a, b) {
  const out = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (b[i] > 0) out.push(a[i] / b[i]);
  return summarize(out);
}

function num(v, digits) {
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(Math.min(digits, 1));
  return v.toFixed(digits);
}

/**
 * `12.3 ms (11.9–13.0)`: median, then the range (min–max) whenever there was more than one run,
 * marked (trust.mjs) when the range exceeds 30 % of the median. A single measurement prints alone.
 */
export function fmt(stats, unit = '', digits = 2) {
  if (!stats) return 'n/a';
  const u = unit ? ` ${unit}` : '';
  if (stats.n === 1) return `${num(stats.median, digits)}${u}`;
  const mark = spreadTooWide(stats) ? ` ${SPREAD_MARK}` : '';
  return `${num(stats.median, digits)}${u} (${num(stats.min, digits)}–${num(stats.max, digits)})${mark}`;
}

/** `1.08×` with the range. */
export const fmtRatio = (stats) => (stats ? fmt(stats, '', 2).replace(/^([\d.]+)/, '$1×') : 'n/a');

/** kB as MB with one decimal, or kB below 10 MB. */
export function fmtKb(stats) {
  if (!stats) return 'n/a';
  return stats.median >= 10240 ? fmt(scale(stats, 1 / 1024), 'MB', 1) : fmt(stats, 'kB', 0);
}

export function scale(stats, factor) {
  return stats && { ...stats, median: stats.median * factor, min: stats.min * factor, max: stats.max * factor };
}

/** A single measured value as stats. */
export const one = (v) => summarize([v]);
