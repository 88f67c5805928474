// The bytes behind a program's argv: Node decodes the command line as UTF-8, C tools never do.
import { readFileSync } from 'node:fs';
import { argvBytes } from '../lib/exec/bytes.js';

/** The byte strings behind this program's `argv` (Linux shows them in /proc; elsewhere their UTF-8). */
export function rawArgv(argv: readonly string[]): string[] {
  let cmdline: string | null = null;
  try {
    cmdline = readFileSync('/proc/self/cmdline', 'latin1');
  } catch {
    // no /proc: the arguments as Node read them
  }
  return argvBytes(argv, cmdline);
}
