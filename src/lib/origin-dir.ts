// Where svc and svstat go back to after each directory: they open(".") once and fchdir to it.
// Node has no fchdir, so the descriptor is reached through /proc/self/fd where there is one
// (which, like fchdir, still works when the directory was renamed or removed meanwhile).
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { linuxBranches } from '../native/platform.js';

export class OriginDir {
  private constructor(
    private readonly fd: number,
    private readonly path: string | undefined,
  ) {}

  /** open(".") as svc does: fails as C's would (EACCES without read permission, say). */
  static open(): OriginDir {
    const fd = openSync('.', constants.O_RDONLY | constants.O_NONBLOCK);
    if (linuxBranches() && existsSync('/proc/self/fd')) return new OriginDir(fd, undefined);
    let path: string | undefined;
    try {
      path = process.cwd();
    } catch {
      // Removed already: only /proc could have taken us back.
    }
    return new OriginDir(fd, path);
  }

  /** Back to the starting directory (fchdir); throws when that cannot be done. */
  restore(): void {
    process.chdir(this.path ?? `/proc/self/fd/${this.fd}`);
  }

  close(): void {
    closeSync(this.fd);
  }
}
