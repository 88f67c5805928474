// Writing supervise/status.json so that a reader never sees half of it: the whole document goes
// to status.json.new, which is renamed over status.json (rename is atomic within a directory, so
// a reader opens either the old file or the new one, complete). No fsync: like the 18-byte status
// it describes a running supervisor, and is rewritten by the next one after a crash.
// Write it before the 18 bytes, so a reader that sees a new status also sees this (checkSidecar).
import { closeSync, constants as fs, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { decodeSidecar, encodeSidecar, SIDECAR_NAME, type Sidecar } from './sidecar.js';

export type SidecarProblem = { readonly kind: 'sidecar-open' | 'sidecar-write' | 'sidecar-rename'; readonly error: unknown };

const at = (dir: string, name: string): string => (dir === '.' ? `supervise/${name}` : `${dir}/supervise/${name}`);

/** Writes the sidecar of the service at `dir`; what went wrong, if anything (status.json stays as it was). */
export function writeSidecar(dir: string, sidecar: Sidecar): SidecarProblem | null {
  const bytes = Buffer.from(encodeSidecar(sidecar), 'utf8');
  const tmp = at(dir, `${SIDECAR_NAME}.new`);
  let fd: number;
  try {
    fd = openSync(tmp, fs.O_WRONLY | fs.O_NONBLOCK | fs.O_TRUNC | fs.O_CREAT | fs.O_NOFOLLOW, 0o644);
  } catch (error) {
    return { kind: 'sidecar-open', error };
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off);
  } catch (error) {
    return { kind: 'sidecar-write', error };
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, at(dir, SIDECAR_NAME));
  } catch (error) {
    return { kind: 'sidecar-rename', error };
  }
  return null;
}

/** Removes the sidecar (a service whose extension files are gone goes back to C's view). */
export function removeSidecar(dir: string): void {
  try {
    unlinkSync(at(dir, SIDECAR_NAME));
  } catch {
    // Not there.
  }
}

/** The sidecar of the service at `dir`; null when there is none or it is not a valid one. */
export function readSidecar(dir: string): Sidecar | null {
  try {
    return decodeSidecar(readFileSync(at(dir, SIDECAR_NAME), 'utf8'));
  } catch {
    return null;
  }
}
