// The ledger a hosted multilog keeps in its logger stub's memory file (see peek.ts): what of the
// input in hand was dealt with, for the stub (native/stub.c, native/stub_protocol.h) to settle
// its stdin by should the host die. One definition for TypeScript; loghost/protocol.ts re-exports it.

/** A `current` the chunk in hand is to reach, and its size before the write. */
export interface LedgerFile {
  readonly size: number;
  readonly path: string;
}

/**
 * The ledger: `N K H0 H1\n`, K lines `SIZE PATH\n`, then H0 and H1 raw bytes. N > 0: a chunk of
 * N bytes of stdin was taken in; it was written if every listed `current` grew past SIZE. The
 * held bytes (a line's head read, not written) are `before` the chunk (H0) and `after` it (H1).
 */
export interface Ledger {
  readonly taken: number;
  readonly files: readonly LedgerFile[];
  readonly before: Buffer;
  readonly after: Buffer;
}

export function encodeLedger({ taken, files, before, after }: Ledger): Buffer {
  const lines = files.map((f) => `${f.size} ${f.path}\n`).join('');
  return Buffer.concat([Buffer.from(`${taken} ${files.length} ${before.length} ${after.length}\n${lines}`, 'latin1'), before, after]);
}

/** The ledger in `buf`, or null where it is not one (as the stub then keeps nothing). */
export function decodeLedger(buf: Buffer): Ledger | null {
  let at = 0;
  const number = (end: number): number | null => {
    let v = 0;
    const from = at;
    while (at < buf.length && buf[at]! >= 0x30 && buf[at]! <= 0x39) v = v * 10 + buf[at++]! - 0x30;
    if (at === from || buf[at] !== end) return null;
    at++;
    return v;
  };
  const head: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = number(i === 3 ? 0x0a : 0x20);
    if (v === null) return null;
    head.push(v);
  }
  const [taken, k, h0, h1] = head as [number, number, number, number];
  const files: LedgerFile[] = [];
  for (let i = 0; i < k; i++) {
    const size = number(0x20);
    const nl = buf.indexOf(0x0a, at);
    if (size === null || nl < 0) return null;
    files.push({ size, path: buf.subarray(at, nl).toString('latin1') });
    at = nl + 1;
  }
  if (at + h0 + h1 > buf.length) return null;
  return { taken, files, before: buf.subarray(at, at + h0), after: buf.subarray(at + h0, at + h0 + h1) };
}
