// How `daemontools top` draws: one row per service (state, pid, uptime, restarts seen, CPU and
// memory of its process tree, its last log line), fitted to the terminal, the selected row in
// reverse video; and the same as a plain table off a terminal.
import { duration } from './view.js';

export interface TopRow {
  readonly name: string;
  /** 'up', 'down', 'paused' or what went wrong reading it. */
  readonly state: string;
  readonly pid: number | null;
  /** Seconds since the last start or stop. */
  readonly seconds: number | null;
  /** Starts seen since top began watching. */
  readonly restarts: number;
  readonly cpu: number | null;
  readonly rss: number | null;
  readonly last: string;
}

export const HEAD = ['SERVICE', 'STATE', 'PID', 'UPTIME', 'RESTARTS', 'CPU%', 'MEM', 'LAST LOG LINE'];

export function bytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)}K`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)}M`;
  return `${(n / 1024 ** 3).toFixed(2)}G`;
}

export function cells(r: TopRow): string[] {
  return [
    r.name,
    r.state,
    r.pid === null ? '-' : String(r.pid),
    r.seconds === null ? '-' : duration(r.seconds),
    String(r.restarts),
    r.cpu === null ? '-' : r.cpu.toFixed(1),
    r.rss === null ? '-' : bytes(r.rss),
    r.last,
  ];
}

/** Aligned lines, the last column cut to `width` (no cut when width is Infinity). */
export function lines(rows: readonly TopRow[], width = Infinity): string[] {
  const all = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((c) => c[i]!.length)));
  return all.map((c) => {
    const text = c.map((cell, i) => (i === c.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
    return text.length > width ? text.slice(0, Math.max(0, width)) : text;
  });
}

const REVERSE = (s: string): string => `\x1b[7m${s}\x1b[0m`;
const DIM = (s: string): string => `\x1b[2m${s}\x1b[0m`;

/** A whole screen: title, table with the selected row marked, a status line, the keys. */
export function screen(rows: readonly TopRow[], selected: number, message: string, columns: number, lineCount: number): string {
  const table = lines(rows, columns);
  const body = table.slice(1).map((l, i) => (i === selected ? REVERSE(l.padEnd(Math.min(columns, Math.max(l.length, columns)))) : l));
  const title = `daemontools top — ${rows.length} service${rows.length === 1 ? '' : 's'}  ${new Date().toLocaleTimeString()}`;
  const keys = '↑/↓ select   u up   d down   r restart   q quit';
  const room = Math.max(0, lineCount - 5);
  const out = [title.slice(0, columns), '', DIM(table[0]!), ...body.slice(0, room)];
  while (out.length < lineCount - 2) out.push('');
  out.push(message.slice(0, columns), DIM(keys.slice(0, columns)));
  // Home, then each line cleared to its end: no flicker from clearing the whole screen.
  return `\x1b[H${out.map((l) => `${l}\x1b[K`).join('\r\n')}\x1b[J`;
}
