// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host); a ledger
// tells the logger's stub what of it was dealt with already. Linux only.
import { openSync, readSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { encodeLedger, type LedgerFile } from './ledger.js';
import { waitThenRead, type Reader, type ReaderFactory, type ReadResult, type Stoppable } from './input.js';

/** How long the stub's ledger and bin stay lent after a chunk, for the next one (then given back). */
export const LEND_LINGER_MS = 20;
/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;
const EMPTY = Buffer.alloc(0);

/** Where consumed bytes are read to be dropped: one for every reader (used synchronously only). */
let scratchBuffer: Buffer | undefined;
const scratchOf = (): Buffer => (scratchBuffer ??= Buffer.allocUnsafe(PIPE_ROOM));

/**
 * The pipe tee copies into, one for every reader: a copy is made and read out again in one
 * synchronous step, so it is empty whenever another reader comes to use it (two descriptors for
 * the process instead of two per hosted logger). Kept open for good once made.
 */
let copyPipe: [read: number, write: number] | undefined;

const copyPipeOf = (nat: NativeBinding): [read: number, write: number] => (copyPipe ??= nat.pipe());

/** /dev/null, where the bin's bytes are spliced to be dropped without a copy; null if it cannot be had. */
let devNull: number | null | undefined;
const devNullOf = (): number | null => {
  if (devNull === undefined) {
    try {
      devNull = openSync('/dev/null', 'w');
    } catch {
      devNull = null;
    }
  }
  return devNull;
};

/** Reads the n bytes tee just copied out of the copy pipe, leaving it empty for the next reader. */
function takeCopy(nat: NativeBinding, buf: Buffer, n: number): void {
  const [copyIn, copyOut] = copyPipeOf(nat);
  let got = 0;
  try {
    while (got < n) got += readSync(copyIn, buf, got, n - got, null);
  } catch (err) {
    // Cannot happen to a pipe of our own that holds n bytes; if it did, the next reader must not
    // find them there: this pipe goes, another is made.
    copyPipe = undefined;
    nat.close(copyIn);
    nat.close(copyOut);
    throw err;
  }
}

/** The logger stub's ledger and its bin's [read, write] ends (launcher.c), as the host holds them for a while. */
export interface Kept {
  readonly ledger: number;
  readonly bin: readonly [read: number, write: number];
}

/**
 * Where the ledger and bin come from: lent for one chunk (from its intake to its removal from the
 * pipe) and given back, so a logger that waits for input holds none of them. `lend` returns null
 * when they cannot be had now (the stub is gone, or no descriptor is left): that chunk goes
 * without a ledger entry (at worst it is logged twice after our death).
 */
export interface Keeping {
  lend(): Kept | null;
  giveBack(kept: Kept): void;
}

/** Ledger and bin held for good (a caller that has them open anyway). */
export const heldKeeping = (kept: Kept): Keeping => ({ lend: () => kept, giveBack: () => undefined });

/**
 * A reader that peeks at the pipe `fd` and takes out of it what the engine has dealt with. With
 * the logger stub's `ledger` and `bin` (native/stub.c) nothing is lost or logged twice should we
 * die at any point:
 *   - after the engine took in a chunk of n bytes and before it writes, the ledger says
 *     `n k h0 h1\n`, k lines `<size> <path>\n` (each `current` with output coming, and its size
 *     now), then the h0 bytes of a line's head the engine held before the chunk and the h1 it
 *     holds after it (read, not written anywhere);
 *   - the chunk is taken out of the pipe by moving it into the bin (splice): bytes there tell the
 *     stub it is out already;
 *   - then the ledger says `0 0 0 h1\n` and the h1 held bytes, and the bin is emptied.
 * Whoever reads the pipe after we are gone (settle-input.ts) drops the chunk only if it was not
 * moved yet and every listed `current` grew, and takes the held bytes that go with that state in
 * first. Once `killed()` (the logger process is gone), nothing
 * more is read and the engine is abandoned: what it holds is written as it is, and what was not
 * read stays in the pipe for the next logger. While the logger process is stopped (`stops`),
 * nothing is taken in: a copy made when it was found stopped is dropped, as C would not have read
 * it, and is peeked again once it is continued. `held` is the line head the engine was given
 * before the first read (a dead host's, settle-input.ts).
 */
export function peekingReader(
  nat: NativeBinding,
  keeping: Keeping | null = null,
  killed: () => boolean = () => false,
  stops?: Stoppable,
  held: Buffer = Buffer.alloc(0),
): ReaderFactory {
  const note = (ledger: number, taken: number, files: readonly LedgerFile[], before: Buffer, after: Buffer): void => {
    try {
      const all = encodeLedger({ taken, files, before, after });
      writeSync(ledger, all, 0, all.length, 0);
    } catch {
      // the stub is gone: nobody reads the pipe after us through it
    }
  };
  return (fd: number, engine: Multilog): Reader => {
    // Made now if need be, so that a process out of descriptors fails here, at the start.
    copyPipeOf(nat);
    /** The engine's held bytes before the chunk in hand (at first what a dead host held: settle-input.ts), and the chunk's length. */
    let before: Buffer = held;
    let inHand = 0;
    /**
     * The ledger and bin lent for the chunk in hand, kept for the next one if it comes within
     * LEND_LINGER_MS (a logger fed without a pause copies them once, not for every chunk).
     */
    let lent: Kept | null = null;
    let linger: ReturnType<typeof setTimeout> | null = null;
    const giveBack = (): void => {
      if (linger) clearTimeout(linger);
      linger = null;
      if (lent) keeping?.giveBack(lent);
      lent = null;
    };
    const giveBackSoon = (): void => {
      if (!lent || linger) return;
      linger = setTimeout(giveBack, LEND_LINGER_MS);
      linger.unref();
    };
    const take = (from: number, buf: Buffer, want: number): ReadResult => {
      const got = peek(from, buf, want);
      if (typeof got === 'number' && got > 0) {
        // A chunk in hand: what is lent stays until it is out of the pipe.
        if (linger) clearTimeout(linger);
        linger = null;
      } else {
        // Nothing taken in (the process stopped, no input, the end): nothing is kept meanwhile.
        giveBack();
      }
      return got;
    };
    const peek = (from: number, buf: Buffer, want: number): ReadResult => {
      if (killed()) return 'stop';
      let n: number;
      try {
        n = nat.tee(from, copyPipeOf(nat)[1], Math.min(want, PIPE_ROOM, buf.length));
      } catch (err) {
        // (The addon retries EINTR itself.)
        return (err as { code?: string }).code === 'EAGAIN' ? 'again' : 0;
      }
      // No writer and nothing left: end of input (which a stopped C multilog does not see yet).
      if (n === 0) return stops?.stopped() ? 'held' : 0;
      takeCopy(nat, buf, n);
      // Asked after the copy: stopped now, it may have been stopped before the copy was made.
      if (stops?.stopped()) return 'held';
      inHand = n;
      return n;
    };
    const reader: Reader = waitThenRead(fd, engine, nat, take, stops);
    reader.abandoned = killed;
    if (keeping) {
      reader.beforeWrite = (): void => {
        lent ??= keeping.lend();
        if (!lent) return;
        const files = engine.currentFiles();
        const after = engine.heldInput();
        // A rotation, a closed or oddly named directory: no promise the stub could check; it
        // keeps what was in the ledger before (at worst the chunk is logged twice).
        if (files.some((f) => f === null || f.rotates || f.path.includes('\n'))) return;
        const written = files.filter((f) => f!.pending > 0).map((f) => ({ size: f!.size, path: f!.path }));
        note(lent.ledger, inHand, written, before, after);
      };
    }
    reader.consumed = (n: number): void => {
      // Only we read this pipe, so the first n bytes in it are the ones just dealt with.
      let left = n;
      if (keeping) lent ??= keeping.lend();
      if (lent) {
        const moved = moveToBin(fd, lent.bin[1], n);
        left -= moved;
        before = Buffer.from(engine.heldInput());
        note(lent.ledger, 0, [], EMPTY, before);
        emptyBin(lent.bin[0], moved);
        giveBackSoon();
      }
      while (left > 0) {
        try {
          const scratch = scratchOf();
          const got = readSync(fd, scratch, 0, Math.min(left, scratch.length), null);
          if (got <= 0) break;
          left -= got;
        } catch (err) {
          // EAGAIN: someone else took them (nothing to consume); other errors end the next read.
          if ((err as { code?: string }).code !== 'EINTR') break;
        }
      }
    };
    /** Takes n bytes out of the pipe by moving them into the bin, where the stub can see them; returns the count moved. */
    const moveToBin = (from: number, binWrite: number, n: number): number => {
      let left = n;
      while (left > 0) {
        try {
          const moved = nat.splice(from, binWrite, left);
          if (moved <= 0) break;
          left -= moved;
        } catch {
          break; // the addon retries EINTR itself: anything else ends the move
        }
      }
      return n - left;
    };
    /** Drops the `n` bytes just moved into the bin: spliced to /dev/null, read out if that fails. */
    const emptyBin = (binRead: number, n: number): void => {
      const sink = devNullOf();
      let left = n;
      while (sink !== null && left > 0) {
        try {
          const dropped = nat.splice(binRead, sink, left);
          if (dropped <= 0) break;
          left -= dropped;
        } catch {
          break;
        }
      }
      if (left === 0) return;
      for (;;) {
        try {
          if (readSync(binRead, scratchOf(), 0, PIPE_ROOM, null) <= 0) return;
        } catch {
          return; // EAGAIN: empty
        }
      }
    };
    reader.close = giveBack;
    return reader;
  };
}
