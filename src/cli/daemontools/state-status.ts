// `daemontools status`: each service's state, readiness and last exit (from supervise/status.json
// when it is there and matches the 18 bytes, else up/down from the 18 bytes), as a table or JSON.
import { DaemontoolsError } from '../../api/errors.js';
import { readState, type ServiceState } from '../../api/state.js';
import { EXIT_OK } from '../../lib/exit-codes.js';
import { describe, EXIT_FAILURE, EXIT_PARTIAL, PROG, targets, type Out } from './actions.js';
import { duration, notes, paint, type Paint } from './view.js';
import type { Target } from './watch.js';

interface StateRow {
  readonly name: string;
  readonly dir: string;
  readonly result: ServiceState | DaemontoolsError;
}

const isState = (r: ServiceState | DaemontoolsError): r is ServiceState => !(r instanceof Error);

function colour(s: ServiceState, p: Paint): string {
  switch (s.state) {
    case 'up':
      return p.green(s.state);
    case 'starting':
    case 'stopping':
    case 'finishing':
    case 'backoff':
      return p.yellow(s.state);
    default:
      return p.red(s.state);
  }
}

/** `exit 1 3m ago`, `SIGKILL (watchdog) 5s ago`, or `-`. */
export function lastExitText(s: ServiceState, now: number): string {
  const e = s.lastExit;
  if (e === null) return '-';
  const what = e.signal ?? `exit ${e.code}`;
  const why = e.reason === 'exit' || e.reason === 'signal' ? '' : ` (${e.reason})`;
  return `${what}${why} ${duration(Math.max(0, Math.floor((now - e.at.getTime()) / 1000)))} ago`;
}

function stateNotes(s: ServiceState, now: number): string[] {
  const out = notes(s);
  if (s.statusText !== null) out.push(JSON.stringify(s.statusText));
  if (s.nextStartAt !== null) out.push(`next start in ${duration(Math.max(0, Math.ceil((s.nextStartAt.getTime() - now) / 1000)))}`);
  return out;
}

export function stateTable(rows: readonly StateRow[], p: Paint, now = Date.now()): string {
  const head = ['SERVICE', 'STATE', 'READY', 'PID', 'TIME', 'LAST EXIT', 'NOTES'];
  const cells = rows.map((row) => {
    const r = row.result;
    if (!isState(r)) return [row.name, p.yellow('?'), '-', '-', '-', '-', r.code === 'ERR_NOT_SUPERVISED' ? 'supervise not running' : describe(r)];
    const seconds = Math.max(0, Math.floor(now / 1000) - Math.floor(r.since.getTime() / 1000));
    return [row.name, colour(r, p), r.up ? (r.ready ? 'yes' : 'no') : '-', r.pid === null ? '-' : String(r.pid), duration(seconds), lastExitText(r, now), stateNotes(r, now).join(', ')];
  });
  const visible = (s: string): number => s.replace(/\x1b\[[0-9;]*m/g, '').length;
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => visible(c[i]!))));
  const line = (c: readonly string[]): string =>
    c.map((cell, i) => (i === c.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visible(cell)))).join('  ').trimEnd();
  return [p.dim(line(head)), ...cells.map(line)].join('\n') + '\n';
}

/** One object per service: svstat's fields, state and ready, and the sidecar itself (null without one). */
export function stateJson(row: StateRow): string {
  const r = row.result;
  if (!isState(r)) return JSON.stringify({ service: row.name, dir: row.dir, error: { code: r.code, message: r.message } });
  const { up, pid, since, seconds, paused, want, normallyUp, state, ready, sidecar } = r;
  return JSON.stringify({ service: row.name, dir: row.dir, up, pid, since: since.toISOString(), seconds, paused, want, normallyUp, state, ready, sidecar });
}

async function readRows(list: readonly Target[]): Promise<StateRow[]> {
  return Promise.all(
    list.map(async ({ name, dir }) => {
      try {
        return { name, dir, result: await readState(dir) };
      } catch (err) {
        if (err instanceof DaemontoolsError) return { name, dir, result: err };
        throw err;
      }
    }),
  );
}

export async function stateStatus(dirs: readonly string[], scandir: string, asJson: boolean, io: Out): Promise<number> {
  let rows: StateRow[];
  try {
    rows = await readRows(await targets(dirs, scandir));
  } catch (err) {
    io.err(`${PROG}: fatal: unable to list ${scandir}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  if (asJson) io.out(rows.map((r) => `${stateJson(r)}\n`).join(''));
  else io.out(stateTable(rows, paint(process.stdout.isTTY === true, process.env)));
  return rows.some((r) => r.result instanceof Error) ? EXIT_PARTIAL : EXIT_OK;
}
