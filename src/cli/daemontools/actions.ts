// What the daemontools command does, one function per command, each returning its exit code:
// status, commands (and restart), help, takeover, install-boot. Output goes through `Out`, so
// that the yargs front (src/cli/daemontools.ts) and tests can point it anywhere.
import { DaemontoolsError } from '../../api/errors.js';
import { sendCommand, type ServiceCommand } from '../../api/control.js';
import { readStatus, type ServiceStatus } from '../../api/status.js';
import { listServices } from '../../api/services.js';
import { waitFor, type WaitCondition } from '../../api/watch.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { hostOs, linuxBranches } from '../../native/platform.js';
import { defaultBinDir, defaultScanDir, detectInit, install, INIT_SYSTEMS, type InitSystem } from './boot.js';
import { PROGRAM_NAMES, PROGRAMS } from './programs.js';
import { describeTakeover, isFailure, takeOver } from './takeover.js';
import { json, paint, table, type Row } from './view.js';
import type { Target } from './watch.js';

export const PROG = 'daemontools';
/** Some service could not be read or controlled. */
export const EXIT_PARTIAL = 1;
export const EXIT_FAILURE = 111;

/** What `--wait` waits for after each command; absent: the command has no state to wait for. */
const WAIT_FOR: Partial<Record<ServiceCommand, WaitCondition>> = { up: 'up', down: 'down', once: 'up' };

export interface Out {
  out(text: string): void;
  err(text: string): void;
}

export const stdio: Out = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function warn(io: Out, text: string): void {
  io.err(`${PROG}: warning: ${text}\n`);
}

export function describe(err: unknown): string {
  if (err instanceof DaemontoolsError) {
    if (err.code === 'ERR_NOT_SUPERVISED') return 'supervise not running';
    if (err.code === 'ERR_SYSTEM') return `${err.systemCode ?? 'error'}${err.path ? ` (${err.path})` : ''}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The services to show: the directories named, or every service (and log) of the scan directory. */
export async function targets(dirs: readonly string[], scandir: string): Promise<Target[]> {
  if (dirs.length > 0) return dirs.map((dir) => ({ name: dir, dir }));
  const services = await listServices(scandir);
  return services.flatMap((s) => [{ name: s.name, dir: s.dir }, ...(s.log ? [{ name: `${s.name}/log`, dir: s.log }] : [])]);
}

async function readRows(list: readonly Target[]): Promise<Row[]> {
  return Promise.all(
    list.map(async ({ name, dir }) => {
      try {
        return { name, dir, result: await readStatus(dir) };
      } catch (err) {
        if (err instanceof DaemontoolsError) return { name, dir, result: err };
        throw err;
      }
    }),
  );
}

export async function status(dirs: readonly string[], scandir: string, asJson: boolean, io: Out): Promise<number> {
  let rows: Row[];
  try {
    rows = await readRows(await targets(dirs, scandir));
  } catch (err) {
    io.err(`${PROG}: fatal: unable to list ${scandir}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  if (asJson) io.out(rows.map((r) => `${json(r)}\n`).join(''));
  else io.out(table(rows, paint(process.stdout.isTTY === true, process.env)));
  return rows.some((r) => r.result instanceof Error) ? EXIT_PARTIAL : EXIT_OK;
}

export interface ControlOptions {
  readonly wait: boolean;
  readonly timeout: number;
}

/** restart: TERM a running service (supervise starts it again, being told `up` first); start a stopped one. */
async function restartOne(dir: string, options: ControlOptions): Promise<void> {
  let before: ServiceStatus | null = null;
  try {
    before = await readStatus(dir);
  } catch (err) {
    if (!(err instanceof DaemontoolsError) || err.code !== 'ERR_BAD_STATUS') throw err;
  }
  // Telling a service that was down both u and t would TERM the process u just started.
  if (before?.up) sendCommand(dir, 'up', 'term');
  else sendCommand(dir, 'up');
  const oldPid = before?.pid ?? null;
  if (options.wait) await waitFor(dir, (s) => s.up && s.pid !== oldPid, { timeout: options.timeout * 1000 });
}

export async function control(command: ServiceCommand | 'restart', dirs: readonly string[], options: ControlOptions, io: Out): Promise<number> {
  let failed = false;
  await Promise.all(
    dirs.map(async (dir) => {
      try {
        if (command === 'restart') return await restartOne(dir, options);
        sendCommand(dir, command);
        const condition = WAIT_FOR[command];
        if (options.wait && condition) await waitFor(dir, condition, { timeout: options.timeout * 1000 });
      } catch (err) {
        failed = true;
        if (err instanceof DaemontoolsError && err.code === 'ERR_TIMEOUT') warn(io, `timed out waiting for ${dir}`);
        else warn(io, `unable to control ${dir}: ${describe(err)}`);
      }
    }),
  );
  return failed ? EXIT_PARTIAL : EXIT_OK;
}

export function help(program: string | undefined, io: Out): number {
  if (program === undefined) {
    const width = Math.max(...PROGRAM_NAMES.map((n) => n.length));
    io.out('The daemontools programs (see man <program> for each, man daemontools for the whole):\n\n');
    io.out(PROGRAM_NAMES.map((n) => `  ${n.padEnd(width)}  ${PROGRAMS[n]!.summary}\n`).join(''));
    io.out(`\nThis command: ${PROG} --help\n`);
    return EXIT_OK;
  }
  const entry = PROGRAMS[program];
  if (!entry) {
    io.err(`${PROG}: fatal: no daemontools program is called ${program}\n`);
    return EXIT_USAGE;
  }
  io.out(`usage: ${entry.synopsis}\n\n${entry.summary}.\n${entry.details.map((l) => `  ${l}\n`).join('')}\nSee man ${program}.\n`);
  return EXIT_OK;
}

export async function takeover(dirs: readonly string[], scandir: string, dryRun: boolean, io: Out): Promise<number> {
  if (!linuxBranches()) {
    io.err(`${PROG}: fatal: takeover needs /proc to tell a process by its start time (Linux only)\n`);
    return EXIT_FAILURE;
  }
  let list: Target[];
  try {
    list = await targets(dirs, scandir);
  } catch (err) {
    io.err(`${PROG}: fatal: unable to list ${scandir}: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  let failed = false;
  for (const { name, dir } of list) {
    let line: string;
    try {
      const result = takeOver(dir, dryRun);
      failed ||= isFailure(result);
      line = describeTakeover(name, result);
    } catch (err) {
      failed = true;
      line = `${name}: ${describe(err)}`;
    }
    io.out(`${line}\n`);
  }
  return failed ? EXIT_PARTIAL : EXIT_OK;
}

export function installBoot(a: Record<string, unknown>, io: Out): number {
  const root = a.root as string;
  const named = INIT_SYSTEMS.filter((s) => a[s] === true);
  const init: InitSystem | null = named[0] ?? detectInit(root, hostOs());
  if (init === null) {
    io.err(`${PROG}: fatal: cannot tell the init system here: name one (--systemd, --inittab, --openrc, --rcd)\n`);
    return EXIT_USAGE;
  }
  try {
    io.out(
      install({
        init,
        root,
        bindir: (a.bindir as string | undefined) ?? defaultBinDir(),
        scandir: (a.scandir as string | undefined) ?? defaultScanDir(root),
        dryRun: a.dryRun as boolean,
        platform: hostOs(),
      }),
    );
  } catch (err) {
    io.err(`${PROG}: fatal: unable to install the ${init} integration: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}
