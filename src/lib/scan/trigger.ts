// When svscan scans: at once when an entry of the scan directory appears, goes or is renamed (a
// directory watch), and every few seconds as C svscan does, which also restarts supervisors that
// ended. Nothing else wakes the process, so an idle tree costs no CPU between rescans.
import { watch, type FSWatcher } from 'node:fs';

/** C svscan's sleep between scans. */
export const RESCAN_SECONDS = 5;
/**
 * A watch event is acted on after this pause: `mkdir -p svc/x/log` or a copied tree settles
 * first, so a new service is seen with its log/ (C decides about log/ once, on first sight).
 */
export const SETTLE_MS = 50;

export interface TriggerOptions {
  /** The directory watched (the scan directory, svscan's working directory). */
  readonly dir?: string;
  readonly rescanMs?: number;
  readonly settleMs?: number;
}

export class ScanTrigger {
  private watcher: FSWatcher | undefined;
  private rescan: NodeJS.Timeout | undefined;
  private settle: NodeJS.Timeout | undefined;
  private closed = false;

  private readonly dir: string;
  private readonly rescanMs: number;
  private readonly settleMs: number;

  constructor(
    private readonly scan: () => void,
    options: TriggerOptions = {},
  ) {
    this.dir = options.dir ?? '.';
    this.rescanMs = options.rescanMs ?? RESCAN_SECONDS * 1000;
    this.settleMs = options.settleMs ?? SETTLE_MS;
  }

  /** Scans now, then on every change and every rescan period. */
  start(): void {
    this.watchDirectory();
    // One timer for good, each scan putting it back a whole period: an idle rescan neither makes
    // a timer nor drops one (Node's timer list for the period stays), so it wakes to little more
    // than the scan.
    this.rescan = setInterval(() => this.scan(), this.rescanMs);
    this.run();
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    this.watcher = undefined;
    clearInterval(this.rescan);
    clearTimeout(this.settle);
  }

  private watchDirectory(): void {
    try {
      this.watcher = watch(this.dir, { persistent: true }, (event) => {
        // 'change' is a file's contents or times: no service comes or goes by it.
        if (event === 'rename') this.soon();
      });
    } catch {
      return; // no watch (inotify limit, unsupported filesystem): the rescan alone, as in C
    }
    this.watcher.on('error', () => {
      this.watcher?.close();
      this.watcher = undefined;
    });
  }

  private soon(): void {
    if (this.settle !== undefined || this.closed) return;
    this.settle = setTimeout(() => {
      this.settle = undefined;
      this.run();
    }, this.settleMs);
  }

  /** A scan out of turn: the next rescan comes a whole period after it (the interval's own tick puts itself back). */
  private run(): void {
    if (this.closed) return;
    this.scan();
    if (!this.closed) this.rescan?.refresh();
  }
}
