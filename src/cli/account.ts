// getpwnam as setuidgid and envuidgid use it: any failure to find the account, even an error
// from the lookup itself, is an unknown account.
import type { Passwd } from '../native/binding.js';
import { native } from '../native/index.js';

export function lookupAccount(name: string | Buffer): Passwd | null {
  try {
    return native().getpwnam(name);
  } catch {
    return null;
  }
}
