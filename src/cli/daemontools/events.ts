// `daemontools events`: one line per transition of each service (start, ready, status text, exit
// with its code or signal, backoff, failed, down) as supervise announces it, until interrupted;
// first a `state` line per service. NDJSON with --json.
import { watch as watchDir, type FSWatcher } from 'node:fs';
import { watchEvents, type ServiceEvent } from '../../api/events.js';
import type { ServiceState } from '../../api/state.js';
import type { StatusWatch } from '../../api/watch.js';
import { describe, PROG, type Out } from './actions.js';
import type { Target } from './watch.js';

export interface EventsIO extends Out {
  readonly json: boolean;
  /** Resolves when it should end (SIGINT, SIGTERM). */
  readonly stop: Promise<void>;
}

function detail(e: ServiceEvent): string {
  switch (e.type) {
    case 'start':
      return `start pid ${e.pid}`;
    case 'exit': {
      const how = e.signal ? ` signal ${e.signal}` : e.code !== null && e.code !== undefined ? ` code ${e.code}` : '';
      return `exit${e.pid !== undefined ? ` pid ${e.pid}` : ''}${how}${e.reason ? ` (${e.reason})` : ''}`;
    }
    case 'status':
      return e.statusText === null ? 'status cleared' : `status ${JSON.stringify(e.statusText)}`;
    case 'backoff':
      return e.nextStartAt ? `backoff until ${e.nextStartAt.toISOString()}` : 'backoff';
    default:
      return e.type;
  }
}

export function eventLine(e: ServiceEvent, json: boolean): string {
  if (!json) return `${e.at.toISOString()} ${e.service} ${detail(e)}\n`;
  const { type, service, dir, at, ...rest } = e;
  const extra = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));
  return `${JSON.stringify({ time: at.toISOString(), service, dir, event: type, ...extra })}\n`;
}

export function stateLine(service: string, dir: string, s: ServiceState, json: boolean): string {
  const at = new Date();
  if (json) {
    return `${JSON.stringify({ time: at.toISOString(), service, dir, event: 'state', state: s.state, ready: s.ready, pid: s.pid, statusText: s.statusText })}\n`;
  }
  const bits = [s.state, ...(s.pid !== null ? [`pid ${s.pid}`] : []), ...(s.up && s.ready && s.state !== 'up' ? ['ready'] : [])];
  return `${at.toISOString()} ${service} state ${bits.join(' ')}\n`;
}

/** Follows `list()`'s services (and, with a scan directory, those added later) until `io.stop`. */
export async function followEvents(list: () => Promise<Target[]>, scandir: string | null, io: EventsIO): Promise<number> {
  const watches = new Map<string, StatusWatch>();
  const problems = new Map<string, string>();
  const refresh = async (): Promise<void> => {
    const targets = await list();
    const names = new Set(targets.map((t) => t.name));
    for (const [name, w] of watches) {
      if (names.has(name)) continue;
      w.close();
      watches.delete(name);
    }
    for (const t of targets) {
      if (watches.has(t.name)) continue;
      watches.set(
        t.name,
        watchEvents([t], {
          onState: (service, dir, s) => {
            problems.delete(service);
            io.out(stateLine(service, dir, s, io.json));
          },
          onEvent: (e) => io.out(eventLine(e, io.json)),
          onError: (service, _dir, err) => {
            // Each problem once, not at every re-read.
            if (problems.get(service) === err.code) return;
            problems.set(service, err.code);
            io.err(`${PROG}: warning: ${service}: ${describe(err)}\n`);
          },
        }),
      );
    }
  };
  // The scan directory is watched before the first listing is shown: a service added right
  // after it (by someone who saw it) is never missed.
  let scanWatch: FSWatcher | undefined;
  if (scandir !== null) {
    try {
      scanWatch = watchDir(scandir, () => void refresh().catch(() => {}));
    } catch {
      // Not watchable: the services listed at the start are all we follow.
    }
  }
  await refresh();
  await io.stop;
  scanWatch?.close();
  for (const w of watches.values()) w.close();
  return 0;
}
