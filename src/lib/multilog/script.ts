// multilog's script: the arguments read as actions in order. Settings (s, n, !) apply to every
// log directory named after them; `t` counts only as the first argument; anything else is ignored.
// The arguments are byte strings (exec/bytes.ts): patterns match and processors run on their
// bytes exactly; paths are read as UTF-8, as Node names files.
import { asText } from '../exec/bytes.js';

/** The size limits C multilog clamps `s` to. */
export const MIN_SIZE = 4096;
export const MAX_SIZE = 16777215;
export const DEFAULT_SIZE = 99999;
export const MIN_NUM = 2;
export const DEFAULT_NUM = 10;

export type Action =
  | { readonly kind: 'select'; readonly pattern: Buffer }
  | { readonly kind: 'deselect'; readonly pattern: Buffer }
  | { readonly kind: 'stderr' }
  | { readonly kind: 'status'; readonly file: string }
  | { readonly kind: 'dir'; readonly dir: LogDirSpec };

export interface LogDirSpec {
  /** As written in the script: messages name it so, relative names start from the starting directory. */
  readonly path: string;
  /** Rotate once `current` is this big (4096..16777215). */
  readonly size: number;
  /** Log files kept, `current` included (at least 2). */
  readonly num: number;
  /** Shell command run on each full file (a byte string), or null. */
  readonly processor: string | null;
}

export interface Script {
  /** The first argument starts with `t`: lines get a TAI64N stamp. */
  readonly timestamp: boolean;
  /** The actions that act on lines, in script order. */
  readonly actions: readonly Action[];
  /** The log directories, in script order (also found among the actions). */
  readonly dirs: readonly LogDirSpec[];
  /** Whether any action looks at a line's bytes (patterns, e, =). */
  readonly inspectsLines: boolean;
}

/** djb's scan_ulong: the leading decimal digits, wrapping at 2^64 like unsigned long; 0 for none. */
export function scanUlong(text: string): number {
  let value = 0n;
  for (let i = 0; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = BigInt.asUintN(64, value * 10n + BigInt(digit));
  }
  return Number(value);
}

/** Reads the script `args` (byte strings: what the command line holds). */
export function parseScript(args: readonly string[]): Script {
  const actions: Action[] = [];
  const dirs: LogDirSpec[] = [];
  let size = DEFAULT_SIZE;
  let num = DEFAULT_NUM;
  let processor: string | null = null;
  let inspectsLines = false;
  for (const arg of args) {
    const rest = arg.slice(1);
    switch (arg[0]) {
      case '+':
        actions.push({ kind: 'select', pattern: Buffer.from(rest, 'latin1') });
        inspectsLines = true;
        break;
      case '-':
        actions.push({ kind: 'deselect', pattern: Buffer.from(rest, 'latin1') });
        inspectsLines = true;
        break;
      case 'e':
        actions.push({ kind: 'stderr' });
        inspectsLines = true;
        break;
      case '=':
        actions.push({ kind: 'status', file: asText(rest) });
        inspectsLines = true;
        break;
      case 's':
        size = Math.min(Math.max(scanUlong(rest), MIN_SIZE), MAX_SIZE);
        break;
      case 'n':
        num = Math.max(scanUlong(rest), MIN_NUM);
        break;
      case '!':
        processor = rest;
        break;
      case '.':
      case '/': {
        const dir = { path: asText(arg), size, num, processor };
        dirs.push(dir);
        actions.push({ kind: 'dir', dir });
        break;
      }
      default:
        break;
    }
  }
  return { timestamp: args.length > 0 && args[0].startsWith('t'), actions, dirs, inspectsLines };
}
