// Feeding multilog's engine from a descriptor the way C multilog reads it: plain blocking reads
// (the descriptor's flags are left as they were, for whatever reads the pipe after us), SIGTERM and
// SIGALRM acted on between reads, and at the end of input or on SIGTERM the engine is closed.
import { fstatSync, read, readSync } from 'node:fs';
import type { FdWatch, NativeBinding } from '../../native/binding.js';
import { native } from '../../native/index.js';
import type { Multilog } from './engine.js';

/** Bytes asked for per read; C reads 1024 at a time, the engine cuts our reads the same way. */
export const CHUNK = 1 << 17;

/**
 * A read's outcome: bytes, nothing yet, stop reading; or 'held': the process read for was found
 * stopped (see Stoppable), what was copied is dropped (it is still in the pipe) and the read waits
 * for its continue.
 */
export type ReadResult = number | 'again' | 'stop' | 'held';

/**
 * The process the input is read for, when it can be stopped behind the reader's back (SIGSTOP,
 * `svc -p`): a stopped C multilog reads nothing, so neither does the reader while it is stopped.
 */
export interface Stoppable {
  /** Whether it is stopped now. */
  stopped(): boolean;
  /** Calls `wake` when it may have been continued; returns the way to stop listening. */
  onContinue(wake: () => void): () => void;
}
/**
 * Lends the buffer a read goes into, at least `size` bytes (by default the pump's chunk); asked
 * again, it gives the same one while that is large enough.
 */
export type ReadBuffer = (size?: number) => Buffer;
/**
 * Reads into `buf()` at most `want()` bytes, both asked at the moment of reading (SIGTERM shrinks
 * the count; the buffer is lent only then, so a reader waiting for input holds none).
 */
export type Reader = ((buf: ReadBuffer, want: () => number) => Promise<ReadResult>) & {
  /** The engine has written out the `n` bytes last read (a peeking reader consumes them now). */
  consumed?: (n: number) => void;
  /** Lets go of whatever the reader holds. */
  close?: () => void;
  /** True once the process the input was for is gone (killed): the engine is released, not ended. */
  abandoned?: () => boolean;
  /** Called with each read's bytes taken in by the engine, before any of it is written out. */
  beforeWrite?: () => void;
};
export type ReaderFactory = (fd: number, engine: Multilog) => Reader;

/** Reads `fd` until end of input (or a read error, which C treats the same) or SIGTERM; then end(). */
export async function pump(fd: number, engine: Multilog, chunk = CHUNK, makeReader: ReaderFactory = reader): Promise<void> {
  let lent: Buffer | null = null;
  const buf: ReadBuffer = (size = chunk) => {
    if (lent && lent.length >= size) return lent;
    if (lent) spare(lent);
    return (lent = borrow(size));
  };
  const giveBack = (): void => {
    if (lent) spare(lent);
    lent = null;
  };
  const next = makeReader(fd, engine);
  const want = (): number => engine.readLength(chunk);
  // A signal that came before this point may still wait in libuv for the loop to pass it on; had
  // it come to C, it would count after the first read. One turn of the loop hands it over now, while
  // the engine is not waiting for input (so it counts as late), not in the middle of the first read.
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (;;) {
    if (want() === 0) break;
    const got = await next(buf, want);
    if (got === 'again' || got === 'held') {
      giveBack();
      continue;
    }
    if (got === 'stop' || got <= 0) break;
    await engine.push(buf(got).subarray(0, got), next.beforeWrite);
    next.consumed?.(got);
    giveBack();
  }
  giveBack();
  releasers.get(next)?.();
  next.close?.();
  engine.onStop = null;
  // Killed: a last partial line goes out as it is, without a newline, `current` left incomplete.
  if (next.abandoned?.()) {
    await engine.abandon();
    return engine.release();
  }
  await engine.end();
}

function reader(fd: number, engine: Multilog): Reader {
  let regular = false;
  try {
    const st = fstatSync(fd);
    regular = st.isFile() || st.isBlockDevice();
  } catch {
    return async () => 0;
  }
  const nat = loadNative();
  if (regular) return trimming(readFile(fd), nat);
  if (nat) {
    try {
      return trimming(readPolled(fd, engine, nat), nat);
    } catch {
      // no poll for this descriptor: fall through
    }
  }
  return readPooled(fd, engine);
}

/** Hands memory freed since (by us and by V8's helper threads) back to the system at most this often. */
export const TRIM_INTERVAL_MS = 1000;

/**
 * A reader that, before a read, returns the C heap's free pages to the system when it last did so
 * TRIM_INTERVAL_MS ago: glibc keeps them otherwise, and a busy logger's RSS would creep up with
 * them. Nothing happens while no input comes, so an idle logger stays asleep.
 */
function trimming(read: Reader, nat: NativeBinding | null): Reader {
  if (!nat || typeof nat.mallocTrim !== 'function') return read;
  let last = Date.now();
  const trimmed: Reader = (buf, want) => {
    const now = Date.now();
    if (now - last >= TRIM_INTERVAL_MS) {
      last = now;
      nat.mallocTrim();
    }
    return read(buf, want);
  };
  const release = releasers.get(read);
  if (release) releasers.set(trimmed, release);
  return trimmed;
}

/** A file never blocks for long: read in place, letting signals in between reads. */
function readFile(fd: number): Reader {
  return async (buf, want) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const n = want();
    return n === 0 ? 'stop' : readOnce(fd, buf(), n);
  };
}

/** Wait on the event loop until the descriptor is readable (or SIGTERM says stop), then read it. */
function readPolled(fd: number, engine: Multilog, nat: NativeBinding): Reader {
  return waitThenRead(fd, engine, nat, (from, buf, want) => readOnce(from, buf(), want));
}

/**
 * Waits on the event loop until `fd` is readable (or SIGTERM says stop), then calls `take` for at
 * most `want()` bytes. The descriptor's flags are put back after each watch is set up. A take
 * that says 'held' (its process is stopped) waits, as one blocked in read(2), for `stops` to say
 * it was continued, then reads again.
 *
 * One watch serves read after read while input keeps coming: a watch (a uv_poll handle and the
 * addon's objects around it) per read is garbage V8 keeps until a full collection, which is what
 * made a busy logger's memory climb. A readiness nobody waits for (the engine is busy pausing)
 * closes the watch, so an unread descriptor never spins the loop; the next wait opens another.
 */
export function waitThenRead(
  fd: number,
  engine: Multilog,
  nat: NativeBinding,
  take: (fd: number, buf: ReadBuffer, want: number) => ReadResult,
  stops?: Stoppable,
): Reader {
  const { F_GETFL, F_SETFL } = nat.constants;
  const flags = nat.fcntl(fd, F_GETFL);
  // Try once up front, so that a descriptor poll cannot watch makes us fall back now.
  nat.watchReadable(fd, () => undefined).close();
  nat.fcntl(fd, F_SETFL, flags);
  let watch: FdWatch | null = null;
  let wake: ((why: Wake) => void) | null = null;
  let unhold: (() => void) | null = null;
  const settle = (why: Wake): void => {
    const resolve = wake;
    wake = null;
    unhold?.();
    unhold = null;
    engine.onStop = null;
    engine.setWaiting(false);
    resolve?.(why);
  };
  const onReadable = (): void => {
    if (wake) settle(Wake.Readable);
    else release();
  };
  const onStop = (): void => {
    release();
    settle(Wake.Stop);
  };
  const release = (): void => {
    watch?.close();
    watch = null;
  };
  const wait = (resolve: (why: Wake) => void): void => {
    wake = resolve;
    engine.onStop = onStop;
    if (watch) return;
    watch = nat.watchReadable(fd, onReadable);
    // uv_poll makes the descriptor non-blocking; put it back as it was.
    nat.fcntl(fd, F_SETFL, flags);
  };
  /** Waits, with no watch on the descriptor (it stays readable), for the continue or SIGTERM. */
  const hold = (resolve: (why: Wake) => void): void => {
    release();
    wake = resolve;
    engine.onStop = onStop;
    unhold = stops?.onContinue(() => settle(Wake.Readable)) ?? null;
  };
  const reader: Reader = async (buf, want) => {
    for (;;) {
      engine.setWaiting(true);
      const why = await new Promise<Wake>(wait);
      // Readable while the engine works (a SIGALRM's rotation): C would not read yet. Waiting here
      // is not waiting in read(2), so signals that come meanwhile count after the read.
      const busy = why === Wake.Readable ? engine.whenIdle() : null;
      if (busy) await busy;
      const n = want();
      if (why === Wake.Stop || n === 0) {
        release();
        return 'stop';
      }
      const got = take(fd, buf, n);
      if (got === 'held') {
        // Stopped: C sits stopped in read(2) (or just before it); its signals count as there.
        engine.setWaiting(true);
        if ((await new Promise<Wake>(hold)) === Wake.Stop) return 'stop';
        continue;
      }
      if (got === 'stop' || (typeof got === 'number' && got <= 0)) release();
      return got;
    }
  };
  releasers.set(reader, release);
  return reader;
}

const enum Wake {
  Readable,
  Stop,
}

/** How pump lets go of a waitThenRead reader's watch (whatever its user makes of `close`). */
const releasers = new WeakMap<Reader, () => void>();

/** Without the addon: a read on libuv's thread pool, raced against SIGTERM. */
function readPooled(fd: number, engine: Multilog): Reader {
  let pending: Promise<ReadResult> | null = null;
  // Its own buffer: a read issued may still land after a SIGTERM has ended the pump.
  let own: Buffer | null = null;
  return async (buf, want) => {
    pending ??= new Promise<ReadResult>((resolve) => {
      engine.setWaiting(true);
      const into = (own ??= Buffer.allocUnsafe(buf().length));
      // Once issued, the read takes what it asked for even if SIGTERM comes meanwhile.
      read(fd, into, 0, Math.min(want(), into.length), null, (err, n) => {
        engine.setWaiting(false);
        if (!err) resolve(n);
        else if (err.code === 'EINTR') resolve('again');
        else if (err.code === 'EAGAIN') setTimeout(() => resolve('again'), 10);
        else resolve(0);
      });
    });
    const stop = new Promise<'stop'>((resolve) => {
      engine.onStop = () => resolve('stop');
    });
    const got = await Promise.race([pending, stop]);
    engine.onStop = null;
    if (got !== 'stop') pending = null;
    if (typeof got === 'number' && got > 0) own!.copy(buf(), 0, 0, got);
    return got;
  };
}

/**
 * Read buffers, lent for one read and what the engine does with it: svscan hosts a reader per
 * logger, and most of them wait for input most of the time. Only CHUNK-sized ones are kept: a
 * burst's larger ones (peek.ts) go with it.
 */
const spares: Buffer[] = [];
const SPARES = 4;

function borrow(size: number): Buffer {
  if (size > CHUNK) return Buffer.allocUnsafe(size);
  const b = spares.pop();
  return b !== undefined && b.length >= size ? b : Buffer.allocUnsafe(size);
}

function spare(b: Buffer): void {
  if (spares.length < SPARES && b.length <= CHUNK) spares.push(b);
}

function readOnce(fd: number, buf: Buffer, want: number): ReadResult {
  try {
    return readSync(fd, buf, 0, want, null);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EAGAIN' || code === 'EINTR') return 'again';
    return 0;
  }
}

function loadNative(): NativeBinding | null {
  try {
    const nat = native();
    return typeof nat.watchReadable === 'function' && typeof nat.fcntl === 'function' ? nat : null;
  } catch {
    return null;
  }
}
