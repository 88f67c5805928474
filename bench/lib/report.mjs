// The results as a plain-text table (stdout) and as Markdown (BENCHMARKS.md).
import { SPREAD_MARK, SPREAD_NOTE } from './trust.mjs';

/** The group's notes, and what the spread mark means when a cell carries it. */
function notesOf(group) {
  const marked = group.rows.some((r) => Object.values(r.cells).some((c) => String(c).includes(SPREAD_MARK)));
  return marked ? [...group.notes, SPREAD_NOTE] : group.notes;
}

/**
 * A group's result: {title, columns, rows: [{figure, cells: {column: text}}], notes}.
 * Columns missing from a row print as empty.
 */
export function textTable(group) {
  const head = ['figure', ...group.columns];
  const body = group.rows.map((r) => [r.figure, ...group.columns.map((c) => r.cells[c] ?? '')]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const took = group.seconds === undefined ? '' : ` (${group.seconds} s)`;
  const out = [`== ${group.title}${took}`, line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of body) out.push(line(row));
  for (const note of notesOf(group)) out.push(`  * ${note}`);
  group.reasons.forEach((reason, i) => out.push(`  [${i + 1}] ${reason}`));
  return `${out.join('\n')}\n`;
}

const cell = (text) => text.replace(/\|/g, '\\|');

export function markdownTable(group) {
  const head = ['figure', ...group.columns];
  const out = [`## ${group.title}`, '', `| ${head.join(' | ')} |`, `|${head.map(() => ' --- ').join('|')}|`];
  for (const r of group.rows) out.push(`| ${[r.figure, ...group.columns.map((c) => r.cells[c] ?? '')].map(cell).join(' | ')} |`);
  const notes = notesOf(group);
  if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
  if (group.reasons.length) out.push('', ...group.reasons.map((reason, i) => `[${i + 1}] ${reason}  `));
  if (group.method) out.push('', `Method: ${group.method}${group.seconds === undefined ? '' : ` This group took ${group.seconds} s.`}`);
  return `${out.join('\n')}\n`;
}

/** A new, empty group result. */
export function group(title, columns, method) {
  return { title, columns, rows: [], notes: [], reasons: [], method };
}

/** `n/a [k]`, the reason kept once as footnote k of the group. */
export function na(group, reason) {
  let i = group.reasons.indexOf(reason);
  if (i < 0) i = group.reasons.push(reason) - 1;
  return `n/a [${i + 1}]`;
}

/** `met`/`missed` beside a target, from the measured median. */
export function verdict(target, value) {
  if (value === null || value === undefined) return target;
  return `${target}: ${value ? 'met' : 'missed'}`;
}
