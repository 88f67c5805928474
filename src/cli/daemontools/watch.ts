// `daemontools watch`: the status table kept current. On a terminal it is redrawn whenever
// supervise announces a change (plus a tick each second for the time column); otherwise one line
// per change is printed, svstat's words after an ISO time.
import { watch as watchDir, type FSWatcher } from 'node:fs';
import { DaemontoolsError } from '../../api/errors.js';
import { watchStatus, type StatusWatch } from '../../api/watch.js';
import { json, svstatWords, table, type Paint, type Row } from './view.js';

export interface Target {
  readonly name: string;
  readonly dir: string;
}

export interface WatchIO {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly paint: Paint;
  readonly json: boolean;
  /** Resolves when watching should end (SIGINT, SIGTERM). */
  readonly stop: Promise<void>;
}

const CLEAR = '\x1b[H\x1b[2J';

/**
 * Watches `list()`'s services until `io.stop` resolves. `scandir`, when given, is watched too,
 * so services added to it or removed from it come and go.
 */
export async function watchServices(list: () => Promise<Target[]>, scandir: string | null, io: WatchIO): Promise<number> {
  const rows = new Map<string, Row>();
  const watches = new Map<string, StatusWatch>();
  let order: string[] = [];
  let dirty = false;

  const draw = (): void => {
    dirty = false;
    const shown = order.map((name) => rows.get(name)).filter((r): r is Row => r !== undefined);
    io.write(`${CLEAR}${table(shown, io.paint)}`);
  };
  // Several changes in one turn of the event loop make one redraw.
  const redraw = (): void => {
    if (dirty) return;
    dirty = true;
    setImmediate(draw);
  };
  const changed = (row: Row): void => {
    const before = rows.get(row.name);
    rows.set(row.name, row);
    if (io.isTTY) return redraw();
    // Off a terminal, report a change of state, not a re-read of the same one.
    if (before && sameState(before, row)) return;
    io.write(io.json ? `${json(row)}\n` : `${new Date().toISOString()} ${svstatWords(row)}\n`);
  };

  const refresh = async (): Promise<void> => {
    const targets = await list();
    order = targets.map((t) => t.name);
    for (const [name, w] of watches) {
      if (order.includes(name)) continue;
      w.close();
      watches.delete(name);
      rows.delete(name);
    }
    for (const { name, dir } of targets) {
      if (watches.has(name)) continue;
      try {
        watches.set(name, watchStatus(dir, {
          onStatus: (status) => changed({ name, dir, result: status }),
          onError: (error) => changed({ name, dir, result: error }),
        }));
      } catch (err) {
        if (err instanceof DaemontoolsError) changed({ name, dir, result: err });
        else throw err;
      }
    }
    if (io.isTTY) redraw();
  };

  // The scan directory is watched before the first listing is shown: a service added right
  // after it (by someone who saw it) is never missed.
  let scanWatch: FSWatcher | undefined;
  if (scandir !== null) {
    try {
      scanWatch = watchDir(scandir, () => void refresh());
    } catch {
      // The scan directory cannot be watched: its services as listed are all we follow.
    }
  }
  await refresh();
  const tick = io.isTTY ? setInterval(redraw, 1000) : undefined;
  await io.stop;
  if (tick) clearInterval(tick);
  scanWatch?.close();
  for (const w of watches.values()) w.close();
  return 0;
}

function sameState(a: Row, b: Row): boolean {
  const x = a.result;
  const y = b.result;
  if (x instanceof Error || y instanceof Error) return x instanceof Error && y instanceof Error && x.code === y.code;
  return x.pid === y.pid && x.paused === y.paused && x.want === y.want && x.normallyUp === y.normallyUp;
}
