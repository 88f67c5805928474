// Feeding multilog's engine from a descriptor the way C multilog reads it: plain blocking reads
// (the descriptor's flags are left as they were, for whatever reads the pipe after us), SIGTERM and
// SIGALRM acted on between reads, and at the end of input or on SIGTERM the engine is closed.
import { fstatSync, read, readSync } from 'node:fs';
import type { NativeBinding } from '../../native/binding.js';
import { native } from '../../native/index.js';
import type { Multilog } from './engine.js';

/** Bytes asked for per read; C reads 1024 at a time, the engine cuts our reads the same way. */
export const CHUNK = 1 << 17;

export type ReadResult = number | 'again' | 'stop';
/** Reads into `buf` at most `want()` bytes: asked at the moment of reading (SIGTERM shrinks it). */
export type Reader = ((buf: Buffer, want: () => number) => Promise<ReadResult>) & {
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
  const buf = Buffer.allocUnsafe(chunk);
  const next = makeReader(fd, engine);
  const want = (): number => engine.readLength(chunk);
  for (;;) {
    if (want() === 0) break;
    const got = await next(buf, want);
    if (got === 'stop') break;
    if (got === 'again') continue;
    if (got <= 0) break;
    await engine.push(buf.subarray(0, got), next.beforeWrite);
    next.consumed?.(got);
  }
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
  if (regular) return readFile(fd);
  const nat = loadNative();
  if (nat) {
    try {
      return readPolled(fd, engine, nat);
    } catch {
      // no poll for this descriptor: fall through
    }
  }
  return readPooled(fd, engine);
}

/** A file never blocks for long: read in place, letting signals in between reads. */
function readFile(fd: number): Reader {
  return async (buf, want) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const n = want();
    return n === 0 ? 'stop' : readOnce(fd, buf, n);
  };
}

/** Wait on the event loop until the descriptor is readable (or SIGTERM says stop), then read it. */
function readPolled(fd: number, engine: Multilog, nat: NativeBinding): Reader {
  return waitThenRead(fd, engine, nat, readOnce);
}

/**
 * Waits on the event loop until `fd` is readable (or SIGTERM says stop), then calls `take` for at
 * most `want()` bytes. The descriptor's flags are put back after each wait.
 */
export function waitThenRead(
  fd: number,
  engine: Multilog,
  nat: NativeBinding,
  take: (fd: number, buf: Buffer, want: number) => ReadResult,
): Reader {
  const { F_GETFL, F_SETFL } = nat.constants;
  const flags = nat.fcntl(fd, F_GETFL);
  // Try once up front, so that a descriptor poll cannot watch makes us fall back now.
  nat.watchReadable(fd, () => undefined).close();
  nat.fcntl(fd, F_SETFL, flags);
  return async (buf, want) => {
    engine.setWaiting(true);
    const why = await new Promise<'readable' | 'stop'>((resolve) => {
      const watch = nat.watchReadable(fd, () => {
        watch.close();
        engine.onStop = null;
        engine.setWaiting(false);
        resolve('readable');
      });
      // uv_poll makes the descriptor non-blocking; put it back as it was.
      nat.fcntl(fd, F_SETFL, flags);
      engine.onStop = () => {
        watch.close();
        engine.onStop = null;
        engine.setWaiting(false);
        resolve('stop');
      };
    });
    const n = want();
    return why === 'stop' || n === 0 ? 'stop' : take(fd, buf, n);
  };
}

/** Without the addon: a read on libuv's thread pool, raced against SIGTERM. */
function readPooled(fd: number, engine: Multilog): Reader {
  let pending: Promise<ReadResult> | null = null;
  return async (buf, want) => {
    pending ??= new Promise<ReadResult>((resolve) => {
      engine.setWaiting(true);
      // Once issued, the read takes what it asked for even if SIGTERM comes meanwhile.
      read(fd, buf, 0, want(), null, (err, n) => {
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
    return got;
  };
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
