// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host); a ledger
// tells the logger's stub what of it was dealt with already. Linux only.
import { readSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { encodeLedger, type LedgerFile } from './ledger.js';
import { waitThenRead, type Reader, type ReaderFactory, type ReadResult, type Stoppable } from './input.js';

/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;
const EMPTY = Buffer.alloc(0);

/** Where consumed bytes are read to be dropped: one for every reader (used synchronously only). */
let scratchBuffer: Buffer | undefined;
const scratchOf = (): Buffer => (scratchBuffer ??= Buffer.allocUnsafe(PIPE_ROOM));

/**
 * A reader that peeks at the pipe `fd` and takes out of it what the engine has dealt with. With
 * the logger stub's `ledger` and `bin` (launcher.c) nothing is lost or logged twice should we
 * die at any point:
 *   - after the engine took in a chunk of n bytes and before it writes, the ledger says
 *     `n k h0 h1\n`, k lines `<size> <path>\n` (each `current` with output coming, and its size
 *     now), then the h0 bytes of a line's head the engine held before the chunk and the h1 it
 *     holds after it (read, not written anywhere);
 *   - the chunk is taken out of the pipe by moving it into the bin (splice): bytes there tell the
 *     stub it is out already;
 *   - then the ledger says `0 0 0 h1\n` and the h1 held bytes, and the bin is emptied.
 * The stub, once we are gone, drops the chunk from its stdin only if it was not moved yet and
 * every listed `current` grew, and hands the held bytes that go with that state to the multilog
 * it becomes, which takes them in first. Once `killed()` (the logger process is gone), nothing
 * more is read and the engine is abandoned: what it holds is written as it is, and what was not
 * read stays in the pipe for the next logger. While the logger process is stopped (`stops`),
 * nothing is taken in: a copy made when it was found stopped is dropped, as C would not have read
 * it, and is peeked again once it is continued.
 */
export function peekingReader(
  nat: NativeBinding,
  ledger = -1,
  bin: readonly [read: number, write: number] | null = null,
  killed: () => boolean = () => false,
  stops?: Stoppable,
): ReaderFactory {
  const keeping = ledger >= 0 && bin !== null;
  const note = (taken: number, files: readonly LedgerFile[], before: Buffer, after: Buffer): void => {
    try {
      const all = encodeLedger({ taken, files, before, after });
      writeSync(ledger, all, 0, all.length, 0);
    } catch {
      // the stub is gone: nobody reads the pipe after us through it
    }
  };
  return (fd: number, engine: Multilog): Reader => {
    const [copyIn, copyOut] = nat.pipe();
    /** The engine's held bytes before the chunk in hand, and the chunk's length. */
    let before: Buffer = Buffer.alloc(0);
    let inHand = 0;
    const take = (from: number, buf: Buffer, want: number): ReadResult => {
      if (killed()) return 'stop';
      let n: number;
      try {
        n = nat.tee(from, copyOut, Math.min(want, PIPE_ROOM, buf.length));
      } catch (err) {
        // (The addon retries EINTR itself.)
        return (err as { code?: string }).code === 'EAGAIN' ? 'again' : 0;
      }
      // No writer and nothing left: end of input (which a stopped C multilog does not see yet).
      if (n === 0) return stops?.stopped() ? 'held' : 0;
      let got = 0;
      while (got < n) got += readSync(copyIn, buf, got, n - got, null);
      // Asked after the copy: stopped now, it may have been stopped before the copy was made.
      if (stops?.stopped()) return 'held';
      inHand = n;
      return n;
    };
    const reader: Reader = waitThenRead(fd, engine, nat, take, stops);
    reader.abandoned = killed;
    if (keeping) {
      reader.beforeWrite = (): void => {
        const files = engine.currentFiles();
        const after = engine.heldInput();
        // A rotation, a closed or oddly named directory: no promise the stub could check; it
        // keeps what was in the ledger before (at worst the chunk is logged twice).
        if (files.some((f) => f === null || f.rotates || f.path.includes('\n'))) return;
        const written = files.filter((f) => f!.pending > 0).map((f) => ({ size: f!.size, path: f!.path }));
        note(inHand, written, before, after);
      };
    }
    reader.consumed = (n: number): void => {
      // Only we read this pipe, so the first n bytes in it are the ones just dealt with.
      let left = n;
      if (keeping) {
        left -= moveToBin(fd, bin[1], n);
        before = Buffer.from(engine.heldInput());
        note(0, [], EMPTY, before);
        emptyBin(bin[0]);
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
    const emptyBin = (binRead: number): void => {
      for (;;) {
        try {
          if (readSync(binRead, scratchOf(), 0, PIPE_ROOM, null) <= 0) return;
        } catch {
          return; // EAGAIN: empty
        }
      }
    };
    reader.close = (): void => {
      nat.close(copyIn);
      nat.close(copyOut);
    };
    return reader;
  };
}
