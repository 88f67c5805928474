// `daemontools metrics`: the services' state in Prometheus's text exposition format (0.0.4),
// printed once or served at /metrics. From the sidecar where there is one; otherwise only what
// the 18 bytes tell (up, ready = up, uptime).
import { createServer, type Server } from 'node:http';
import { constants } from 'node:os';
import { DaemontoolsError } from '../../api/errors.js';
import { readState, type ServiceState } from '../../api/state.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { describe, EXIT_FAILURE, EXIT_PARTIAL, PROG, type Out } from './actions.js';
import type { Target } from './watch.js';

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Kind = 'gauge' | 'counter';
const METRICS: ReadonlyArray<readonly [string, Kind, string, (s: ServiceState, now: number) => number | null]> = [
  ['daemontools_service_up', 'gauge', 'Whether the service has a running process (1) or not (0).', (s) => (s.up ? 1 : 0)],
  ['daemontools_service_ready', 'gauge', 'Whether the service is ready: as it said so (readiness dialect), else when up.', (s) => (s.up && s.ready ? 1 : 0)],
  ['daemontools_service_starts_total', 'counter', 'Starts of the service since its supervisor began.', (s) => s.starts],
  ['daemontools_service_deaths_total', 'counter', 'Deaths of the service since its supervisor began.', (s) => s.deathsTotal],
  ['daemontools_service_uptime_seconds', 'gauge', 'Seconds since the running process started; 0 while down.', (s, now) => (s.up ? Math.max(0, (now - s.since.getTime()) / 1000) : 0)],
  ['daemontools_service_last_exit_code', 'gauge', 'Exit code of the last run; 128 + the signal number when a signal ended it.', (s) =>
    s.lastExit === null ? null : s.lastExit.code ?? 128 + ((constants.signals as Record<string, number>)[s.lastExit.signal ?? ''] ?? 0)],
];

/** A label value as the format wants it: backslash, double quote and newline escaped. */
const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

/** The exposition for `rows` (services that could not be read have no samples). */
export function exposition(rows: ReadonlyArray<{ readonly name: string; readonly state: ServiceState }>, now = Date.now()): string {
  let out = '';
  for (const [name, kind, help, value] of METRICS) {
    out += `# HELP ${name} ${help}\n# TYPE ${name} ${kind}\n`;
    for (const { name: service, state } of rows) {
      const v = value(state, now);
      if (v !== null) out += `${name}{service="${label(service)}"} ${Number.isInteger(v) ? v : v.toFixed(3)}\n`;
    }
  }
  return out;
}

async function collect(list: () => Promise<Target[]>, io: Out): Promise<{ text: string; failed: boolean }> {
  const targets = await list();
  let failed = false;
  const rows = await Promise.all(
    targets.map(async (t) => {
      try {
        return { name: t.name, state: await readState(t.dir) };
      } catch (err) {
        if (!(err instanceof DaemontoolsError)) throw err;
        failed = true;
        io.err(`${PROG}: warning: ${t.name}: ${describe(err)}\n`);
        return null;
      }
    }),
  );
  return { text: exposition(rows.filter((r): r is NonNullable<typeof r> => r !== null)), failed };
}

/** `HOST:PORT`, `[::1]:PORT` or `:PORT` (every address). */
export function parseListen(text: string): { host: string | undefined; port: number } | null {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):([0-9]{1,5})$/.exec(text);
  if (!m || Number(m[3]) > 65535) return null;
  const host = m[1] ?? m[2];
  return { host: host === '' ? undefined : host, port: Number(m[3]) };
}

export interface MetricsIO extends Out {
  readonly stop: Promise<void>;
}

/** Prints the metrics once, or with `listen` serves them at /metrics until `io.stop`. */
export async function metrics(list: () => Promise<Target[]>, listen: string | undefined, io: MetricsIO): Promise<number> {
  if (listen === undefined) {
    const { text, failed } = await collect(list, io);
    io.out(text);
    return failed ? EXIT_PARTIAL : EXIT_OK;
  }
  const where = parseListen(listen);
  if (where === null) {
    io.err(`${PROG}: usage: --listen wants HOST:PORT, not ${listen}\n`);
    return EXIT_USAGE;
  }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    collect(list, io).then(
      ({ text }) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`${describe(err)}\n`),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(where.port, where.host, () => resolve());
    });
  } catch (err) {
    io.err(`${PROG}: fatal: unable to listen on ${listen}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  const addr = server.address();
  if (addr && typeof addr === 'object') {
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    io.out(`serving http://${host}:${addr.port}/metrics\n`);
  }
  await io.stop;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  return EXIT_OK;
}
