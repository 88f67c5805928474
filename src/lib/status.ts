// The 18 bytes of supervise/status, as supervise writes them and svstat reads them:
// a TAI64N stamp of the last pid change (12 bytes), the pid (4 bytes, little-endian),
// the paused flag, and what the service is wanted to be ('u', 'd' or 0).

export const STATUS_SIZE = 18;

/** TAI64 label of the Unix epoch: 2^62 + 10 (the TAI-UTC offset daemontools assumes). */
export const TAI_EPOCH = 4611686018427387914n;

/** A TAI64N moment: the 64-bit TAI64 label and the nanoseconds within it. */
export interface Stamp {
  readonly seconds: bigint;
  readonly nanoseconds: number;
}

/** 'up' and 'down' are written as 'u' and 'd'; 'none' (after svc -o) as a NUL byte. */
export type Want = 'up' | 'down' | 'none';

export interface Status {
  /** When the pid last changed (a start or an exit). */
  readonly stamp: Stamp;
  /** 0 when the service is down. */
  readonly pid: number;
  readonly paused: boolean;
  readonly want: Want;
}

const WANT_BYTE: Readonly<Record<Want, number>> = { up: 0x75, down: 0x64, none: 0 };

/** The wall clock as supervise stamps it: whole microseconds, nanoseconds = usec * 1000 + 500. */
export function stampNow(): Stamp {
  const micros = BigInt(Math.floor((performance.timeOrigin + performance.now()) * 1000));
  return { seconds: TAI_EPOCH + micros / 1000000n, nanoseconds: Number(micros % 1000000n) * 1000 + 500 };
}

/** The TAI64 label of the current second, as svstat's tai_now sees it (time(NULL)). */
export function taiNow(): bigint {
  return TAI_EPOCH + BigInt(Math.floor(Date.now() / 1000));
}

export function encodeStatus(status: Status): Buffer {
  const out = Buffer.alloc(STATUS_SIZE);
  out.writeBigUInt64BE(BigInt.asUintN(64, status.stamp.seconds), 0);
  out.writeUInt32BE(status.stamp.nanoseconds >>> 0, 8);
  out.writeUInt32LE(status.pid >>> 0, 12);
  // supervise records a pause only while there is a process to pause.
  out[16] = status.pid !== 0 && status.paused ? 1 : 0;
  out[17] = WANT_BYTE[status.want];
  return out;
}

/**
 * Reads the first 18 bytes; null when there are fewer (svstat's "bad format"). Through a DataView,
 * whose readers are V8's own: Buffer's are JavaScript that a start would compile first.
 */
export function decodeStatus(bytes: Uint8Array): Status | null {
  if (bytes.length < STATUS_SIZE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, STATUS_SIZE);
  const want = bytes[17] === WANT_BYTE.up ? 'up' : bytes[17] === WANT_BYTE.down ? 'down' : 'none';
  return {
    stamp: { seconds: view.getBigUint64(0), nanoseconds: view.getUint32(8) },
    pid: view.getUint32(12, true),
    paused: bytes[16] !== 0,
    want,
  };
}

/**
 * Whole seconds from `since` to `now` as svstat prints them: 0 when `since` is in the future,
 * else the difference taken through a double, as C's tai_approx does (so huge gaps round).
 */
export function secondsSince(since: bigint, now: bigint): bigint {
  if (now < since) return 0n;
  return BigInt(Number(now - since));
}
