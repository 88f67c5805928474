// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host); a ledger
// tells the logger's stub what of it was dealt with already. Linux only.
import { openSync, readSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { encodeLedger, type LedgerFile } from './ledger.js';
import { waitThenRead, type ReadBuffer, type Reader, type ReaderFactory, type ReadResult, type Stoppable } from './input.js';

/** How long the stub's ledger and bin stay lent after a chunk, for the next one (then given back). */
export const LEND_LINGER_MS = 20;
/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;
/**
 * A logger's pipe found full (a burst) is grown to this, with the copy pipe and the stub's bin, so
 * a chunk is 16 times larger and its fixed costs (the peek, the ledger, the moves, a turn of the
 * event loop) come 16 times less often; it is put back to PIPE_ROOM once a chunk fits there
 * again. Linux's pipe-max-size for processes without CAP_SYS_RESOURCE.
 */
export const BURST_ROOM = 1 << 20;
/**
 * At most this many loggers' pipes are grown at a time. The kernel counts every pipe's room
 * against the user who made it, and past 64 MB (pipe-user-pages-soft) that user's new pipes get
 * one page: a pipe and a bin each, plus the one copy pipe, stay below 17 MB.
 */
export const BURSTS_AT_ONCE = 8;
let bursting = 0;
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
/** The copy pipe's room once grown for a first burst (it stays so: one pipe for every reader). */
let copyRoom: number | undefined;

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

/** A pipe's room after asking for `size` (the kernel rounds it up); null where it cannot be set. */
function setRoom(nat: NativeBinding, fd: number, size: number): number | null {
  const { F_SETPIPE_SZ } = nat.constants;
  if (F_SETPIPE_SZ === undefined) return null;
  try {
    return nat.fcntl(fd, F_SETPIPE_SZ, size);
  } catch {
    return null; // EPERM (over pipe-max-size or the user's pipe pages), EBUSY (holds more than that)
  }
}

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
    copyRoom = undefined;
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
    /**
     * What one tee may take: the least room of the pipe, the copy pipe and the bin (a chunk must
     * fit in the bin whole, for settle-input.ts), PIPE_ROOM unless a burst grew all three.
     */
    let room = PIPE_ROOM;
    /** The pipe (and bin) were grown for a burst: one of BURSTS_AT_ONCE is ours. */
    let grown = false;
    /** A chunk filled the room: the writer waits on us, so the pipes grow (if they may). */
    const grow = (): void => {
      if (grown || bursting >= BURSTS_AT_ONCE || !lent) return;
      grown = true;
      bursting++;
      const sizes = [setRoom(nat, fd, BURST_ROOM), (copyRoom ??= setRoom(nat, copyPipeOf(nat)[1], BURST_ROOM) ?? PIPE_ROOM), setRoom(nat, lent.bin[1], BURST_ROOM)];
      room = Math.min(...sizes.map((size) => size ?? PIPE_ROOM));
    };
    /** A chunk fit in PIPE_ROOM: the burst is over, the pipe and bin go back to C's size (once the pipe holds no more). */
    const shrink = (): void => {
      if (!grown) return;
      if (setRoom(nat, fd, PIPE_ROOM) === null) return; // still holds more: the next small chunk tries again
      grown = false;
      bursting--;
      // Empty now: the next chunk is again at most PIPE_ROOM, which fits.
      room = PIPE_ROOM;
      if (lent) setRoom(nat, lent.bin[1], PIPE_ROOM);
    };
    const take = (from: number, buf: ReadBuffer, want: number): ReadResult => {
      const got = peek(from, buf, want);
      if (typeof got === 'number' && got > 0) {
        // A chunk in hand: what is lent stays until it is out of the pipe.
        if (linger) clearTimeout(linger);
        linger = null;
      } else {
        // Nothing taken in (the process stopped, no input, the end): nothing is kept meanwhile,
        // and a burst is over.
        shrink();
        giveBack();
      }
      return got;
    };
    const peek = (from: number, buf: ReadBuffer, want: number): ReadResult => {
      if (killed()) return 'stop';
      let n: number;
      try {
        n = nat.tee(from, copyPipeOf(nat)[1], Math.min(want, room));
      } catch (err) {
        // (The addon retries EINTR itself.)
        return (err as { code?: string }).code === 'EAGAIN' ? 'again' : 0;
      }
      // No writer and nothing left: end of input (which a stopped C multilog does not see yet).
      if (n === 0) return stops?.stopped() ? 'held' : 0;
      takeCopy(nat, buf(n), n);
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
        // The pipes' room follows the input: grown while chunks fill it, back to C's once one does not.
        if (n >= room && moved === n) grow();
        else if (n <= PIPE_ROOM) shrink();
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
    reader.close = (): void => {
      if (grown && keeping) lent ??= keeping.lend();
      shrink();
      if (grown) {
        // Could not be put back (it holds more than C's room): it stays so, and is no longer ours to count.
        grown = false;
        bursting--;
      }
      giveBack();
    };
    return reader;
  };
}
