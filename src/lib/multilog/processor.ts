// Running a log directory's processor as C multilog does: `sh -c processor` in the directory with
// `previous` on fd 0, `processed` (truncated) on fd 1, `state` on fd 4 and `newstate` (truncated)
// on fd 5, stderr multilog's, and otherwise the process state multilog was started with (limits,
// ignored signals, mask less SIGTERM and SIGALRM, inherited descriptors), as a fork of C multilog
// has. A file that cannot be opened, or a shell that cannot be run, is what the C child reports
// before exiting 111.
import { spawn } from 'node:child_process';
import { closeSync, constants, ownFs, type MultilogFs } from './fs.js';
import { constants as os } from 'node:os';
import type { FdOp, NativeBinding } from '../../native/binding.js';
import { errnoError, errnoName } from '../errors.js';
import { asText, toBytes } from '../exec/bytes.js';
import type { ExecContext } from '../exec/context.js';
import { waitChild } from '../proc/reaper.js';

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_TRUNC, O_CREAT } = constants;
const READ = O_RDONLY | O_NONBLOCK;
const TRUNC = O_WRONLY | O_NONBLOCK | O_TRUNC | O_CREAT;
/** The exit code of a C multilog child that could not start the processor. */
const CHILD_FAILED = 111;
const SHELL = '/bin/sh';

export interface ProcessorJob {
  readonly command: string;
  /** The log directory, as a path a child can chdir to. */
  readonly cwd: string;
  /** The path of a file in the log directory, for this process. */
  at(name: string): string;
}

export type ProcessorOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'crashed'; readonly signal: string }
  | { readonly kind: 'forkFailed'; readonly error: unknown };

/** Where the processor's descriptors come from: [previous, processed, state, newstate]. */
type Files = readonly [number, number, number, number];

/** Starts the shell with `files` on 0, 1, 4, 5 and `stderrFd` on 2; resolves when it has ended. */
export type ShellStarter = (job: ProcessorJob, files: Files, stderrFd: number) => Promise<ProcessorOutcome | { readonly execError: unknown }>;

const FILES: ReadonlyArray<readonly [name: string, flags: number]> = [
  ['previous', READ],
  ['processed', TRUNC],
  ['state', READ],
  ['newstate', TRUNC],
];

export async function runProcessor(
  job: ProcessorJob,
  messages: { fatal(parts: string, err?: unknown): void },
  stderrFd: number,
  start: ShellStarter,
  fs: MultilogFs = ownFs,
): Promise<ProcessorOutcome> {
  const fds: number[] = [];
  try {
    try {
      for (const [name, flags] of FILES) fds.push(fs.openSync(job.at(name), flags, 0o644));
    } catch (err) {
      messages.fatal(`unable to run ${asText(job.command)}: `, err);
      return { kind: 'exited', code: CHILD_FAILED };
    }
    const outcome = await start(job, fds as unknown as Files, stderrFd);
    if ('execError' in outcome) {
      messages.fatal(`unable to run ${asText(job.command)}: `, outcome.execError);
      return { kind: 'exited', code: CHILD_FAILED };
    }
    return outcome;
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

/** Through the addon: fork, the recorded state put back, the descriptors placed, execve. */
export function nativeStarter(n: NativeBinding, exec: () => ExecContext): ShellStarter {
  const unblocked = new Set([os.signals.SIGTERM, os.signals.SIGALRM]);
  return async (job, [previous, processed, state, newstate], stderrFd) => {
    const place: FdOp[] = [
      ['dup2', previous, 0],
      ['dup2', processed, 1],
      ['dup2', state, 4],
      ['dup2', newstate, 5],
    ];
    if (stderrFd < 0) place.push(['close', 2]);
    else if (stderrFd !== 2) place.push(['dup2', stderrFd, 2]);
    let started: { pid: number; execErrno: number };
    let context: ExecContext | undefined;
    try {
      context = exec();
      const base = context.plan(place);
      const plan = {
        ...base,
        ignore: base.ignore.filter((s) => !unblocked.has(s)),
        mask: base.mask.filter((s) => !unblocked.has(s)),
        cwd: job.cwd,
      };
      started = n.spawn(SHELL, ['sh', '-c', toBytes(job.command)], context.env, plan);
    } catch (err) {
      return { kind: 'forkFailed', error: err };
    } finally {
      context?.release();
    }
    const result = await waitChild(started.pid);
    if (started.execErrno !== 0) return { execError: errnoError(errnoName(started.execErrno), 'execve', SHELL) };
    if (result === null) return { kind: 'exited', code: 0 };
    if (result.signal !== null) return { kind: 'crashed', signal: String(result.signal) };
    return { kind: 'exited', code: result.code ?? 0 };
  };
}

/** Without the addon: Node's child_process (signals reset, limits as Node has them). */
export const nodeStarter: ShellStarter = (job, [previous, processed, state, newstate], stderrFd) =>
  new Promise((resolve) => {
    let child;
    try {
      child = spawn(SHELL, ['-c', asText(job.command)], {
        cwd: job.cwd,
        argv0: 'sh',
        stdio: [previous, processed, stderrFd, 'ignore', state, newstate],
      });
    } catch (err) {
      resolve(spawnFailure(err));
      return;
    }
    child.once('error', (err) => resolve(spawnFailure(err)));
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? { kind: 'crashed', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });

/** fork failing is retried after a pause; anything else is the child failing to exec the shell. */
function spawnFailure(err: unknown): ProcessorOutcome | { readonly execError: unknown } {
  const code = (err as { code?: string }).code;
  if (code === 'EAGAIN' || code === 'ENOMEM') return { kind: 'forkFailed', error: err };
  return { execError: err };
}
