// Supervision inside the caller's own process: a Supervisor (the code behind our supervise) for
// one service directory, and svscan's scanner (src/lib/scan) for a whole scan directory.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { errnoError } from '../lib/errors.js';
import { ExecContext } from '../lib/exec/context.js';
import { supervisorHost, surveyor, type SupervisorReport } from '../lib/scan/host.js';
import { Scanner as ScanCore, type ScanHost, type ScanProblem } from '../lib/scan/scanner.js';
import { Shutdown } from '../lib/scan/shutdown.js';
import { RESCAN_SECONDS, ScanTrigger } from '../lib/scan/trigger.js';
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

function envList(env: NodeJS.ProcessEnv): Buffer[] {
  return Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [Buffer.from(`${k}=${v}`)]));
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

/** Something the scanner or one of its supervisors warns about and carries on after. */
export type ScannerProblem =
  | { readonly kind: 'scan'; readonly problem: ScanProblem }
  | { readonly kind: 'supervisor'; readonly report: SupervisorReport };

/** A scanner started by {@link startScanner}. */
export interface Scanner {
  readonly scandir: string;
  /** Looks at the scan directory now (it is also watched, and rescanned every few seconds). */
  rescan(): void;
  /**
   * Stops scanning and takes every service down as svc -dx would, services before their
   * loggers; resolves once all are down and no supervisor is left.
   */
  close(): Promise<void>;
}

export interface ScannerOptions {
  /** The environment services are started with; defaults to this process's. */
  env?: NodeJS.ProcessEnv;
  /** Seconds between rescans (default 5, as svscan). */
  rescanSeconds?: number;
  /** Told of each problem svscan or supervise would print a warning about. */
  onProblem?(problem: ScannerProblem): void;
}

/**
 * Runs svscan's scanner over `scandir` in this process: a supervisor per service directory, and
 * per log/ a second one joined to it by a pipe, new services seen as they appear. Unlike the
 * svscan program, it leaves the working directory alone and does not make this process a
 * subreaper (which would reap children that are not its own).
 * @throws {@link DaemontoolsError} `ERR_SYSTEM` when `scandir` is not a readable directory.
 */
export function startScanner(scandir: string, options: ScannerOptions = {}): Scanner {
  // The scanner lists the directory as svscan's rescan does: one survey (names and their stats).
  const survey = surveyor(scandir);
  try {
    if (!statSync(scandir).isDirectory()) throw errnoError('ENOTDIR', 'stat', scandir);
    survey();
  } catch (err) {
    throw systemError(undefined, `${scandir}: unable to scan`, err);
  }
  const report = (problem: ScannerProblem): void => options.onProblem?.(problem);
  const base = supervisorHost({
    env: envList(options.env ?? process.env),
    plan: childPlan(),
    onScanProblem: (problem) => report({ kind: 'scan', problem }),
    onSupervisorReport: (r) => report({ kind: 'supervisor', report: r }),
  });
  // The host works relative to the working directory, as svscan (which changes to the scan
  // directory) does; here every path is taken from scandir instead.
  const host: ScanHost<Supervisor> = {
    pipe: () => base.pipe(),
    close: (fd) => base.close(fd),
    problem: (problem) => base.problem(problem),
    survey,
    stat: (path) => base.stat(join(scandir, path)),
    start: (spec, onExit) => base.start({ ...spec, path: join(scandir, spec.path) }, onExit),
  };
  let shutdown: Shutdown | undefined;
  const scanner = new ScanCore<Supervisor>(host, (supervisor) => shutdown?.ended(supervisor));
  shutdown = new Shutdown(scanner);
  const trigger = new ScanTrigger(() => scanner.scan(), {
    dir: scandir,
    rescanMs: (options.rescanSeconds ?? RESCAN_SECONDS) * 1000,
  });
  trigger.start();
  let closing: Promise<void> | undefined;
  return {
    scandir,
    rescan: () => scanner.scan(),
    close() {
      if (closing === undefined) {
        trigger.close();
        closing = shutdown!.run();
      }
      return closing;
    },
  };
}
