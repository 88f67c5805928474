// The scanner's world for real: the scan directory on disk, pipes from the addon, and a Supervisor
// in this process wherever C svscan would have forked `supervise`.
import { closeSync, constants, readdirSync, statSync } from 'node:fs';
import { native, type ExecPlan } from '../../native/index.js';
import { linuxBranches } from '../../native/platform.js';
import { Supervisor, SuperviseStartError, type Problem } from '../supervise/supervisor.js';
import { recoverLogPipe } from './adopt-pipe.js';
import type { ScanHost, ScanProblem, ServiceSpec } from './scanner.js';
import { listInto, type Survey } from './survey.js';

/** What the supervisors say, as a C supervise would have said it on the shared stderr. */
export type SupervisorReport =
  | { readonly kind: 'start'; readonly dir: string; readonly error: SuperviseStartError }
  | { readonly kind: 'problem'; readonly dir: string; readonly problem: Problem };

export interface HostOptions {
  /** The environment and process state every ./run gets (C svscan's own, handed down). */
  readonly env: readonly Buffer[];
  readonly plan: ExecPlan;
  onScanProblem(problem: ScanProblem): void;
  onSupervisorReport(report: SupervisorReport): void;
  /** Told as each supervisor is about to start. */
  onStart?(): void;
  /** Told of each process a supervisor adopts (SupervisorOptions.onAdopt). */
  onAdopt?(pid: number): void;
}

/** Below this a double holds every integer exactly; a device or inode number at or past it may have been rounded. */
const EXACT = 2 ** 53;
/** Where the addon's stat puts st_dev and st_ino. */
const id = new Float64Array(2);
const { S_IFMT, S_IFDIR } = constants;

/** Room for the listing of about 300 entries; it grows to what a bigger directory needs. */
const SURVEY_BYTES = 16384;

/** The addon's listing of directory `dir`, into one buffer kept from rescan to rescan: every host's survey. */
export function surveyor(dir: string): () => Survey {
  const nat = native();
  const survey = { bytes: Buffer.alloc(SURVEY_BYTES), length: 0 };
  return () => listInto(nat.readdirStat, dir, survey);
}

export function supervisorHost(options: HostOptions): ScanHost<Supervisor> {
  const { env, plan } = options;
  return {
    survey: surveyor('.'),
    stat(path) {
      // A rescan stats every entry: the addon's stat leaves nothing on the heap, where a Stats
      // (four Dates, a dozen numbers or BigInts) for each of thousands of entries made a scavenge
      // or more per rescan; a device or inode at or past 2^53 is stated again exactly.
      const nat = native();
      if (nat.statId !== undefined) {
        const mode = nat.statId(path, id);
        if (id[0]! < EXACT && id[1]! < EXACT) return { dev: id[0]!, ino: id[1]!, isDirectory: (mode & S_IFMT) === S_IFDIR };
      }
      const big = statSync(path, { bigint: true });
      return { dev: big.dev, ino: big.ino, isDirectory: big.isDirectory() };
    },
    pipe: () => native().pipe(),
    descriptors() {
      if (!linuxBranches()) return null;
      try {
        const limit = native().getrlimit(native().constants.RLIMIT.NOFILE!)[0];
        return { limit: limit > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(limit), open: readdirSync('/proc/self/fd').length - 1 };
      } catch {
        return null;
      }
    },
    close: (fd) => closeSync(fd),
    problem: (problem) => options.onScanProblem(problem),
    keptPipe(name) {
      const found = recoverLogPipe(name);
      if (found?.kind === 'lost') options.onScanProblem({ kind: 'log-pipe', name, error: found.error });
      return found?.kind === 'kept' ? [found.read, found.write] : null;
    },
    start(spec: ServiceSpec, onExit: () => void): Supervisor | null {
      const { dir } = spec;
      options.onStart?.();
      const supervisor = new Supervisor(dir, {
        path: spec.path,
        env,
        plan,
        ...(spec.stdin === undefined ? {} : { stdin: spec.stdin }),
        ...(spec.stdout === undefined ? {} : { stdout: spec.stdout }),
        onProblem: (problem) => options.onSupervisorReport({ kind: 'problem', dir, problem }),
        onExit,
        ...(options.onAdopt === undefined ? {} : { onAdopt: options.onAdopt }),
      });
      try {
        supervisor.start();
      } catch (error) {
        if (!(error instanceof SuperviseStartError)) throw error;
        // C's supervise would have exited 111 after saying so; svscan tries again next scan.
        options.onSupervisorReport({ kind: 'start', dir, error });
        return null;
      }
      return supervisor;
    },
  };
}
