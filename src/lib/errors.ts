// Errors shaped like Node's own ErrnoException: `code`, `errno` (negative, as libuv), `syscall`, `path`.
import type * as Os from 'node:os';

// node:os loads when an error is built, not at every start (a chain that succeeds never needs it).
const errnos = (): Record<string, number | undefined> => (require('node:os') as typeof Os).constants.errno;

export interface ErrnoError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

let names: Map<number, string> | undefined;

/** Builds an error exactly as Node does for a failed system call. */
export function errnoError(code: string, syscall: string, path?: string): ErrnoError {
  const n = errnos()[code] ?? 0;
  const err = new Error(`${code}: ${syscall}${path === undefined ? '' : ` '${path}'`}`) as ErrnoError;
  err.code = code;
  err.errno = -n;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  return err;
}

/** The errno name for a positive errno number. */
export function errnoName(n: number): string {
  if (!names) {
    names = new Map();
    for (const [name, value] of Object.entries(errnos())) if (value !== undefined && !names.has(value)) names.set(value, name);
  }
  return names.get(Math.abs(n)) ?? 'EUNKNOWN';
}

export function isErrno(err: unknown, ...codes: string[]): err is ErrnoError {
  return !!err && typeof err === 'object' && codes.includes((err as { code?: string }).code ?? '');
}
