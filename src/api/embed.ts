// Supervision inside the caller's own process: a Supervisor (the code behind our supervise) for
// one service directory, and svscan's scanner for a whole scan directory once it is built.
import { ExecContext } from '../lib/exec/context.js';
import { Supervisor, SuperviseStartError, type Problem } from '../lib/supervise/supervisor.js';
import { native } from '../native/index.js';
import type { ExecPlan } from '../native/binding.js';
import { sendCommand } from './control.js';
import { DaemontoolsError, errnoCode, systemError } from './errors.js';

/** Something supervise warns about and carries on after (a status write failed, ./run would not start). */
export type SupervisorProblem = Problem;

export interface SuperviseOptions {
  /** The environment ./run is started with; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Told of each problem supervise would print a warning about. */
  onProblem?(problem: SupervisorProblem): void;
}

/** A service supervised by this process, exactly as a supervise process would (same files, same FIFOs). */
export interface SupervisedService {
  readonly dir: string;
  /** The pid of ./run, `null` while down. */
  readonly pid: number | null;
  /** Still supervising (false after {@link SupervisedService.exit} or {@link SupervisedService.release}). */
  readonly supervising: boolean;
  /** Resolves once supervision has ended after an `exit` command (from here or from svc -x). */
  readonly done: Promise<void>;
  /** Takes the service down and stops supervising it (svc -dx), resolving when both are done. */
  exit(): Promise<void>;
  /** Lets go of the directory at once, as if supervise were killed: ./run keeps running. */
  release(): void;
}

let plan: ExecPlan | undefined;

/** The process state children are started with: this process's, with Node's signal changes undone. */
function childPlan(): ExecPlan {
  plan ??= ExecContext.fromProcess(native()).plan();
  return plan;
}

function envList(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
}

/**
 * Supervises the service in `dir` from this process: takes supervise/lock, creates the FIFOs,
 * writes supervise/status, starts ./run (unless `dir/down` exists) and restarts it when it exits.
 * svc, svok and svstat (C's or ours) see an ordinary supervise.
 * @throws {@link DaemontoolsError} `ERR_ALREADY_SUPERVISED` when a supervise holds the lock,
 * `ERR_SYSTEM` when the directory cannot be taken over.
 */
export function supervise(dir: string, options: SuperviseOptions = {}): SupervisedService {
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const supervisor = new Supervisor(dir, {
    env: envList(options.env ?? process.env),
    plan: childPlan(),
    onProblem: (problem) => options.onProblem?.(problem),
    onExit: () => finished(),
  });
  try {
    supervisor.start();
  } catch (err) {
    if (!(err instanceof SuperviseStartError)) throw err;
    const code = errnoCode(err.cause);
    if (err.step === 'lock' && (code === 'EWOULDBLOCK' || code === 'EAGAIN')) {
      throw new DaemontoolsError('ERR_ALREADY_SUPERVISED', dir, `${dir}: another supervise holds supervise/lock`, { cause: err.cause });
    }
    throw systemError(dir, `${dir}: unable to supervise (${err.step})`, err.cause);
  }
  return {
    dir,
    get pid() {
      return supervisor.pid === 0 ? null : supervisor.pid;
    },
    get supervising() {
      return supervisor.active;
    },
    done,
    exit() {
      if (supervisor.active) sendCommand(dir, 'down', 'exit');
      return done;
    },
    release() {
      supervisor.stop();
    },
  };
}

/** A scanner started by {@link startScanner}. */
export interface Scanner {
  readonly scandir: string;
  /** Stops scanning; services keep running under their supervisors unless `exit` is asked. */
  close(): Promise<void>;
}

export interface ScannerOptions {
  /** The environment services are started with; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs svscan's scanner for `scandir` in this process: a supervisor per service (and its log
 * service, joined by a pipe), new services seen as they appear.
 * @throws {@link DaemontoolsError} `ERR_NOT_AVAILABLE`: the in-process scanner is not part of this build yet.
 */
export function startScanner(scandir: string, _options: ScannerOptions = {}): Scanner {
  throw new DaemontoolsError('ERR_NOT_AVAILABLE', undefined, `startScanner(${scandir}): the in-process scanner is not available yet`);
}
