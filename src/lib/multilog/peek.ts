// Reading a logger's input pipe so that dying in the middle loses nothing: the bytes are copied
// out of the pipe with tee(2), which leaves them in it, and taken out of the pipe only once the
// engine has written them out. A host killed between the read and the write leaves them in the
// pipe for whoever reads it next (the logger's own fallback, or the restarted host). Linux only.
import { readSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import type { Multilog } from './engine.js';
import { waitThenRead, type Reader, type ReaderFactory, type ReadResult } from './input.js';

/** A pipe holds this much by default; tee copies at most what the private pipe can take. */
const PIPE_ROOM = 1 << 16;

/** A reader that peeks at the pipe `fd` and consumes what the engine has written out. */
export function peekingReader(nat: NativeBinding): ReaderFactory {
  return (fd: number, engine: Multilog): Reader => {
    const [copyIn, copyOut] = nat.pipe();
    const scratch = Buffer.allocUnsafe(PIPE_ROOM);
    const take = (from: number, buf: Buffer, want: number): ReadResult => {
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
    reader.consumed = (n: number): void => {
      // Only we read this pipe, so the first n bytes in it are the ones just written out.
      let left = n;
      while (left > 0) {
        try {
          const got = readSync(fd, scratch, 0, Math.min(left, scratch.length), null);
          if (got <= 0) return;
          left -= got;
        } catch (err) {
          // EAGAIN: someone else took them (nothing to consume); other errors end the next read.
          if ((err as { code?: string }).code !== 'EINTR') return;
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
