// What ps, pidof and pgrep see of this process: its command name and its command line, made the
// ones C's program would have. On Linux the argument area is moved to bytes of our own
// (prctl(PR_SET_MM_MAP), allowed without privilege where the kernel has CONFIG_CHECKPOINT_RESTORE),
// so /proc/PID/cmdline is exactly C's argv. Where that is refused, the original area (Node's
// longer command line, found in /proc/self/stat) is overwritten through /proc/self/mem and the rest
// of it is NULs; elsewhere process.title stands in, which can only carry text (NULs show as
// spaces, other bytes as '?').
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import type { NativeBinding } from '../native/binding.js';
import { linuxBranches } from '../native/platform.js';
import { procStat, type StatField } from './proc-stat.js';

/** The command-line fields of /proc/PID/stat (proc(5)'s numbers, counted from 1). */
const FIELD = {
  startCode: 26,
  endCode: 27,
  startStack: 28,
  startData: 45,
  endData: 46,
  startBrk: 47,
  argStart: 48,
  argEnd: 49,
  envStart: 50,
  envEnd: 51,
} as const;

/** A process's command line as C's argv area holds it: each argument followed by a NUL. */
export function commandLine(args: readonly Buffer[]): Buffer {
  return Buffer.concat(args.flatMap((a) => [a, Buffer.of(0)]));
}

/** The process's command line, shown and kept up to date in place. */
export interface ArgArea {
  /** How it is shown: its own bytes, the original area overwritten, or process.title. */
  readonly kind: 'moved' | 'overwritten' | 'title';
  /** Writes `bytes` at `offset` into the command line (never past its last NUL). */
  write(offset: number, bytes: Buffer): void;
}

/**
 * Makes the command line `bytes` (NUL-terminated arguments, as commandLine gives) in the best way
 * the system allows; `n` is the addon, null where it cannot be loaded.
 */
export function showCommandLine(n: NativeBinding | null, bytes: Buffer): ArgArea {
  return (n && movedArea(n, bytes)) ?? overwrittenArea(bytes) ?? titleArea(bytes);
}

const address = (field: StatField, n: number): number => Number(field(n));

/** The argument area moved to a buffer holding `bytes`; null where the kernel refuses. */
export function movedArea(n: NativeBinding, bytes: Buffer): ArgArea | null {
  if (!linuxBranches() || bytes.length === 0 || bytes[bytes.length - 1] !== 0) return null;
  // A buffer on a backing store of its own: the garbage collector never moves it.
  const own = Buffer.from(new ArrayBuffer(bytes.length));
  bytes.copy(own);
  try {
    const field = procStat('self');
    if (field === null) return null;
    const layout = {
      startCode: address(field, FIELD.startCode),
      endCode: address(field, FIELD.endCode),
      startStack: address(field, FIELD.startStack),
      startData: address(field, FIELD.startData),
      endData: address(field, FIELD.endData),
      startBrk: address(field, FIELD.startBrk),
      // Not in /proc/PID/stat; read last, so that no allocation can move it before the prctl.
      brk: 0,
      envStart: address(field, FIELD.envStart),
      envEnd: address(field, FIELD.envEnd),
    };
    if (!Object.values(layout).every((v) => Number.isSafeInteger(v))) return null;
    layout.brk = n.brk();
    n.prctlSetMmMap(layout, own);
  } catch {
    return null;
  }
  const room = own.length - 1;
  return {
    kind: 'moved',
    write(offset, data) {
      if (offset < room) data.copy(own, offset, 0, Math.min(data.length, room - offset));
    },
  };
}

/** The original argument area, overwritten with `bytes` and NULs after them; null where refused. */
export function overwrittenArea(bytes: Buffer): ArgArea | null {
  let fd: number;
  let start: number;
  let size: number;
  try {
    const field = procStat('self');
    if (field === null) return null;
    start = address(field, FIELD.argStart);
    const end = address(field, FIELD.argEnd);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return null;
    size = end - start;
    fd = openSync('/proc/self/mem', 'r+');
  } catch {
    return null;
  }
  // The area's last byte stays a NUL: were it not, the kernel would show only its first string.
  const room = size - 1;
  const write = (offset: number, data: Buffer): void => {
    if (offset < room) writeSync(fd, data, 0, Math.min(data.length, room - offset), start + offset);
  };
  try {
    const all = Buffer.alloc(size);
    bytes.copy(all, 0, 0, Math.min(bytes.length, room));
    write(0, all);
  } catch {
    // some kernels refuse writes to /proc/self/mem
    closeSync(fd);
    return null;
  }
  return { kind: 'overwritten', write };
}

/** The command line emulated through process.title (libuv cuts it to the original area's size). */
export function titleArea(bytes: Buffer): ArgArea {
  const shown = Buffer.from(bytes);
  const show = (): void => {
    let end = shown.length;
    while (end > 0 && shown[end - 1] === 0) end--;
    const text = Array.from(shown.subarray(0, end), (b) => (b === 0 ? ' ' : b < 0x80 ? String.fromCharCode(b) : '?'));
    process.title = text.join('');
  };
  show();
  return {
    kind: 'title',
    write(offset, data) {
      const room = shown.length - 1;
      if (offset >= room) return;
      data.copy(shown, offset, 0, Math.min(data.length, room - offset));
      show();
    },
  };
}

/**
 * Sets the name ps shows as `comm` (at most 15 bytes; the kernel cuts the rest): the main thread's,
 * which is the one running JavaScript. prctl works whoever we are; /proc/self/comm is refused once
 * a change of credentials (setuidgid) has made the process non-dumpable.
 */
export function setCommandName(n: NativeBinding | null, name: string): void {
  if (!linuxBranches()) return; // elsewhere process.title is all there is
  try {
    if (n === null) throw new Error('no addon');
    n.prctlSetName(name);
  } catch {
    try {
      writeFileSync('/proc/self/comm', name);
    } catch {
      // not Linux, or not allowed: the name stays as it was
    }
  }
}

/** The raw bytes of the last `count` command-line arguments, as the kernel has them. */
export function rawArguments(count: number): Buffer[] | null {
  if (!linuxBranches()) return null;
  try {
    const bytes = readFileSync('/proc/self/cmdline');
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) {
        parts.push(bytes.subarray(from, i));
        from = i + 1;
      }
    }
    return parts.length >= count ? parts.slice(parts.length - count) : null;
  } catch {
    return null;
  }
}
