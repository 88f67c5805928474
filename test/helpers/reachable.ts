// Tests that run programs as user nobody need what those programs exec or load to be reachable
// by nobody, and a checkout under /root or in a `mktemp -d` directory (0700) is not. These helpers
// say whether it is, and lay out a copy in a 0755 temporary directory when it is not (as
// releaseLayout in test/integration/launcher-musl.test.ts lays out a release), so such a test
// runs the same bytes from a place nobody can reach; where the checkout is reachable, they hand
// back the checkout's own files and the test runs exactly as it always did.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ROOT } from './paths.js';

/** Whether another user (nobody) may reach `path`: every directory on the way searchable by others. */
export function othersCanReach(path: string): boolean {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    try {
      if ((statSync(dir).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (dir === dirname(dir)) return true;
  }
}

/** Why a test that needs the checkout itself reachable by nobody is skipped. */
export const UNREACHABLE_REASON = `user nobody cannot reach ${ROOT} (a directory on the way is not searchable by others): run from a checkout under a 0755 path`;

/** A 0755 temporary directory for copies; `remove` deletes it. */
export class ReachableCopies {
  private dir: string | null = null;
  private copies = 0;
  private pkg: string | null = null;

  private base(): string {
    if (this.dir === null) {
      this.dir = mkdtempSync(join(tmpdir(), 'dt-reachable-'));
      chmodSync(this.dir, 0o755);
    }
    return this.dir;
  }

  /** `file` itself when nobody can reach it, else a copy (mode kept) in the 0755 directory. */
  file(file: string): string {
    if (othersCanReach(file)) return file;
    const into = join(this.base(), String(this.copies++));
    mkdirSync(into);
    chmodSync(into, 0o755);
    const copy = join(into, basename(file));
    copyFileSync(file, copy);
    chmodSync(copy, statSync(file).mode & 0o7777);
    return copy;
  }

  /**
   * The package root itself when nobody can reach it, else a copy of what our programs run on:
   * dist/, the native build (the addon and the native programs), package.json, and bin/ as
   * scripts/install-bin.cjs makes it there.
   */
  packageRoot(): string {
    if (othersCanReach(join(ROOT, 'package.json'))) return ROOT;
    if (this.pkg !== null) return this.pkg;
    const pkg = join(this.base(), 'package');
    mkdirSync(join(pkg, 'build', 'Release'), { recursive: true });
    mkdirSync(join(pkg, 'scripts'));
    for (const d of ['', 'build', 'build/Release', 'scripts']) chmodSync(join(pkg, d), 0o755);
    for (const f of readdirSync(join(ROOT, 'build', 'Release'), { withFileTypes: true })) {
      if (f.isFile()) copyFileSync(join(ROOT, 'build', 'Release', f.name), join(pkg, 'build', 'Release', f.name));
      if (f.isFile()) chmodSync(join(pkg, 'build', 'Release', f.name), statSync(join(ROOT, 'build', 'Release', f.name)).mode & 0o7777);
    }
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    copyFileSync(join(ROOT, 'scripts', 'install-bin.cjs'), join(pkg, 'scripts', 'install-bin.cjs'));
    cpSync(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    execFileSync(process.execPath, [join(pkg, 'scripts', 'install-bin.cjs')]);
    this.pkg = pkg;
    return pkg;
  }

  remove(): void {
    if (this.dir !== null) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    this.pkg = null;
  }
}
