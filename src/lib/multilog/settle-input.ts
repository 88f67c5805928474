// Taking a logger's input over from a host that died: its ledger (written by peek.ts, kept by the
// logger stub, native/stub.c) says what of the chunk it had in hand was written out, and the head
// of a line it held (read, not written). Settled once, before the first read, by whoever reads the
// pipe next: a new host (loghost/multilog.ts) or the logger's own Node multilog (cli/multilog.ts).
// Each step leaves the ledger and the bin telling the truth, so a reader that dies in the middle
// leaves the next one the same decision. Linux only.
import { fstatSync, readSync, statSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import { decodeLedger, encodeLedger, type LedgerFile } from './ledger.js';
import type { Kept } from './peek.js';

const EMPTY = Buffer.alloc(0);
/** A chunk is at most what a pipe holds, so it fits in the (empty) bin. */
const PIPE_ROOM = 1 << 16;

/**
 * Settles `input` (the logger's stdin pipe) by the stub's ledger and bin: a chunk still in the
 * pipe (not moved to the bin) that reached every listed `current` (`grown`: it is larger than the
 * size noted) is taken out; the line head that goes with the outcome is returned, to be taken in
 * before the rest of the input. The ledger is left saying that head alone, the bin empty.
 */
export function settleInput(nat: NativeBinding, input: number, kept: Kept, grown: (file: LedgerFile) => boolean): Buffer {
  const ledger = decodeLedger(readAll(kept.ledger));
  if (ledger === null) return EMPTY; // a new stub's (zeros), or no ledger of ours: nothing to settle
  const moved = holdsBytes(nat, kept.bin[0]);
  const written = ledger.taken > 0 && !moved && ledger.files.every(grown);
  // Taken out by moving it to the bin, where the next reader sees it is out already.
  if (written) drop(nat, input, kept.bin[1], ledger.taken);
  const done = ledger.taken === 0 || moved || written;
  const held = Buffer.from(done ? ledger.after : ledger.before);
  const note = encodeLedger({ taken: 0, files: [], before: EMPTY, after: held });
  writeSync(kept.ledger, note, 0, note.length, 0);
  empty(kept.bin[0]);
  return held;
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let got = 0;
  while (got < size) {
    const n = readSync(fd, buf, got, size - got, got);
    if (n <= 0) break;
    got += n;
  }
  return buf.subarray(0, got);
}

/** Whether the pipe `read` (non-blocking) holds bytes, found without taking any (tee into a pipe of our own). */
function holdsBytes(nat: NativeBinding, read: number): boolean {
  const [probeRead, probeWrite] = nat.pipe();
  try {
    return nat.tee(read, probeWrite, 1) > 0;
  } catch {
    return false; // EAGAIN: empty
  } finally {
    nat.close(probeRead);
    nat.close(probeWrite);
  }
}

/** Takes `n` bytes out of `input` into the bin; what splice cannot move is read and dropped. */
function drop(nat: NativeBinding, input: number, binWrite: number, n: number): void {
  let left = n;
  while (left > 0) {
    try {
      const moved = nat.splice(input, binWrite, left);
      if (moved <= 0) break;
      left -= moved;
    } catch {
      break;
    }
  }
  const scratch = Buffer.allocUnsafe(Math.min(Math.max(left, 1), PIPE_ROOM));
  while (left > 0) {
    try {
      const got = readSync(input, scratch, 0, Math.min(left, scratch.length), null);
      if (got <= 0) return;
      left -= got;
    } catch (err) {
      if ((err as { code?: string }).code !== 'EINTR') return;
    }
  }
}

function empty(binRead: number): void {
  const scratch = Buffer.allocUnsafe(PIPE_ROOM);
  for (;;) {
    try {
      if (readSync(binRead, scratch, 0, scratch.length, null) <= 0) return;
    } catch {
      return; // EAGAIN: empty
    }
  }
}

/** Whether the file at `path` is larger than `size` now (a ledger's `grown`). */
export function grownPast(path: string, size: number): boolean {
  try {
    return statSync(path).size > size;
  } catch {
    return false;
  }
}
