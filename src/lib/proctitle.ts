// The process's argument area -- what ps(1) and /proc/PID/cmdline show -- rewritten byte for
// byte as a C program rewrites its argv strings. On Linux the area is found in /proc/self/stat
// and written through /proc/self/mem; elsewhere (or where that is refused) process.title stands
// in, which can only carry text, so NULs show as spaces and other bytes as '?'.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { linuxBranches } from '../native/platform.js';
import { procStat } from './proc-stat.js';

/** Fields 48 and 49 of /proc/PID/stat, counted from 1. */
const ARG_START_FIELD = 48;

export interface ArgArea {
  /** Makes the area hold `bytes` and NULs after them (cut to the room there is). */
  replace(bytes: Buffer): void;
  /** Writes `bytes` at `offset` into the area. */
  write(offset: number, bytes: Buffer): void;
}

/** The memory-backed area, or null where it cannot be had. */
export function openArgArea(): ArgArea | null {
  let fd: number;
  let start: number;
  let end: number;
  try {
    const field = procStat('self');
    if (field === null) return null;
    start = Number(field(ARG_START_FIELD));
    end = Number(field(ARG_START_FIELD + 1));
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end <= start) return null;
    fd = openSync('/proc/self/mem', 'r+');
  } catch {
    return null;
  }
  const size = end - start;
  const area: ArgArea = {
    replace(bytes) {
      const all = Buffer.alloc(size);
      bytes.copy(all, 0, 0, Math.min(bytes.length, size - 1));
      writeSync(fd, all, 0, size, start);
    },
    write(offset, bytes) {
      const room = Math.max(0, size - 1 - offset);
      writeSync(fd, bytes, 0, Math.min(bytes.length, room), start + offset);
    },
  };
  try {
    // Prove it works (some kernels refuse writes to /proc/self/mem) by writing what is there.
    area.write(0, readFileSync('/proc/self/cmdline').subarray(0, 1));
  } catch {
    closeSync(fd);
    return null;
  }
  return area;
}

/** An area emulated through process.title, for systems without /proc/self/mem. */
export function titleArea(): ArgArea {
  let shown = Buffer.alloc(0);
  // libuv knows the real capacity (the argv area) and cuts the title there.
  const show = (): void => {
    let end = shown.length;
    while (end > 0 && shown[end - 1] === 0) end--;
    const text = Array.from(shown.subarray(0, end), (b) => (b === 0 ? ' ' : b < 0x80 ? String.fromCharCode(b) : '?'));
    process.title = text.join('');
  };
  return {
    replace(bytes) {
      shown = Buffer.from(bytes);
      show();
    },
    write(offset, bytes) {
      if (offset + bytes.length > shown.length) {
        const next = Buffer.alloc(offset + bytes.length);
        shown.copy(next);
        shown = next;
      }
      bytes.copy(shown, offset);
      show();
    },
  };
}

/** Sets the name ps shows as `comm` (at most 15 bytes; the kernel cuts the rest). */
export function setCommandName(name: string): void {
  try {
    if (linuxBranches()) writeFileSync('/proc/self/comm', name);
  } catch {
    // not Linux, or not allowed: the name stays as it was
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
