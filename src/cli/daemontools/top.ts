// `daemontools top`: a live view of the services, like `pm2 monit`. State changes come from
// supervise (a watch on each supervise/, as `watch` has); CPU, memory and the last log line are
// sampled once a second. Keys: arrows (or j/k) select, u up, d down, r restart, q quit. Off a
// terminal it prints the table once. The terminal is given back as it was on every way out.
import { watch as watchDir, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { sendCommand } from '../../api/control.js';
import { DaemontoolsError } from '../../api/errors.js';
import { listServices } from '../../api/services.js';
import { readStatus, type ServiceStatus } from '../../api/status.js';
import { watchStatus, type StatusWatch } from '../../api/watch.js';
import { lastLine, logDirOf } from '../../lib/door/logread.js';
import { cpuPercent, treeUsage } from '../../lib/door/proctree.js';
import { EXIT_OK } from '../../lib/exit-codes.js';
import { describe as describeError, PROG, type Out } from './actions.js';
import { lines, screen, type TopRow } from './top-view.js';

interface Tracked {
  readonly name: string;
  readonly dir: string;
  readonly logdir: string | null;
  status: ServiceStatus | DaemontoolsError | null;
  pid: number | null;
  restarts: number;
  sample: { ticks: number; at: number } | null;
  cpu: number | null;
  rss: number | null;
  last: string;
  watch?: StatusWatch;
}

export interface TopTerminal {
  readonly input: NodeJS.ReadStream;
  readonly output: NodeJS.WriteStream;
  /** Resolves on SIGINT or SIGTERM. */
  readonly stop: Promise<void>;
}

const logdirOf = (dir: string): string | null => {
  try {
    return logDirOf(dir);
  } catch {
    return null;
  }
};

async function targets(named: readonly string[], scandir: string): Promise<Array<{ name: string; dir: string }>> {
  if (named.length > 0) return named.map((n) => ({ name: n, dir: n.includes('/') ? n : join(scandir, n) }));
  return (await listServices(scandir)).map((s) => ({ name: s.name, dir: s.dir }));
}

function track(name: string, dir: string): Tracked {
  return { name, dir, logdir: logdirOf(dir), status: null, pid: null, restarts: 0, sample: null, cpu: null, rss: null, last: '' };
}

/** A new status: a new pid after a known one is a restart. */
function update(t: Tracked, status: ServiceStatus | DaemontoolsError): void {
  t.status = status;
  const pid = status instanceof Error ? null : status.pid;
  if (pid !== null && pid !== t.pid) {
    if (t.pid !== null || t.sample !== null) t.restarts++;
    t.sample = null;
    t.cpu = null;
  }
  if (pid !== null) t.pid = pid;
  else if (!(status instanceof Error)) t.sample = null;
}

/** CPU over the last interval, memory now, the last log line. */
function measure(t: Tracked, now: number): void {
  const s = t.status;
  const usage = s && !(s instanceof Error) && s.pid !== null ? treeUsage(s.pid) : null;
  if (usage === null) {
    t.cpu = t.rss = null;
    t.sample = null;
  } else {
    const sample = { ticks: usage.ticks, at: now };
    t.cpu = t.sample ? cpuPercent(t.sample, sample) : t.cpu;
    t.sample = sample;
    t.rss = usage.rss;
  }
  if (t.logdir !== null) {
    const line = lastLine(t.logdir);
    // A multilog stamp is 25 characters and a blank: the message is what is worth the room.
    if (line !== null) t.last = line.toString('utf8').replace(/^@[0-9a-f]{24} /, '');
  } else t.last = '(no multilog log)';
}

function row(t: Tracked): TopRow {
  const s = t.status;
  if (s === null) return { name: t.name, state: '…', pid: null, seconds: null, restarts: t.restarts, cpu: null, rss: null, last: t.last };
  if (s instanceof Error) {
    return { name: t.name, state: s.code === 'ERR_NOT_SUPERVISED' ? 'unsupervised' : '?', pid: null, seconds: null, restarts: t.restarts, cpu: null, rss: null, last: t.last };
  }
  const seconds = Math.max(0, Math.floor((Date.now() - s.since.getTime()) / 1000));
  const state = s.up ? (s.paused ? 'paused' : s.want === 'down' ? 'stopping' : 'up') : s.want === 'up' ? 'starting' : 'down';
  return { name: t.name, state, pid: s.pid, seconds, restarts: t.restarts, cpu: t.cpu, rss: t.rss, last: t.last };
}

async function readOnce(t: Tracked): Promise<void> {
  try {
    update(t, await readStatus(t.dir));
  } catch (err) {
    if (err instanceof DaemontoolsError) update(t, err);
    else throw err;
  }
}

/** Off a terminal: the table once, CPU over a quarter second. */
export async function topOnce(named: readonly string[], scandir: string, io: Out): Promise<number> {
  let list: Tracked[];
  try {
    list = (await targets(named, scandir)).map(({ name, dir }) => track(name, dir));
  } catch (err) {
    io.err(`${PROG}: fatal: unable to list ${scandir}: ${describeError(err)}\n`);
    return 111;
  }
  await Promise.all(list.map(readOnce));
  for (const t of list) measure(t, Date.now());
  await new Promise((r) => setTimeout(r, 250));
  for (const t of list) measure(t, Date.now());
  io.out(`${lines(list.map(row)).join('\n')}\n`);
  return EXIT_OK;
}

const ENTER_SCREEN = '\x1b[?1049h\x1b[?25l';
const LEAVE_SCREEN = '\x1b[?25h\x1b[?1049l';

export async function topLive(named: readonly string[], scandir: string, term: TopTerminal): Promise<number> {
  const { input, output } = term;
  const tracked = new Map<string, Tracked>();
  let order: Tracked[] = [];
  let selected = 0;
  let message = '';
  let scheduled = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));

  const draw = (): void => {
    scheduled = false;
    selected = Math.min(selected, Math.max(0, order.length - 1));
    output.write(screen(order.map(row), selected, message, output.columns ?? 80, output.rows ?? 24));
  };
  const redraw = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(draw);
  };

  const refresh = async (): Promise<void> => {
    let list: Array<{ name: string; dir: string }>;
    try {
      list = await targets(named, scandir);
    } catch (err) {
      message = `unable to list ${scandir}: ${describeError(err)}`;
      return redraw();
    }
    const names = new Set(list.map((t) => t.name));
    for (const [name, t] of tracked) {
      if (names.has(name)) continue;
      t.watch?.close();
      tracked.delete(name);
    }
    for (const { name, dir } of list) {
      if (tracked.has(name)) continue;
      const t = track(name, dir);
      tracked.set(name, t);
      try {
        t.watch = watchStatus(dir, { onStatus: (s) => (update(t, s), redraw()), onError: (e) => (update(t, e), redraw()), persistent: false });
      } catch (err) {
        if (err instanceof DaemontoolsError) update(t, err);
        else throw err;
      }
    }
    order = [...tracked.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    redraw();
  };

  const act = (what: 'up' | 'down' | 'restart'): void => {
    const t = order[selected];
    if (!t) return;
    try {
      const s = t.status;
      if (what === 'restart') sendCommand(t.dir, ...(s && !(s instanceof Error) && s.up ? (['up', 'term'] as const) : (['up'] as const)));
      else sendCommand(t.dir, what);
      message = `${t.name}: ${what} sent`;
    } catch (err) {
      message = `${t.name}: ${describeError(err)}`;
    }
    redraw();
  };

  const onKey = (key: string): boolean => {
    if (key === 'q' || key === '\x03' || key === '\x04') {
      finish();
      return false;
    }
    if (key === '\x1b[A' || key === 'k') selected = Math.max(0, selected - 1);
    else if (key === '\x1b[B' || key === 'j') selected = Math.min(order.length - 1, selected + 1);
    else if (key === 'u') act('up');
    else if (key === 'd') act('down');
    else if (key === 'r') act('restart');
    redraw();
    return true;
  };
  // One read may hold several keys (typed fast, or pasted): arrows are three bytes each.
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString('latin1');
    for (let i = 0; i < text.length; ) {
      const n = text.startsWith('\x1b[', i) ? 3 : 1;
      if (!onKey(text.slice(i, i + n))) return;
      i += n;
    }
  };

  const restore = (): void => {
    if (input.isTTY) input.setRawMode(false);
    output.write(LEAVE_SCREEN);
  };
  // Whatever ends the process, the terminal is given back.
  process.once('exit', restore);
  output.write(ENTER_SCREEN);
  if (input.isTTY) input.setRawMode(true);
  input.on('data', onData);
  input.resume();
  output.on('resize', redraw);

  await refresh();
  let scanWatch: FSWatcher | undefined;
  if (named.length === 0) {
    try {
      scanWatch = watchDir(scandir, { persistent: false }, () => void refresh());
    } catch {
      // An unwatchable scan directory: the services listed at the start are followed.
    }
  }
  const tick = (): void => {
    const now = Date.now();
    for (const t of order) measure(t, now);
    redraw();
  };
  tick();
  const timer = setInterval(tick, 1000);

  await Promise.race([done, term.stop]);
  clearInterval(timer);
  scanWatch?.close();
  for (const t of tracked.values()) t.watch?.close();
  input.off('data', onData);
  input.pause();
  output.off('resize', redraw);
  restore();
  process.removeListener('exit', restore);
  return EXIT_OK;
}
