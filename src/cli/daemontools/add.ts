// `daemontools add NAME [options] -- COMMAND [ARGS...]`: the command line turned into a service
// spec, checked and written by lib/door/install.ts.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { lookupAccount } from '../account.js';
import type { ServiceSpec } from '../../lib/door/definition.js';
import { parseDotenv } from '../../lib/door/dotenv.js';
import { AddRefused, describePlan, planAdd, writePlan, type AddWorld } from '../../lib/door/install.js';
import { EXIT_OK, EXIT_USAGE } from '../../lib/exit-codes.js';
import { EXIT_FAILURE, PROG, describe as describeError, type Out } from './actions.js';

export const DEFAULT_SVDIR = '/var/svc.d';

export function addOptions(y: Argv): Argv {
  return y
    .positional('name', { type: 'string', demandOption: true, describe: 'the service name (NAME-0... with --instances)' })
    .positional('command', { type: 'string', array: true, describe: 'the program and its arguments, after --' })
    .option('svdir', { type: 'string', default: DEFAULT_SVDIR, describe: 'where service definitions live' })
    .option('env', { type: 'string', array: true, default: [], describe: 'K=V into ./env (repeatable)' })
    .option('env-file', { type: 'string', array: true, default: [], describe: 'a .env file (dotenv syntax) into ./env' })
    .option('user', { type: 'string', describe: 'run as this account (setuidgid)' })
    .option('cwd', { type: 'string', describe: 'the directory the program runs in (default: the current one)' })
    .option('limit-mem', { type: 'number', describe: 'softlimit -m: bytes of memory' })
    .option('limit-files', { type: 'number', describe: 'softlimit -o: open files' })
    .option('limit-procs', { type: 'number', describe: 'softlimit -p: processes' })
    .option('log-user', { type: 'string', describe: 'multilog runs as this account (default: --user, or you)' })
    .option('log-size', { type: 'number', describe: "multilog's s: bytes per log file" })
    .option('log-keep', { type: 'number', describe: "multilog's n: old log files kept" })
    .option('down', { type: 'boolean', default: false, describe: 'add it, but do not start it (a down file)' })
    .option('ready', { type: 'string', choices: ['fd', 'socket', 'ipc'], describe: 'how it says it is ready: a line on fd 3, sd_notify, or process.send("ready")' })
    .option('restart-backoff', { type: 'string', describe: 'MIN,MAX: seconds before a restart, doubling from MIN to MAX (backoff)' })
    .option('kill-timeout', { type: 'number', describe: 'milliseconds after a stop before SIGKILL (timeout-kill)' })
    .option('instances', { type: 'number', default: 1, describe: 'N services NAME-0 ... NAME-(N-1), each with INSTANCE=i' })
    .option('port', { type: 'number', describe: 'PORT=P+i in instance i' })
    .option('check', { type: 'boolean', default: true, describe: 'refuse a COMMAND not found on PATH (--no-check: add it anyway)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the files it would write, write nothing' });
}

/** Problems with numbers, before anything else is looked at. */
function badNumber(a: Record<string, unknown>): string | null {
  for (const key of ['limitMem', 'limitFiles', 'limitProcs', 'logSize', 'logKeep', 'port', 'killTimeout']) {
    const v = a[key];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 0)) return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} takes a whole number`;
  }
  const n = a.instances;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) return '--instances takes a whole number, 1 or more';
  if (a.restartBackoff !== undefined && backoffOf(a.restartBackoff) === null) return '--restart-backoff takes MIN,MAX: whole seconds, 1 <= MIN <= MAX';
  return null;
}

/** `--restart-backoff MIN,MAX`; null when malformed. */
export function backoffOf(v: unknown): [number, number] | null {
  const m = /^([0-9]+),([0-9]+)$/.exec(String(v));
  if (!m) return null;
  const [min, max] = [Number(m[1]), Number(m[2])];
  return min >= 1 && min <= max ? [min, max] : null;
}

export function environment(pairs: readonly string[], files: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const file of files) for (const [k, v] of parseDotenv(readFileSync(file, 'utf8'))) env.set(k, v);
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AddRefused([`--env ${pair}: not NAME=VALUE`]);
    env.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return env;
}

export const world = (): AddWorld => ({ lookupUser: lookupAccount, path: process.env.PATH ?? '/bin:/usr/bin' });

/** What the caller is called (the log user by default). */
const caller = (): string => {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 0);
  }
};

export function specOf(a: Record<string, unknown>, command: readonly string[], env: Map<string, string>): ServiceSpec {
  const user = a.user as string | undefined;
  return {
    name: String(a.name),
    command,
    cwd: resolve((a.cwd as string | undefined) ?? process.cwd()),
    env,
    user,
    limits: { mem: a.limitMem as number | undefined, files: a.limitFiles as number | undefined, procs: a.limitProcs as number | undefined },
    logUser: (a.logUser as string | undefined) ?? user ?? caller(),
    logSize: a.logSize as number | undefined,
    logKeep: a.logKeep as number | undefined,
    down: a.down === true,
    ready: a.ready as ServiceSpec['ready'],
    backoff: a.restartBackoff === undefined ? undefined : backoffOf(a.restartBackoff)!,
    killTimeoutMs: a.killTimeout as number | undefined,
  };
}

export function add(a: Record<string, unknown>, scandir: string, io: Out): number {
  const bad = badNumber(a);
  if (bad) {
    io.err(`${PROG}: usage: ${bad}\n`);
    return EXIT_USAGE;
  }
  const command = ((a.command as unknown[] | undefined) ?? []).map(String);
  try {
    const spec = specOf(a, command, environment(a.env as string[], a.envFile as string[]));
    const w = world();
    const planned = planAdd({ spec, instances: a.instances as number, port: a.port as number | undefined, svdir: a.svdir as string, scandir, check: a.check !== false }, w);
    if (a.dryRun === true) {
      io.out(describePlan(planned));
      return EXIT_OK;
    }
    writePlan(planned, w);
    for (const p of planned) io.out(`${p.definition.name}: added ${p.dir}, active as ${p.link}${spec.down ? ' (down)' : ''}\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof AddRefused) {
      io.err(err.problems.map((p) => `${PROG}: fatal: ${p}\n`).join('') + `${PROG}: nothing was written\n`);
      return EXIT_USAGE;
    }
    io.err(`${PROG}: fatal: unable to add ${String(a.name)}: ${describeError(err)}\n`);
    return EXIT_FAILURE;
  }
}
