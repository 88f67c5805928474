// daemontools: the one command for people rather than scripts. Status of services as a table or
// JSON, commands by name, a live view, a summary of each program, boot integration. The seventeen
// programs stay byte-for-byte djb's; this command is ours, and the only one that uses yargs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { DaemontoolsError } from '../api/errors.js';
import { sendCommand, type ServiceCommand } from '../api/control.js';
import { readStatus, type ServiceStatus } from '../api/status.js';
import { listServices } from '../api/services.js';
import { waitFor, type WaitCondition } from '../api/watch.js';
import { EXIT_OK, EXIT_USAGE } from '../lib/exit-codes.js';
import { defaultBinDir, defaultScanDir, detectInit, install, INIT_SYSTEMS, type InitSystem } from './daemontools/boot.js';
import { PROGRAM_NAMES, PROGRAMS } from './daemontools/programs.js';
import { describeTakeover, isFailure, takeOver } from './daemontools/takeover.js';
import { json, paint, table, type Row } from './daemontools/view.js';
import { watchServices, type Target } from './daemontools/watch.js';

const PROG = 'daemontools';
/** Some service could not be read or controlled. */
const EXIT_PARTIAL = 1;
const EXIT_FAILURE = 111;

/** Commands sent as they are, by the names of svc's options. */
const SIMPLE: ReadonlyArray<readonly [ServiceCommand, string]> = [
  ['up', 'start the services and keep them up (svc -u)'],
  ['down', 'stop the services and keep them down (svc -d)'],
  ['once', 'start the services, but do not restart them (svc -o)'],
  ['pause', 'send STOP (svc -p)'],
  ['cont', 'send CONT (svc -c)'],
  ['hup', 'send HUP (svc -h)'],
  ['alarm', 'send ALRM (svc -a)'],
  ['interrupt', 'send INT (svc -i)'],
  ['term', 'send TERM (svc -t)'],
  ['kill', 'send KILL (svc -k)'],
  ['exit', 'stop supervising once the services are down (svc -x)'],
];

/** What `--wait` waits for after each command; absent: the command has no state to wait for. */
const WAIT_FOR: Partial<Record<ServiceCommand, WaitCondition>> = { up: 'up', down: 'down', once: 'up' };

/** A command line yargs refused. */
class UsageError extends Error {}

interface Out {
  out(text: string): void;
  err(text: string): void;
}

const stdio: Out = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

function warn(io: Out, text: string): void {
  io.err(`${PROG}: warning: ${text}\n`);
}

function describe(err: unknown): string {
  if (err instanceof DaemontoolsError) {
    if (err.code === 'ERR_NOT_SUPERVISED') return 'supervise not running';
    if (err.code === 'ERR_SYSTEM') return `${err.systemCode ?? 'error'}${err.path ? ` (${err.path})` : ''}`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** The services to show: the directories named, or every service (and log) of the scan directory. */
async function targets(dirs: readonly string[], scandir: string): Promise<Target[]> {
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

async function status(dirs: readonly string[], scandir: string, asJson: boolean, io: Out): Promise<number> {
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

interface ControlOptions {
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

async function control(command: ServiceCommand | 'restart', dirs: readonly string[], options: ControlOptions, io: Out): Promise<number> {
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

function help(program: string | undefined, io: Out): number {
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

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

function parser(yargs: Argv, io: Out, setCode: (code: number) => void): Argv {
  const scandirOf = (a: Record<string, unknown>): string => (a.scandir as string | undefined) ?? defaultScanDir('/');
  const dirs = (y: Argv) => y.positional('dir', { type: 'string', array: true, describe: 'service directories (default: every service in the scan directory)' });
  const waiting = (y: Argv) =>
    y
      .positional('dir', { type: 'string', array: true, demandOption: true, describe: 'service directories' })
      .option('wait', { type: 'boolean', default: false, describe: 'wait until the services are up (or down)' })
      .option('timeout', { type: 'number', default: 30, describe: 'seconds --wait waits at most' });
  let y = yargs
    .scriptName(PROG)
    .usage('$0 <command> [options]\n\nSee and drive the services of daemontools (svscan, supervise).')
    .option('scandir', {
      type: 'string',
      describe: 'the scan directory svscan watches (default: /etc/service on Debian-like systems, else /service)',
      global: true,
    })
    .command(
      'status [dir..]',
      'show whether each service is up, its pid and for how long',
      (c) => dirs(c).option('json', { type: 'boolean', default: false, describe: 'one JSON object per line per service' }),
      async (a) => setCode(await status((a.dir as string[] | undefined) ?? [], scandirOf(a), a.json as boolean, io)),
    )
    .command(
      'watch [dir..]',
      'show the status table and keep it current until interrupted',
      (c) => dirs(c).option('json', { type: 'boolean', default: false, describe: 'off a terminal: JSON lines' }),
      async (a) => {
        const named = (a.dir as string[] | undefined) ?? [];
        const sd = scandirOf(a);
        const isTTY = process.stdout.isTTY === true;
        const code = await watchServices(() => targets(named, sd), named.length > 0 ? null : sd, {
          write: io.out,
          isTTY,
          paint: paint(isTTY, process.env),
          json: a.json as boolean,
          stop: stopSignal(),
        });
        setCode(code);
      },
    )
    .command(
      'restart <dir..>',
      'TERM each running service, which supervise restarts; start each stopped one (svc -ut / -u)',
      waiting,
      async (a) => setCode(await control('restart', a.dir as string[], { wait: a.wait as boolean, timeout: a.timeout as number }, io)),
    );
  for (const [name, text] of SIMPLE) {
    y = y.command(`${name} <dir..>`, text, waiting, async (a) =>
      setCode(await control(name, a.dir as string[], { wait: a.wait as boolean, timeout: a.timeout as number }, io)),
    );
  }
  return y
    .command(
      'help [program]',
      'summarize the daemontools programs, or one of them',
      (c) => c.positional('program', { type: 'string', choices: PROGRAM_NAMES }),
      (a) => setCode(help(a.program as string | undefined, io)),
    )
    .command(
      'install-boot',
      'install the boot integration: a systemd unit, an inittab line, an OpenRC service or an rc.d script',
      (c) =>
        c
          .option('systemd', { type: 'boolean', describe: 'a systemd unit (/etc/systemd/system/daemontools.service)' })
          .option('inittab', { type: 'boolean', describe: 'an SV line in /etc/inittab (svscanboot, respawned by init)' })
          .option('openrc', { type: 'boolean', describe: 'an OpenRC service (/etc/init.d/daemontools)' })
          .option('rcd', { type: 'boolean', describe: 'an rc.d script for FreeBSD or NetBSD' })
          .conflicts('systemd', ['inittab', 'openrc', 'rcd'])
          .conflicts('inittab', ['openrc', 'rcd'])
          .conflicts('openrc', 'rcd')
          .option('dry-run', { type: 'boolean', default: false, describe: 'print what would be written, write nothing' })
          .option('root', { type: 'string', default: '/', describe: 'install into this root directory' })
          .option('bindir', { type: 'string', describe: 'where the daemontools programs are (default: found on PATH)' }),
      (a) => setCode(installBoot(a, io)),
    )
    .command(
      'takeover [dir..]',
      'record the processes of stopped C supervise processes, for our svscan to adopt (Linux)',
      (c) => dirs(c).option('dry-run', { type: 'boolean', default: false, describe: 'say what would be recorded, write nothing' }),
      async (a) => setCode(await takeover((a.dir as string[] | undefined) ?? [], scandirOf(a), a.dryRun as boolean, io)),
    )
    .completion('completion', 'print a shell completion script (bash, zsh)')
    .demandCommand(1, 'name a command (daemontools --help lists them)')
    .strict()
    .recommendCommands()
    .version(version())
    .alias('help', 'h')
    .alias('version', 'V')
    .wrap(Math.min(100, process.stdout.columns ?? 80))
    .exitProcess(false)
    .fail((message, err) => {
      // Thrown, so that yargs runs no handler after a failed validation.
      if (err && err.name !== 'YError') throw err;
      throw new UsageError(message ?? err?.message ?? 'bad usage');
    });
}

async function takeover(dirs: readonly string[], scandir: string, dryRun: boolean, io: Out): Promise<number> {
  if (process.platform !== 'linux') {
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

function installBoot(a: Record<string, unknown>, io: Out): number {
  const root = a.root as string;
  const named = INIT_SYSTEMS.filter((s) => a[s] === true);
  const init: InitSystem | null = named[0] ?? detectInit(root, process.platform);
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
        platform: process.platform,
      }),
    );
  } catch (err) {
    io.err(`${PROG}: fatal: unable to install the ${init} integration: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  return EXIT_OK;
}

/** Runs the command; argv[0] is the program name. Resolves with the exit code. */
export async function main(argv: readonly string[], io: Out = stdio): Promise<number> {
  const args = argv.slice(1);
  // yargs takes a lone `help` for --help; ours lists the programs.
  if (args.length === 1 && args[0] === 'help') return help(undefined, io);
  const { default: yargs } = await import('yargs');
  let code = EXIT_OK;
  try {
    await parser(yargs(args), io, (c) => (code = c)).parseAsync();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${PROG}: usage: ${err.message}\n${PROG}: see ${PROG} --help\n`);
      return EXIT_USAGE;
    }
    io.err(`${PROG}: fatal: ${describe(err)}\n`);
    return EXIT_FAILURE;
  }
  return code;
}

if (require.main === module) {
  main(['daemontools', ...process.argv.slice(2)]).then((code) => (process.exitCode = code));
}
