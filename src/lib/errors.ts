// Errors shaped like Node's own ErrnoException: `code`, `errno` (negative, as libuv), `syscall`, `path`.
import { constants } from 'node:os';

export interface ErrnoError extends Error {
  code: string;
  errno: number;
  syscall: string;
  path?: string;
}

let names: Map<number, string> | undefined;

/** Builds an error exactly as Node does for a failed system call. */
export function errnoError(code: string, syscall: string, path?: string): ErrnoError {
  const n = (constants.errno as Record<string, number | undefined>)[code] ?? 0;
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
    for (const [name, value] of Object.entries(constants.errno)) if (!names.has(value)) names.set(value, name);
  }
  return names.get(Math.abs(n)) ?? 'EUNKNOWN';
}

export function isErrno(err: unknown, ...codes: string[]): err is ErrnoError {
  return !!err && typeof err === 'object' && codes.includes((err as { code?: string }).code ?? '');
}
