// Running a log directory's processor as C multilog does: `sh -c processor` in the directory with
// `previous` on fd 0, `processed` (truncated) on fd 1, `state` on fd 4 and `newstate` (truncated)
// on fd 5; stderr is multilog's. A file that cannot be opened, or a shell that cannot be run, is
// what the C child reports before exiting 111.
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';

const { O_RDONLY, O_WRONLY, O_NONBLOCK, O_TRUNC, O_CREAT } = constants;
const READ = O_RDONLY | O_NONBLOCK;
const TRUNC = O_WRONLY | O_NONBLOCK | O_TRUNC | O_CREAT;
/** The exit code of a C multilog child that could not start the processor. */
const CHILD_FAILED = 111;

export interface ProcessorJob {
  readonly command: string;
  /** The log directory, as a path this process can use. */
  readonly cwd: string;
  /** The path of a file in the log directory. */
  at(name: string): string;
}

export type ProcessorOutcome =
  | { readonly kind: 'exited'; readonly code: number }
  | { readonly kind: 'crashed'; readonly signal: string }
  | { readonly kind: 'forkFailed'; readonly error: unknown };

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
): Promise<ProcessorOutcome> {
  const fds: number[] = [];
  const closeAll = (): void => {
    for (const fd of fds) closeSync(fd);
  };
  try {
    for (const [name, flags] of FILES) fds.push(openSync(job.at(name), flags, 0o644));
  } catch (err) {
    closeAll();
    messages.fatal(`unable to run ${job.command}: `, err);
    return { kind: 'exited', code: CHILD_FAILED };
  }
  const [previous, processed, state, newstate] = fds;
  return new Promise<ProcessorOutcome>((resolve) => {
    let child;
    try {
      child = spawn('/bin/sh', ['-c', job.command], {
        cwd: job.cwd,
        stdio: [previous, processed, stderrFd, 'ignore', state, newstate],
      });
    } catch (err) {
      closeAll();
      resolve(spawnFailure(job, messages, err));
      return;
    }
    closeAll();
    child.once('error', (err) => resolve(spawnFailure(job, messages, err)));
    child.once('exit', (code, signal) => {
      resolve(signal !== null ? { kind: 'crashed', signal } : { kind: 'exited', code: code ?? 0 });
    });
  });
}

/** fork failing is retried after a pause; anything else is the child failing to exec the shell. */
function spawnFailure(
  job: ProcessorJob,
  messages: { fatal(parts: string, err?: unknown): void },
  err: unknown,
): ProcessorOutcome {
  const code = (err as { code?: string }).code;
  if (code === 'EAGAIN' || code === 'ENOMEM') return { kind: 'forkFailed', error: err };
  messages.fatal(`unable to run ${job.command}: `, err);
  return { kind: 'exited', code: CHILD_FAILED };
}
