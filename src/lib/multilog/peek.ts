// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host); a ledger
// tells the logger's stub how many of them were written out already. Linux only.
import { readSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { waitThenRead, type Reader, type ReaderFactory, type ReadResult } from './input.js';

/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;

/**
 * A reader that peeks at the pipe `fd` and consumes what the engine has written out. `ledger`
 * (or -1) is a file the logger stub reads should we die (launcher.c, skip_written): before the
 * engine writes a chunk out it says `<n>\n<size> <path>\n...`: the chunk's n input bytes, and
 * each log directory's `current` with its size before the writes. A `current` grown past its size
 * means the chunk was written, and the stub drops those n bytes before running on its own. Just
 * before the consuming read the ledger goes back to `0`. Once `killed()` (the logger process is
 * gone), nothing more is read and the engine is abandoned, as a killed C multilog would leave it:
 * what is not consumed stays in the pipe for the next logger.
 */
export function peekingReader(nat: NativeBinding, ledger = -1, killed: () => boolean = () => false): ReaderFactory {
  const note = (text: string): void => {
    if (ledger < 0) return;
    try {
      writeSync(ledger, `${text}\0`, 0, 'latin1');
    } catch {
      // the stub is gone: nobody reads the pipe after us through it
    }
  };
  return (fd: number, engine: Multilog): Reader => {
    const [copyIn, copyOut] = nat.pipe();
    const scratch = Buffer.allocUnsafe(PIPE_ROOM);
    const take = (from: number, buf: Buffer, want: number): ReadResult => {
      if (killed()) return 'stop';
      let n: number;
      try {
        n = nat.tee(from, copyOut, Math.min(want, PIPE_ROOM, buf.length));
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code === 'EAGAIN' || code === 'EINTR') return 'again';
        return 0;
      }
      if (n === 0) return 0; // no writer and nothing left: end of input
      let got = 0;
      while (got < n) got += readSync(copyIn, buf, got, n - got, null);
      if (ledger >= 0) {
        const files = engine.currentFiles();
        if (files.every((f) => f !== null && !f.path.includes('\n'))) {
          note(`${n}\n${files.map((f) => `${f!.size} ${f!.path}\n`).join('')}`);
        }
      }
      return n;
    };
    const reader: Reader = waitThenRead(fd, engine, nat, take);
    reader.abandoned = killed;
    reader.consumed = (n: number): void => {
      // Only we read this pipe, so the first n bytes in it are the ones just written out. From
      // here on a death costs at most a line logged twice, never one lost.
      note('0');
      let left = n;
      while (left > 0) {
        try {
          const got = readSync(fd, scratch, 0, Math.min(left, scratch.length), null);
          if (got <= 0) break;
          left -= got;
        } catch (err) {
          // EAGAIN: someone else took them (nothing to consume); other errors end the next read.
          if ((err as { code?: string }).code !== 'EINTR') break;
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
