// chdir to a directory whose name is not UTF-8, through the addon (process.chdir takes text). Kept
// out of svc's, svok's and svstat's bundles (scripts/bundle.cjs): they never load the addon
// otherwise, and only such a name pays for its load (~0.25 ms).
import { toBytes } from '../lib/exec/bytes.js';
import { native } from '../native/index.js';

export function chdirBytes(dir: string): void {
  native().chdir(toBytes(dir));
}
