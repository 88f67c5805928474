// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host); a ledger
// tells that reader how many of them were written out already. Linux only.
import { readSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { waitThenRead, type Reader, type ReaderFactory, type ReadResult } from './input.js';

/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;

/**
 * A reader that peeks at the pipe `fd` and consumes what the engine has written out. `ledger`
 * (or -1) is a file kept at the count of bytes written out and not yet consumed, from right
 * after the write to right after the consuming read, for whoever reads the pipe after us. Once
 * `killed()` (the logger process is gone), nothing more is read and the engine is abandoned, as a
 * killed C multilog would leave it: what is not consumed stays in the pipe for the next logger.
 */
export function peekingReader(nat: NativeBinding, ledger = -1, killed: () => boolean = () => false): ReaderFactory {
  const count = Buffer.alloc(8);
  const note = (n: number): void => {
    if (ledger < 0) return;
    if (endianness() === 'LE') count.writeBigUInt64LE(BigInt(n));
    else count.writeBigUInt64BE(BigInt(n));
    try {
      writeSync(ledger, count, 0, 8, 0);
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
      return n;
    };
    const reader: Reader = waitThenRead(fd, engine, nat, take);
    reader.abandoned = killed;
    reader.consumed = (n: number): void => {
      // Only we read this pipe, so the first n bytes in it are the ones just written out.
      note(n);
      let left = n;
      while (left > 0) {
        try {
          const got = readSync(fd, scratch, 0, Math.min(left, scratch.length), null);
          if (got <= 0) break;
          left -= got;
          if (left > 0) note(left);
        } catch (err) {
          // EAGAIN: someone else took them (nothing to consume); other errors end the next read.
          if ((err as { code?: string }).code !== 'EINTR') break;
        }
      }
      note(0);
    };
    reader.close = (): void => {
      nat.close(copyIn);
      nat.close(copyOut);
    };
    return reader;
  };
}
