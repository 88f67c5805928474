// The room a log stream keeps after a burst, given back once the stream is idle again: a stream's
// input and output areas grow to its largest read (stream.ts), and svscan hosts one per log
// directory, so 1,000 loggers that each had one burst would otherwise hold ~200 MB for good.
import { native } from '../../native/index.js';

/** A stream unused for this long (one sweep to the next) lets its room go. */
export const IDLE_MS = 2000;
/** Room a stream may keep however long it is idle (a line at a time never needs more). */
export const KEEP_ROOM = 1 << 14;

/** What the sweep asks of a stream (LogStream). */
export interface Roomy {
  /** Bytes held for input and output. */
  readonly room: number;
  /** Set at each use; the sweep clears it. */
  used: boolean;
  /** Lets go of the room unless it holds output not yet written; returns the bytes let go. */
  release(): number;
}

/** V8's full collection where Node was started with --expose-gc (svscan, the orphan host): freed rooms go now, not at V8's next one. */
const exposed = (globalThis as { gc?: () => void }).gc;

/** V8 frees a collected buffer's memory from a helper thread, after the collection returns: the trim waits this long. */
const TRIM_AFTER_MS = 200;

/** Hands the rooms let go back to the system: their memory is V8's until a collection, then malloc's until a trim. */
function systemGiveBack(): void {
  exposed?.();
  setTimeout(() => {
    try {
      native().mallocTrim();
    } catch {
      // no addon: malloc keeps the pages for the next burst
    }
  }, TRIM_AFTER_MS).unref();
}

/**
 * The streams holding more than KEEP_ROOM. One timer for all, armed only while there are some: a
 * stream unused over a whole IDLE_MS lets its room go, and one collection and trim for all that
 * did follows. A stream in use stays as it is, so a sustained one never pays for a regrowth.
 */
export class IdleRoom {
  private readonly held = new Set<Roomy>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly giveBack: () => void = systemGiveBack,
    private readonly idleMs = IDLE_MS,
  ) {}

  /** `stream` grew past KEEP_ROOM: watched from now until it lets its room go. */
  track(stream: Roomy): void {
    this.held.add(stream);
    if (this.timer === null) this.arm();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.sweep(), this.idleMs);
    // Memory is no reason to stay alive.
    this.timer.unref();
  }

  /** How many streams are watched (for tests). */
  get size(): number {
    return this.held.size;
  }

  /** One sweep: the streams used since the last one are left alone, the others let their room go. */
  sweep(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    let freed = 0;
    for (const stream of this.held) {
      if (stream.used) {
        stream.used = false;
        continue;
      }
      freed += stream.release();
      if (stream.room <= KEEP_ROOM) this.held.delete(stream);
    }
    if (freed > 0) this.giveBack();
    if (this.held.size > 0) this.arm();
  }
}

/** The one every log stream of this process reports to. */
export const idleRoom = new IdleRoom();
