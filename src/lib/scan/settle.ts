// What svscan gives back once a burst of starts is over: the JavaScript heap's garbage, malloc's
// free pages, and the pages of Node's own program files (the node binary, its libraries) that
// start-up and the burst mapped in.
// Those are clean copies of files, which the kernel may drop on its own under memory pressure; we
// drop them at once (they stay in the page cache) and whatever svscan touches again comes back with
// a minor fault. So svscan over a tree of idle services holds only what it goes on using.
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { linuxBranches } from '../../native/platform.js';

/** Quiet this long after the last start before giving memory back. */
export const SETTLE_MS = 1000;

/**
 * Quiet this long after the last start before giving back once more: V8 gives back half its young
 * generation (the semi-space not in use, then the pages of the other it no longer needs) only in a
 * full collection that finds allocation slow over the past 5 s (Heap::ReduceNewSpaceSize), which
 * the settle's, right after a burst, never does. ~2 MB of svscan's memory; one collection's CPU.
 */
export const SHRINK_MS = 6000;

/** madvise(2)'s MADV_DONTNEED (4 on every Linux architecture Node runs on): the pages are dropped, a file's come back from it. */
const MADV_DONTNEED = 4;

/** Addresses of a mapping in /proc/self/smaps. */
export interface Range {
  readonly start: number;
  readonly length: number;
}

const HEADER = /^([0-9a-f]+)-([0-9a-f]+) ([-rwxps]{4}) \S+ \S+ \S+\s*(.*)$/;

/**
 * The ranges of `smaps` that hold only clean pages of a file: private, not writable, mapped from a
 * path, with no anonymous (copied-on-write) page, and something resident to give back.
 */
export function droppableRanges(smaps: string): Range[] {
  const out: Range[] = [];
  let candidate: { start: number; length: number; anonymous: number; rss: number } | null = null;
  const flush = (): void => {
    if (candidate !== null && candidate.anonymous === 0 && candidate.rss > 0) out.push({ start: candidate.start, length: candidate.length });
    candidate = null;
  };
  for (const line of smaps.split('\n')) {
    const head = HEADER.exec(line);
    if (head !== null) {
      flush();
      const [, from, to, perms, path] = head as unknown as [string, string, string, string, string];
      if ((perms === 'r--p' || perms === 'r-xp') && path.startsWith('/')) {
        const start = parseInt(from, 16);
        candidate = { start, length: parseInt(to, 16) - start, anonymous: -1, rss: 0 };
      }
      continue;
    }
    if (candidate === null) continue;
    if (line.startsWith('Anonymous:')) candidate.anonymous = parseInt(line.slice(10), 10);
    else if (line.startsWith('Rss:')) candidate.rss = parseInt(line.slice(4), 10);
  }
  flush();
  // V8 keeps the subject of the last successful match (RegExp.input), here a slice of all of
  // smaps (~100 KB at 100 services): a match on nothing lets it go.
  EMPTY.exec('');
  return out;
}

const EMPTY = /^/;

/** What giveBack needs of the addon (src/native/binding.ts). */
export interface SettleSyscalls {
  mallocTrim(): boolean;
  /** madvise(2), throwing the error; absent where the addon has none. */
  madvise?(addr: number, length: number, advice: number): void;
}

/** V8's full collection, where Node was started with --expose-gc (svscan is: bin/.node-flags). */
const exposed = (globalThis as { gc?: () => void }).gc;

/**
 * That collection, compacting: V8 moves the survivors off every page with room to spare and frees
 * the pages left empty (~1.3 MB of svscan's old space at 100 services, whose pages its own
 * heuristics leave a fifth empty). Only this collection: the flag is read as each one starts, and
 * is put back at once, so the collections while svscan logs stay as V8 chooses them.
 */
const collect =
  exposed &&
  ((): void => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      exposed();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  });

/** Drops what the burst left behind (see the top of this file). */
export function giveBack(nat: SettleSyscalls, smaps: () => string = () => readFileSync('/proc/self/smaps', 'latin1'), gc = collect): void {
  const ranges = fileRanges(nat, smaps);
  drop(nat, ranges);
  // Then the garbage (the burst's, and reading smaps made some): V8's own memory reducer would
  // collect it only seconds later. What that frees of malloc's goes back with the trim.
  gc?.();
  nat.mallocTrim();
  // The collection itself ran through some megabytes of Node's code (each page fault maps in its
  // neighbours too): they go again, the same mappings, read a moment ago.
  if (gc !== undefined) drop(nat, ranges);
}

/** The clean file mappings to drop; none where madvise or the Linux branches are not. */
function fileRanges(nat: SettleSyscalls, smaps: () => string): Range[] {
  if (nat.madvise === undefined || !linuxBranches()) return [];
  try {
    return droppableRanges(smaps());
  } catch {
    return [];
  }
}

function drop(nat: SettleSyscalls, ranges: readonly Range[]): void {
  for (const { start, length } of ranges) {
    try {
      nat.madvise!(start, length, MADV_DONTNEED);
    } catch {
      // a mapping gone or changed since smaps was read: nothing to give back there
    }
  }
}

/** Calls `action` once no `poke()` has come for `quietMs`: after a burst, never while idle. */
export class Settle {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly action: () => void,
    private readonly quietMs = SETTLE_MS,
  ) {}

  poke(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.action();
    }, this.quietMs);
    // Memory is no reason to stay alive.
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
