// svscan's table of services and its scan, rule for rule as C svscan keeps them: one entry per
// directory, known by device and inode (a symlink and its target are one service); a supervisor for
// it and, when it has a log/, one for log/ with a pipe between them; a supervisor that has ended is
// started again on the next scan; an entry whose directory is gone is dropped once both have ended.
import { errnoError } from '../errors.js';
import { LogPipe, type PipeSyscalls } from './log-pipe.js';
import { readSurvey, type Survey, type SurveyEntry } from './survey.js';

export interface DirStat {
  /** Exact, as a number or a bigint (one that a double holds exactly may be either: the key is the same). */
  readonly dev: number | bigint;
  readonly ino: number | bigint;
  readonly isDirectory: boolean;
}

/** What a supervisor is started on: C svscan's `supervise fn` (fd 1 = pipe) or `supervise log` in fn (fd 0 = pipe). */
export interface ServiceSpec {
  /** The name the supervisor gives in its messages: the entry's name, or `log`. */
  readonly dir: string;
  /** Its directory, relative to the scan directory. */
  readonly path: string;
  readonly stdin?: number;
  readonly stdout?: number;
}

/** Something svscan warns about and carries on after. */
export type ScanProblem =
  | { readonly kind: 'stat'; readonly path: string; readonly error: unknown }
  | { readonly kind: 'pipe'; readonly name: string; readonly error: unknown }
  | { readonly kind: 'readdir'; readonly error: unknown }
  /** The pipe a service and logger kept from a killed svscan could not be taken back; they restart. */
  | { readonly kind: 'log-pipe'; readonly name: string; readonly error: unknown }
  /** Too few descriptors left to start a new service (and its logger) whole: tried again next scan. */
  | { readonly kind: 'descriptors'; readonly name: string; readonly error: unknown };

export type Slot = 'main' | 'log';

/** The world the scanner acts on; `H` is whatever the host starts a supervisor as. */
export interface ScanHost<H> extends PipeSyscalls {
  /**
   * The scan directory's names (without `.` and `..`) with each one's stat, in one listing
   * (src/lib/scan/survey.ts); throws readdir's error.
   */
  survey(): Survey;
  /** stat(2), following symlinks, of what the survey does not state (`NAME/log`); throws the error. */
  stat(path: string): DirStat;
  /** Starts a supervisor, which calls `onExit` once it has ended; null when it could not start (the host said why). */
  start(spec: ServiceSpec, onExit: () => void): H | null;
  problem(problem: ScanProblem): void;
  /** The pipe between `name` and its logger when either outlived an earlier svscan, else null. */
  keptPipe?(name: string): [read: number, write: number] | null;
  /** This process's descriptor limit and how many it has open now; null where it cannot tell. */
  descriptors?(): { readonly limit: number; readonly open: number } | null;
}

/**
 * What starting a service costs the process the supervisors live in, in descriptors: each
 * supervisor holds lock, control and ok; a logged one adds the pipe's two ends and, for a logger
 * hosted here, its stub's socket and input and its log directory's lock and current (what
 * src/lib/loghost holds while it waits for input; the directory itself is opened only for a
 * rotation, out of the reserve).
 */
export const DESCRIPTOR_COST = { plain: 3, logged: 3 + 3 + 2 + 4 } as const;
/**
 * Kept free for what running services need now and then (a fork's pipes, status.new, a logger's
 * ledger and bin for a chunk, a processor): a new service is not started into it, so a command
 * for a running one never fails for want of a descriptor.
 */
export const DESCRIPTOR_RESERVE = 64;
/** What the process holds before any service (Node, the log host, the watch), with room. */
const DESCRIPTOR_BASE = 40;
/** What running out of them would have said (C's words: process cannot open more files). */
const outOfDescriptors = (): Error => errnoError('EMFILE', 'open');

interface Entry<H> {
  /** Seen in the scan under way (C's flagactive). */
  active: boolean;
  main: H | null;
  log: H | null;
  /** Present exactly when the service has a log/ (C's flaglog). */
  readonly pipe: LogPipe | null;
}

export class Scanner<H> {
  private readonly entries = new Map<string, Entry<H>>();
  private frozen = false;
  /** Descriptors new entries may still take in the scan under way. */
  private spare: number | undefined;
  /** The last survey acted on (a copy), and whether that scan left nothing to do again. */
  private last = Buffer.alloc(0);
  private lastLength = -1;
  private settled = false;
  /** The last scan found the directory as the one before and nothing to do (see scan). */
  private quiet = false;

  constructor(
    private readonly host: ScanHost<H>,
    /** Told whenever a supervisor ends, with the slot it held. */
    private readonly onEnded?: (handle: H, slot: Slot) => void,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The supervisors running in `slot` now. */
  running(slot: Slot): H[] {
    const out: H[] = [];
    for (const entry of this.entries.values()) {
      const handle = entry[slot];
      if (handle !== null) out.push(handle);
    }
    return out;
  }

  /** No more scans: nothing is started again (svscan is bringing everything down). */
  freeze(): void {
    this.frozen = true;
  }

  /** svscan is going down and the services have ended: the loggers' input ends once no one else writes. */
  endLogInput(): void {
    for (const entry of this.entries.values()) entry.pipe?.closeWrite();
  }

  /** The read ends of every log pipe held now. */
  pipeReads(): number[] {
    const out: number[] = [];
    for (const entry of this.entries.values()) if (entry.pipe !== null) out.push(entry.pipe.read);
    return out;
  }

  /**
   * True when the last scan read the directory and found it entry for entry (name, device, inode,
   * mode) as the scan before it, after which nothing had ended and nothing had failed: a scan that
   * C svscan would have ended without starting, dropping or saying anything. Such a scan stops at
   * the comparison.
   */
  get idle(): boolean {
    return this.quiet;
  }

  /**
   * One pass of C svscan's loop: start what is missing, then drop entries that are gone for good.
   * False when the directory could not be read (nothing changed).
   */
  scan(): boolean {
    this.quiet = false;
    if (this.frozen) return false;
    let listing: readonly SurveyEntry[];
    try {
      const survey = this.host.survey();
      if (this.settled && this.same(survey)) return (this.quiet = true);
      this.keep(survey);
      listing = readSurvey(survey);
    } catch (error) {
      this.problem({ kind: 'readdir', error });
      return false;
    }
    for (const entry of this.entries.values()) entry.active = false;
    // Cleared by whatever makes the next scan's work differ from this one's: a problem, a
    // supervisor that did not start or has ended.
    this.settled = true;
    // Counted when a new entry first asks this scan (reading /proc/self/fd is the dearest part of
    // a rescan, where nothing is new).
    this.spare = undefined;
    for (const { name, stat } of listing) this.visit(name, stat);
    for (const [key, entry] of this.entries) {
      if (entry.active || entry.main !== null || entry.log !== null) continue;
      entry.pipe?.close();
      this.entries.delete(key);
    }
    return true;
  }

  private same({ bytes, length }: Survey): boolean {
    return length === this.lastLength && bytes.compare(this.last, 0, length, 0, length) === 0;
  }

  private keep({ bytes, length }: Survey): void {
    if (this.last.length < length) this.last = Buffer.allocUnsafe(length);
    bytes.copy(this.last, 0, 0, length);
    this.lastLength = length;
  }

  private problem(problem: ScanProblem): void {
    this.settled = false;
    this.host.problem(problem);
  }

  /** `st`: the survey's stat of the name (an Error when it failed; undefined for a name it skipped, beginning with a dot). */
  private visit(name: string, st: DirStat | Error | undefined): void {
    if (name.startsWith('.') || st === undefined) return;
    if (st instanceof Error) {
      this.problem({ kind: 'stat', path: name, error: st });
      return;
    }
    if (!st.isDirectory) return;
    const key = `${st.dev}:${st.ino}`;
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = this.newEntry(name);
      if (entry === undefined) return;
      this.entries.set(key, entry);
    }
    entry.active = true;
    const pipe = entry.pipe;
    if (entry.main === null) {
      entry.main = this.launch(entry, 'main', pipe ? { dir: name, path: name, stdout: pipe.write } : { dir: name, path: name });
    }
    if (pipe !== null && entry.log === null) {
      entry.log = this.launch(entry, 'log', { dir: 'log', path: `${name}/log`, stdin: pipe.read });
    }
  }

  /**
   * What new services may take this scan: the limit, less the reserve, less what is open or what
   * the table's entries cost if that is more (a logger started last scan may not be hosted yet).
   */
  private spareDescriptors(): number {
    const room = this.host.descriptors?.() ?? null;
    if (room === null) return Infinity;
    let held = DESCRIPTOR_BASE;
    for (const entry of this.entries.values()) held += entry.pipe === null ? DESCRIPTOR_COST.plain : DESCRIPTOR_COST.logged;
    return room.limit - DESCRIPTOR_RESERVE - Math.max(room.open, held);
  }

  private newEntry(name: string): Entry<H> | undefined {
    let hasLog = true;
    try {
      this.host.stat(`${name}/log`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.problem({ kind: 'stat', path: `${name}/log`, error });
        return undefined;
      }
      hasLog = false;
    }
    // Started whole or not at all: a service whose logger could not follow would fill its pipe.
    const cost = hasLog ? DESCRIPTOR_COST.logged : DESCRIPTOR_COST.plain;
    this.spare ??= this.spareDescriptors();
    if (cost > this.spare) {
      this.problem({ kind: 'descriptors', name, error: outOfDescriptors() });
      return undefined;
    }
    this.spare -= cost;
    let pipe: LogPipe | null = null;
    if (hasLog) {
      try {
        const kept = this.host.keptPipe?.(name) ?? null;
        pipe = kept === null ? LogPipe.open(this.host) : LogPipe.kept(this.host, ...kept);
      } catch (error) {
        this.problem({ kind: 'pipe', name, error });
        return undefined;
      }
    }
    return { active: false, main: null, log: null, pipe };
  }

  private launch(entry: Entry<H>, slot: Slot, spec: ServiceSpec): H | null {
    let handle: H | null = null;
    let endedEarly = false;
    handle = this.host.start(spec, () => {
      this.settled = false;
      if (handle === null) {
        endedEarly = true;
        return;
      }
      if (entry[slot] === handle) entry[slot] = null;
      this.onEnded?.(handle, slot);
    });
    if (handle === null || endedEarly) this.settled = false;
    return endedEarly ? null : handle;
  }
}
