// The directories svc, svok and svstat are given: C's tools take each name as its bytes, chdir to
// it and print it as given. Node decodes argv as UTF-8 (other bytes become U+FFFD); rawArgv
// (raw-argv.ts) gives the bytes back as a byte string, and chdirTo takes them.
import { asText, isAscii, textBytes } from '../lib/exec/bytes.js';

/** chdir(2) to the directory named by the byte string `dir`; throws Node's error. */
export function chdirTo(dir: string): void {
  if (isAscii(dir)) return process.chdir(dir);
  // UTF-8 goes through Node's text unchanged; other bytes only through the addon's chdir.
  const text = asText(dir);
  if (textBytes(text) === dir) return process.chdir(text);
  (require('./chdir-bytes.js') as typeof import('./chdir-bytes.js')).chdirBytes(dir);
}
