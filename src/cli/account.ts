// getpwnam as setuidgid and envuidgid use it: any failure to find the account, even an error
// from the lookup itself, is an unknown account.
import type { Passwd } from '../native/binding.js';
import { native } from '../native/index.js';
import { systemBytes } from '../lib/exec/bytes.js';

/** `name` is a byte string (a link's argument, as C got it). */
export function lookupAccount(name: string): Passwd | null {
  try {
    return native().getpwnam(systemBytes(name));
  } catch {
    return null;
  }
}
