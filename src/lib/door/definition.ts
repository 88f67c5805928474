// What `daemontools add` writes, as data: the files of a service directory in the layout djb
// recommends (the definition kept in one place, ./run, ./env for envdir, ./log/run and ./log/main
// for multilog), and the scan-directory link that activates it. Pure: nothing here touches disk.
import { join } from 'node:path';
import { quote, quoteAll } from './shell.js';

export interface Limits {
  /** softlimit -m: bytes of memory (data, stack, address space). */
  readonly mem?: number;
  /** softlimit -o: open files. */
  readonly files?: number;
  /** softlimit -p: processes. */
  readonly procs?: number;
}

export type Readiness = 'fd' | 'socket' | 'ipc';

/** The descriptor `--ready fd` gives the service (s6's own examples use 3). */
export const NOTIFICATION_FD = 3;

export interface ServiceSpec {
  readonly name: string;
  /** The program and its arguments, exactly as given. */
  readonly command: readonly string[];
  /** Absolute directory the program runs in. */
  readonly cwd: string;
  /** Variables for ./env, in order. */
  readonly env: ReadonlyMap<string, string>;
  readonly user?: string;
  readonly limits: Limits;
  /** The account multilog runs as. */
  readonly logUser: string;
  /** multilog's s: bytes per log file. */
  readonly logSize?: number;
  /** multilog's n: how many old log files to keep. */
  readonly logKeep?: number;
  /** Add a `down` file: defined and supervised, but not started. */
  readonly down: boolean;
  /**
   * How the service says it is ready (docs/readiness.md): `fd` writes a line to descriptor 3 (s6's
   * notification-fd), `socket` uses sd_notify (notify-socket), `ipc` calls process.send('ready').
   */
  readonly ready?: Readiness;
  /** The restart policy's `backoff MIN MAX`, in seconds. */
  readonly backoff?: readonly [min: number, max: number];
  /** `permanent-failure SECONDS COUNT`: COUNT deaths within SECONDS leave it down, failed. */
  readonly permanentFailure?: readonly [seconds: number, count: number];
  /** `timeout-kill`: milliseconds after a stop before SIGKILL. */
  readonly killTimeoutMs?: number;
  /** The variables that hold the instance number (default: INSTANCE). */
  readonly instanceVars?: readonly string[];
}

/** One file or directory of a definition; paths are relative to the service directory. */
export type Entry =
  | { readonly kind: 'dir'; readonly path: string; readonly mode: number; readonly owner?: string }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly content: string };

export interface Definition {
  readonly name: string;
  readonly entries: readonly Entry[];
}

/** envdir reads a file's first line, trailing blanks cut, NULs as newlines; an empty file unsets. */
export function envFileContent(value: string): string {
  return `${value.replace(/\n/g, '\0')}\n`;
}

/** Why envdir could not give `name` this value, or null when it can. */
export function envProblem(name: string, value: string): string | null {
  if (name === '' || name.startsWith('.') || name.includes('/') || name.includes('=') || name.includes('\0')) {
    return `${JSON.stringify(name)} cannot be an environment variable's name in an envdir`;
  }
  if (/[ \t]$/.test(value)) return `${name}: envdir cuts trailing blanks, so the value ${JSON.stringify(value)} cannot be kept`;
  if (value.includes('\0')) return `${name}: a value cannot hold a NUL byte`;
  return null;
}

/** ./run: stderr to the log, into the program's directory, then one exec through the chain tools. */
export function runScript(spec: ServiceSpec): string {
  const chain: string[] = [];
  if (spec.env.size > 0) chain.push('envdir', '"$svc"/env');
  if (spec.user !== undefined) chain.push('setuidgid', quote(spec.user));
  const { mem, files, procs } = spec.limits;
  const limits = [...(mem !== undefined ? ['-m', String(mem)] : []), ...(files !== undefined ? ['-o', String(files)] : []), ...(procs !== undefined ? ['-p', String(procs)] : [])];
  if (limits.length > 0) chain.push('softlimit', ...limits);
  const lines = ['#!/bin/sh', '# Written by daemontools add.', 'exec 2>&1'];
  // envdir reads ./env relative to the service directory, which the cd leaves.
  if (spec.env.size > 0) lines.push('svc=$(pwd)');
  lines.push(`cd ${quote(spec.cwd)} || exit 111`);
  lines.push(`exec ${[...chain, quoteAll(spec.command)].join(' ')}`);
  return `${lines.join('\n')}\n`;
}

/** ./log/run: multilog stamping each line into ./main, as the log user. */
export function logRunScript(spec: ServiceSpec): string {
  const actions = ['t', ...(spec.logSize !== undefined ? [`s${spec.logSize}`] : []), ...(spec.logKeep !== undefined ? [`n${spec.logKeep}`] : []), './main'];
  return `#!/bin/sh\n# Written by daemontools add.\nexec setuidgid ${quote(spec.logUser)} multilog ${actions.join(' ')}\n`;
}

export function definition(spec: ServiceSpec): Definition {
  const entries: Entry[] = [{ kind: 'file', path: 'run', mode: 0o755, content: runScript(spec) }];
  if (spec.env.size > 0) {
    // The environment may hold secrets: envdir reads it as root, before setuidgid.
    entries.push({ kind: 'dir', path: 'env', mode: 0o700 });
    for (const [name, value] of spec.env) entries.push({ kind: 'file', path: join('env', name), mode: 0o600, content: envFileContent(value) });
  }
  if (spec.down) entries.push({ kind: 'file', path: 'down', mode: 0o644, content: '' });
  entries.push(...extensionFiles(spec));
  entries.push(
    { kind: 'dir', path: 'log', mode: 0o755 },
    { kind: 'file', path: join('log', 'run'), mode: 0o755, content: logRunScript(spec) },
    { kind: 'dir', path: join('log', 'main'), mode: 0o755, owner: spec.logUser },
  );
  return { name: spec.name, entries };
}

/** The extension files (docs/readiness.md) the spec asks for; none without such options. */
function extensionFiles(spec: ServiceSpec): Entry[] {
  const file = (path: string, content: string): Entry => ({ kind: 'file', path, mode: 0o644, content });
  const out: Entry[] = [];
  if (spec.ready === 'fd') out.push(file('notification-fd', `${NOTIFICATION_FD}\n`));
  if (spec.ready === 'socket') out.push(file('notify-socket', ''));
  if (spec.ready === 'ipc') out.push(file('notify-ipc', ''));
  if (spec.backoff) out.push(file('backoff', `${spec.backoff[0]} ${spec.backoff[1]}\n`));
  if (spec.permanentFailure) out.push(file('permanent-failure', `${spec.permanentFailure[0]} ${spec.permanentFailure[1]}\n`));
  if (spec.killTimeoutMs !== undefined) out.push(file('timeout-kill', `${spec.killTimeoutMs}\n`));
  return out;
}

/** The names `--instances N` gives: NAME-0 … NAME-(N-1), each with INSTANCE (and PORT from a base). */
export function instances(spec: ServiceSpec, count: number, port: number | undefined): ServiceSpec[] {
  if (count <= 1 && port === undefined) return [spec];
  return Array.from({ length: Math.max(1, count) }, (_, i) => {
    const env = new Map(spec.env);
    for (const name of spec.instanceVars ?? ['INSTANCE']) env.set(name, String(i));
    if (port !== undefined) env.set('PORT', String(port + i));
    return { ...spec, name: count <= 1 ? spec.name : `${spec.name}-${i}`, env };
  });
}
