// The bytes behind a program's argv: Node decodes the command line as UTF-8, C tools never do.
import { readFileSync } from 'node:fs';
import { argvBytes, mayHideBytes } from '../lib/exec/bytes.js';
import { FIELD, recordField, takeRecord } from '../lib/exec/captured.js';
import { linuxBranches } from '../native/platform.js';

/**
 * The byte strings behind this program's `argv`: their UTF-8 when Node could decode them all (it
 * decodes valid UTF-8 exactly, and anything else to U+FFFD); else Linux shows them in /proc, and
 * elsewhere the launcher recorded them (" a=", hex) when one was not ASCII.
 */
export function rawArgv(argv: readonly string[]): string[] {
  if (!argv.some(mayHideBytes)) return argvBytes(argv, null);
  let cmdline: string | null = null;
  try {
    if (linuxBranches()) cmdline = readFileSync('/proc/self/cmdline', 'latin1');
    else cmdline = recordedArgs();
  } catch {
    // no /proc: the arguments as Node read them
  }
  return argvBytes(argv, cmdline);
}

/** The launcher's arguments as /proc/self/cmdline would show their tail; null when not recorded. */
function recordedArgs(): string | null {
  const hex = recordField(takeRecord(), FIELD.args);
  return hex === undefined || !/^([0-9a-f]{2})*$/.test(hex) ? null : Buffer.from(hex, 'hex').toString('latin1');
}
