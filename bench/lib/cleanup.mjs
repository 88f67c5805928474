// Temporary directories, and the one cleanup that ends every started process and removes them,
// whether the run finishes, fails, or is interrupted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAll } from './procs.mjs';

const dirs = new Set();

/** A fresh directory under the system temp dir, removed by cleanup(). */
export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `dt-bench-${label}-`));
  dirs.add(dir);
  return dir;
}

/** Ends every process this run started; removes `dir` (or, without one, every temp dir). */
export function cleanup(dir) {
  killAll();
  for (const d of dir ? [dir] : [...dirs]) {
    try {
      rmSync(d, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A file still held open by a dying process; the next cleanup retries.
    }
    dirs.delete(d);
  }
}

let installed = false;

/** Cleans up on exit, on SIGINT/SIGTERM/SIGHUP, and on an uncaught error. */
export function installCleanup() {
  if (installed) return;
  installed = true;
  process.on('exit', () => cleanup());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping every process started\n`);
      cleanup();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (err) => {
    process.stderr.write(`bench: ${err?.stack ?? err}\n`);
    cleanup();
    process.exit(1);
  });
}
