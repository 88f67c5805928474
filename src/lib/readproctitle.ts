// readproctitle's title (readproctitle.c): the last argument is turned into dots, and every
// non-NUL byte read then enters at its right end, shifting the rest left; its first three bytes
// stay dots. What ps shows is the arguments with that window at the end.

/** The last argument must be at least this long. */
export const MIN_TITLE_LENGTH = 5;
/** Bytes at the start of the last argument that never change. */
const FIXED = 3;
const DOT = 0x2e;

export class TitleWindow {
  /** The last argument's bytes as they are now. */
  readonly bytes: Buffer;

  constructor(length: number) {
    this.bytes = Buffer.alloc(length, DOT);
  }

  /** Takes in the bytes read, as C does one at a time: NULs are skipped. */
  feed(data: Uint8Array): void {
    const buf = this.bytes;
    const width = buf.length - FIXED;
    if (width <= 0) return;
    let kept = 0;
    const incoming = Buffer.allocUnsafe(data.length);
    for (const b of data) if (b !== 0) incoming[kept++] = b;
    if (kept >= width) incoming.copy(buf, FIXED, kept - width, kept);
    else if (kept > 0) {
      buf.copy(buf, FIXED, FIXED + kept, buf.length);
      incoming.copy(buf, buf.length - kept, 0, kept);
    }
  }
}

/**
 * The argument area C's process would have: every argument NUL-terminated, the last one being the
 * window (filled in later). Returns the bytes and where the window starts.
 */
export function argumentLayout(args: readonly Buffer[]): { bytes: Buffer; windowAt: number } {
  const last = args[args.length - 1]!;
  const parts: Buffer[] = [];
  for (const a of args.slice(0, -1)) parts.push(a, Buffer.of(0));
  const head = Buffer.concat(parts);
  const bytes = Buffer.alloc(head.length + last.length + 1, 0);
  head.copy(bytes);
  bytes.fill(DOT, head.length, head.length + last.length);
  return { bytes, windowAt: head.length };
}
