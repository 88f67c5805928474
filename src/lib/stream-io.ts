// Blocking reads and writes on raw descriptors the way djb's buffer library does them: a read
// interrupted by a signal is tried again, a write goes on until every byte is out.
import { readSync, writeSync } from 'node:fs';
import { isErrno } from './errors.js';

/** read(2) into `buffer[offset, offset + length)`, again on EINTR; 0 at end of input. */
export function readSome(fd: number, buffer: Buffer, offset = 0, length = buffer.length - offset): number {
  for (;;) {
    try {
      return readSync(fd, buffer, offset, length, null);
    } catch (err) {
      if (!isErrno(err, 'EINTR')) throw err;
    }
  }
}

/** Writes all of `buffer[offset, offset + length)`, again on EINTR and after short writes. */
export function writeAll(fd: number, buffer: Buffer, offset: number, length: number): void {
  let at = offset;
  const end = offset + length;
  while (at < end) {
    try {
      at += writeSync(fd, buffer, at, end - at);
    } catch (err) {
      if (!isErrno(err, 'EINTR')) throw err;
    }
  }
}

