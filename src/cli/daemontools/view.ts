// How `daemontools status` and `watch` show services: an aligned table (coloured on a terminal),
// a JSON object per service, or one line per change.
import type { DaemontoolsError } from '../../api/errors.js';
import type { ServiceStatus } from '../../api/status.js';

/** One row: a service name as shown, its directory, and what reading its status gave. */
export interface Row {
  readonly name: string;
  readonly dir: string;
  readonly result: ServiceStatus | DaemontoolsError;
}

export interface Paint {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly dim: (s: string) => string;
}

const wrap = (code: number) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
const plain = (s: string): string => s;

/** Colours on a terminal only, and never when NO_COLOR is set (https://no-color.org). */
export function paint(isTTY: boolean, env: NodeJS.ProcessEnv): Paint {
  if (!isTTY || (env.NO_COLOR ?? '') !== '' || env.TERM === 'dumb') return { green: plain, red: plain, yellow: plain, dim: plain };
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2) };
}

const isStatus = (r: ServiceStatus | DaemontoolsError): r is ServiceStatus => !(r instanceof Error);

/** svstat's flags, in svstat's order. */
export function notes(s: ServiceStatus): string[] {
  const out: string[] = [];
  if (s.up && !s.normallyUp) out.push('normally down');
  if (!s.up && s.normallyUp) out.push('normally up');
  if (s.up && s.paused) out.push('paused');
  if (!s.up && s.want === 'up') out.push('want up');
  if (s.up && s.want === 'down') out.push('want down');
  return out;
}

/** 59s, 12m03s, 5h07m, 3d04h. */
export function duration(seconds: number): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86400)}d${two(Math.floor(seconds / 3600) % 24)}h`;
}

/** The seconds column, counted from `since` to `now` (so a redraw need not re-read the status). */
function secondsAt(s: ServiceStatus, now: number): number {
  return Math.max(0, Math.floor(now / 1000) - Math.floor(s.since.getTime() / 1000));
}

function problem(err: DaemontoolsError): string {
  return err.code === 'ERR_NOT_SUPERVISED' ? 'supervise not running' : err.message.replace(/^[^:]*: /, '');
}

export function table(rows: readonly Row[], p: Paint, now = Date.now()): string {
  const head = ['SERVICE', 'STATE', 'PID', 'TIME', 'NOTES'];
  const cells = rows.map((row) => {
    const r = row.result;
    if (!isStatus(r)) return [row.name, p.yellow('?'), '-', '-', problem(r)];
    const state = r.up ? p.green('up') : p.red('down');
    return [row.name, state, r.pid === null ? '-' : String(r.pid), duration(secondsAt(r, now)), notes(r).join(', ')];
  });
  // Widths count what shows, not the colour escapes.
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => visible(c[i]!))));
  const line = (c: readonly string[]): string =>
    c.map((cell, i) => (i === c.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell)))).join('  ').trimEnd();
  return [p.dim(line(head)), ...cells.map(line)].join('\n') + '\n';
}

/** One JSON object per service: the status fields, or `error` with the error's code. */
export function json(row: Row): string {
  const r = row.result;
  if (!isStatus(r)) return JSON.stringify({ service: row.name, dir: row.dir, error: { code: r.code, message: r.message } });
  const { up, pid, since, seconds, paused, want, normallyUp } = r;
  return JSON.stringify({ service: row.name, dir: row.dir, up, pid, since: since.toISOString(), seconds, paused, want, normallyUp });
}

/** svstat's words for one service (for `watch` when its output is not a terminal). */
export function svstatWords(row: Row): string {
  const r = row.result;
  if (!isStatus(r)) return `${row.name}: ${problem(r)}`;
  const head = r.up ? `up (pid ${r.pid}) ${r.seconds} seconds` : `down ${r.seconds} seconds`;
  return [`${row.name}: ${head}`, ...notes(r)].join(', ');
}
