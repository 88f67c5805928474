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
import { defaultScanDir } from './daemontools/boot.js';
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
