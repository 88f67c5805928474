// djb's strerr: "prog: fatal: part part part\n" written straight to fd 2, never buffered.
import { writeSync } from 'node:fs';
import { errorWords } from '../lib/error-str.js';
import { systemBytes } from '../lib/exec/bytes.js';

export function writeErr(text: string | Buffer): void {
  try {
    if (typeof text === 'string') writeSync(2, text);
    else writeSync(2, text);
  } catch {
    // stderr closed or broken: C's buffer_2 would lose the text the same way.
  }
}

/** fatal for a chain link, whose `parts` are byte strings (its arguments as C got them). */
export function fatalBytes(prog: string, parts: string, err?: unknown): void {
  writeErr(systemBytes(fatalText(prog, parts, err)));
}

/** `prog: fatal: parts` and, when `err` is given, `: <djb words for err>`. */
export function fatalText(prog: string, parts: string, err?: unknown): string {
  return `${prog}: fatal: ${parts}${err === undefined ? '' : errorWords(err)}\n`;
}

export function warnText(prog: string, parts: string, err?: unknown): string {
  return `${prog}: warning: ${parts}${err === undefined ? '' : errorWords(err)}\n`;
}

/** warn whose `parts` are byte strings (a directory's name as C's tools got it). */
export function warnBytes(prog: string, parts: string, err?: unknown): void {
  writeErr(systemBytes(warnText(prog, parts, err)));
}

export function fatal(prog: string, parts: string, err?: unknown): void {
  writeErr(fatalText(prog, parts, err));
}

export function warn(prog: string, parts: string, err?: unknown): void {
  writeErr(warnText(prog, parts, err));
}

export function usage(prog: string, text: string): void {
  writeErr(`${prog}: usage: ${prog} ${text}\n`);
}
