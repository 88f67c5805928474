// `daemontools logs NAME... [-f] [-n N] [--since TIME] [--raw]`: the last lines of each service's
// multilog directory, stamps as tai64nlocal shows them, several services merged by time with a
// name column; -f then follows them.
import { join } from 'node:path';
import { LogFollower, parseSince } from '../../lib/door/logfollow.js';
import { closeSnapshot, logDirOf, LogsError, snapshot, type LogLine } from '../../lib/door/logread.js';
import { LocalStamper } from '../../lib/tai64n-local.js';
import { LocalTime, zoneFromEnvironment } from '../../lib/tz/localtime.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { EXIT_FAILURE, PROG, describe as describeError, type Out } from './actions.js';

export interface LogsOptions {
  readonly follow: boolean;
  readonly lines: number;
  readonly since?: string;
  readonly raw: boolean;
  /** Resolves when following should end. */
  readonly stop: Promise<void>;
}

/** tai64nlocal's transform of one line (stamp to local time), reusing one stamper. */
function localizer(): (line: Buffer) => string {
  let parts: Buffer[] = [];
  const stamper = new LocalStamper(new LocalTime(zoneFromEnvironment()), (b, n) => parts.push(Buffer.from(b.subarray(0, n))), 4096);
  return (line) => {
    parts = [];
    const input = Buffer.concat([line, Buffer.from('\n')]);
    stamper.push(input, input.length);
    const out = Buffer.concat(parts);
    return out.toString('utf8', 0, out.length - 1);
  };
}

/** The service directory a name stands for: a path as given, else the scan directory's entry. */
const serviceDir = (name: string, scandir: string): string => (name.includes('/') ? name : join(scandir, name));

interface Source {
  readonly name: string;
  readonly logdir: string;
}

export async function logs(names: readonly string[], scandir: string, options: LogsOptions, io: Out): Promise<number> {
  if (!Number.isInteger(options.lines) || options.lines < 0) {
    io.err(`${PROG}: usage: -n takes a whole number\n`);
    return EXIT_USAGE;
  }
  let since: bigint | null = null;
  if (options.since !== undefined) {
    since = parseSince(options.since, Date.now());
    if (since === null) {
      io.err(`${PROG}: usage: --since ${options.since}: not a time (30s, 10m, 2h, 1d, a date, or a TAI64N label)\n`);
      return EXIT_USAGE;
    }
  }
  let code = EXIT_OK;
  const sources: Source[] = [];
  for (const name of names) {
    try {
      sources.push({ name, logdir: logDirOf(serviceDir(name, scandir)) });
    } catch (err) {
      io.err(`${PROG}: fatal: ${err instanceof LogsError ? err.message : `unable to read ${name}/log/run: ${describeError(err)}`}\n`);
      code = EXIT_FAILURE;
    }
  }
  if (sources.length === 0) return code;
  const show = options.raw ? (l: Buffer) => l.toString('utf8') : localizer();
  const width = Math.max(...sources.map((s) => s.name.length));
  const label = sources.length > 1 ? (name: string) => `${name.padEnd(width)} | ` : () => '';
  const print = (name: string, lines: readonly LogLine[]): void => {
    const kept = since === null ? lines : lines.filter((l) => l.stamp === null || l.stamp >= since!);
    if (kept.length > 0) io.out(kept.map((l) => `${label(name)}${show(l.text)}\n`).join(''));
  };

  const snaps = [];
  for (const source of sources) {
    try {
      snaps.push({ source, snap: snapshot(source.logdir) });
    } catch (err) {
      io.err(`${PROG}: fatal: unable to read ${source.logdir}: ${describeError(err)}\n`);
      code = EXIT_FAILURE;
    }
  }
  // The last N of each service, merged by time (a stable sort keeps each log's own order).
  const recent = snaps.flatMap(({ source, snap }) => {
    const lines = since === null ? snap.lines : snap.lines.filter((l) => l.stamp === null || l.stamp >= since!);
    return lines.slice(Math.max(0, lines.length - options.lines)).map((line) => ({ name: source.name, line }));
  });
  if (snaps.length > 1) recent.sort((a, b) => (a.line.stamp ?? 0n) < (b.line.stamp ?? 0n) ? -1 : (a.line.stamp ?? 0n) > (b.line.stamp ?? 0n) ? 1 : 0);
  for (const r of recent) print(r.name, [r.line]);

  if (!options.follow) {
    for (const { snap } of snaps) closeSnapshot(snap);
    return code;
  }
  const followers = snaps.map(({ source, snap }) => {
    const f = new LogFollower(source.logdir, snap, (lines) => print(source.name, lines), (err) => io.err(`${PROG}: warning: ${source.logdir}: ${describeError(err)}\n`));
    f.start();
    return f;
  });
  await options.stop;
  for (const f of followers) f.close();
  return code;
}
