// daemontools: the one command for people rather than scripts. Status of services as a table or
// JSON, commands by name, a live view, a summary of each program, boot integration. The seventeen
// programs stay byte-for-byte djb's; this command is ours, and the only one that uses yargs.
// This file is the command line; ./daemontools/actions.ts does the work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import type { ServiceCommand } from '../api/control.js';
import { EXIT_OK, EXIT_USAGE } from '../lib/exit-codes.js';
import {
  control,
  describe,
  EXIT_FAILURE,
  help,
  installBoot,
  PROG,
  stdio,
  takeover,
  targets,
  type Out,
} from './daemontools/actions.js';
import { add, addOptions, DEFAULT_SVDIR } from './daemontools/add.js';
import { defaultScanDir } from './daemontools/boot.js';
import { importFile } from './daemontools/import.js';
import { logs } from './daemontools/logs.js';
import { topLive, topOnce } from './daemontools/top.js';
import { remove } from './daemontools/remove.js';
import { PROGRAM_NAMES } from './daemontools/programs.js';
import { paint } from './daemontools/view.js';
import { watchServices } from './daemontools/watch.js';
import { followEvents } from './daemontools/events.js';
import { metrics } from './daemontools/metrics.js';
import { stateStatus } from './daemontools/state-status.js';
import { waitServices, WAIT_STATES, type WaitState } from './daemontools/wait.js';

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

/** A command line yargs refused. */
class UsageError extends Error {}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
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

function parser(yargs: Argv, io: Out, setCode: (code: number) => void, afterDashes: readonly string[] | null = null): Argv {
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
      'show each service\'s state, readiness, pid, time and last exit',
      (c) => dirs(c).option('json', { type: 'boolean', default: false, describe: 'one JSON object per line per service, with supervise/status.json as "sidecar"' }),
      async (a) => setCode(await stateStatus((a.dir as string[] | undefined) ?? [], scandirOf(a), a.json as boolean, io)),
    )
    .command(
      'wait <dir..>',
      'wait until every service is up (default), ready, down or exited (s6-svwait); exit 1 on timeout',
      (c) =>
        c
          .positional('dir', { type: 'string', array: true, demandOption: true, describe: 'service directories' })
          .option('up', { type: 'boolean', describe: 'a process runs (the default)' })
          .option('ready', { type: 'boolean', describe: 'the service said it is ready (readiness files), else up' })
          .option('down', { type: 'boolean', describe: 'no process runs' })
          .option('exit', { type: 'boolean', describe: 'down, and ./finish done' })
          .conflicts('up', ['ready', 'down', 'exit'])
          .conflicts('ready', ['down', 'exit'])
          .conflicts('down', 'exit')
          .option('timeout', { type: 'number', describe: 'give up after this many seconds (exit 1)' }),
      async (a) => {
        const state: WaitState = WAIT_STATES.find((s) => a[s] === true) ?? 'up';
        const timeout = a.timeout as number | undefined;
        if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
          io.err(`${PROG}: usage: --timeout wants a number of seconds\n${PROG}: see ${PROG} wait --help\n`);
          return setCode(EXIT_USAGE);
        }
        setCode(await waitServices(a.dir as string[], state, timeout, io));
      },
    )
    .command(
      'events [dir..]',
      'print one line per transition (start, ready, status, exit, backoff, failed, down) until interrupted',
      (c) => dirs(c).option('json', { type: 'boolean', default: false, describe: 'one JSON object per line (NDJSON)' }),
      async (a) => {
        const named = (a.dir as string[] | undefined) ?? [];
        const sd = scandirOf(a);
        setCode(await followEvents(() => targets(named, sd), named.length > 0 ? null : sd, { ...io, json: a.json as boolean, stop: stopSignal() }));
      },
    )
    .command(
      'metrics [dir..]',
      'print the services\' state as Prometheus metrics, or serve them at /metrics',
      (c) => dirs(c).option('listen', { type: 'string', describe: 'serve at http://HOST:PORT/metrics until interrupted' }),
      async (a) => {
        const named = (a.dir as string[] | undefined) ?? [];
        const sd = scandirOf(a);
        const listen = a.listen as string | undefined;
        setCode(await metrics(() => targets(named, sd), listen, { ...io, stop: listen === undefined ? Promise.resolve() : stopSignal() }));
      },
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
      'add <name> [command..]',
      'define a service (run, env/, log/) and activate it: daemontools add NAME [options] -- COMMAND [ARGS...]',
      addOptions,
      (a) => setCode(add({ ...a, command: afterDashes ?? a.command }, scandirOf(a), io)),
    )
    .command(
      'remove <name..>',
      'take a service out of the scan directory, stop it and its log (svc -dx), wait until supervise is gone',
      (c) =>
        c
          .positional('name', { type: 'string', array: true, demandOption: true, describe: 'names in the scan directory' })
          .option('purge', { type: 'boolean', default: false, describe: 'delete the service directory too' })
          .option('timeout', { type: 'number', default: 30, describe: 'seconds to wait for the supervisors to go' }),
      async (a) => setCode(await remove(a.name as string[], scandirOf(a), a.purge as boolean, a.timeout as number, io)),
    )
    .command(
      'logs <name..>',
      "show a service's multilog log (several: merged by time), and follow it with -f",
      (c) =>
        c
          .positional('name', { type: 'string', array: true, demandOption: true, describe: 'names in the scan directory, or service directories' })
          .option('follow', { alias: 'f', type: 'boolean', default: false, describe: 'keep showing lines as they are logged' })
          .option('lines', { alias: 'n', type: 'number', default: 10, describe: 'show the last N lines of each' })
          .option('since', { type: 'string', describe: 'only lines from then on: 30s, 10m, 2h, 1d, a date, a TAI64N label' })
          .option('raw', { type: 'boolean', default: false, describe: 'keep the TAI64N stamps as multilog wrote them' }),
      async (a) =>
        setCode(
          await logs(a.name as string[], scandirOf(a), { follow: a.follow as boolean, lines: a.lines as number, since: a.since as string | undefined, raw: a.raw as boolean, stop: stopSignal() }, io),
        ),
    )
    .command(
      'import <file>',
      "turn pm2's ecosystem file (.js or .json) into services, as daemontools add would",
      (c) =>
        c
          .positional('file', { type: 'string', demandOption: true, describe: 'ecosystem.config.js or a .json file' })
          .option('env', { type: 'string', describe: 'lay env_NAME over env, as pm2 start --env NAME' })
          .option('svdir', { type: 'string', default: DEFAULT_SVDIR, describe: 'where service definitions live' })
          .option('check', { type: 'boolean', default: true, describe: 'refuse a program not found on PATH (--no-check: add anyway)' })
          .option('dry-run', { type: 'boolean', default: false, describe: 'print the files it would write, write nothing' }),
      (a) =>
        setCode(importFile(a.file as string, { envName: a.env as string | undefined, dryRun: a.dryRun as boolean, svdir: a.svdir as string, scandir: scandirOf(a), check: a.check !== false }, io)),
    )
    .command(
      'top [name..]',
      'a live view of the services: state, pid, uptime, restarts, CPU and memory, last log line; keys u, d, r, q',
      (c) => c.positional('name', { type: 'string', array: true, describe: 'names in the scan directory, or service directories (default: all)' }),
      async (a) => {
        const named = (a.name as string[] | undefined) ?? [];
        const live = process.stdout.isTTY === true && process.stdin.isTTY === true;
        setCode(live ? await topLive(named, scandirOf(a), { input: process.stdin, output: process.stdout, stop: stopSignal() }) : await topOnce(named, scandirOf(a), io));
      },
    )
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

/** Runs the command; argv[0] is the program name. Resolves with the exit code. */
export async function main(argv: readonly string[], io: Out = stdio): Promise<number> {
  const args = argv.slice(1);
  // yargs takes a lone `help` for --help; ours lists the programs.
  if (args.length === 1 && args[0] === 'help') return help(undefined, io);
  const { default: yargs } = await import('yargs');
  let code = EXIT_OK;
  try {
    // What follows `--` is a command line of its own, taken as it is (yargs would turn "5" into 5).
    const dashes = args.indexOf('--');
    await parser(yargs(args), io, (c) => (code = c), dashes < 0 ? null : args.slice(dashes + 1)).parseAsync();
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
