// The file system calls multilog's engine makes that create, rename, remove or look up files.
// Standalone they are node:fs's own (ownFs). Hosted in svscan (src/lib/loghost), each logger's
// calls run as that logger's process would make them (its filesystem uid, gid, groups and
// umask), so files get exactly the owners and modes C multilog gives them: the host hands the
// engine fsAs(its identity) on its MultilogIO (io.ts: `fs`).
import * as fs from 'node:fs';

export interface FsActor {
  run<T>(fn: () => T): T;
}

/** The calls, as node:fs's. */
export interface MultilogFs {
  readonly openSync: (path: fs.PathLike, flags: number | string, mode?: number) => number;
  readonly mkdirSync: (path: fs.PathLike, mode?: number) => void;
  readonly unlinkSync: typeof fs.unlinkSync;
  readonly renameSync: typeof fs.renameSync;
  readonly linkSync: typeof fs.linkSync;
  readonly chmodSync: typeof fs.chmodSync;
  readonly fchmodSync: typeof fs.fchmodSync;
  readonly statSync: (path: fs.PathLike) => fs.Stats;
  readonly readlinkSync: (path: fs.PathLike) => string;
  readonly opendirSync: typeof fs.opendirSync;
}

/** This process's own calls. */
export const ownFs: MultilogFs = {
  openSync: fs.openSync as MultilogFs['openSync'],
  mkdirSync: fs.mkdirSync as MultilogFs['mkdirSync'],
  unlinkSync: fs.unlinkSync,
  renameSync: fs.renameSync,
  linkSync: fs.linkSync,
  chmodSync: fs.chmodSync,
  fchmodSync: fs.fchmodSync,
  statSync: fs.statSync as MultilogFs['statSync'],
  readlinkSync: fs.readlinkSync as MultilogFs['readlinkSync'],
  opendirSync: fs.opendirSync,
};

/** The calls made as `actor` (each one inside actor.run). */
export function fsAs(actor: FsActor): MultilogFs {
  const as =
    <A extends unknown[], R>(f: (...args: A) => R) =>
    (...args: A): R =>
      actor.run(() => f(...args));
  return {
    openSync: as(ownFs.openSync),
    mkdirSync: as(ownFs.mkdirSync),
    unlinkSync: as(ownFs.unlinkSync),
    renameSync: as(ownFs.renameSync),
    linkSync: as(ownFs.linkSync),
    chmodSync: as(ownFs.chmodSync),
    fchmodSync: as(ownFs.fchmodSync),
    statSync: as(ownFs.statSync),
    readlinkSync: as(ownFs.readlinkSync),
    opendirSync: as(ownFs.opendirSync),
  };
}

/** Calls that touch no name, the same for any identity. */
export const { closeSync, constants, fstatSync, fsyncSync, writeSync, readSync, read } = fs;
export type { Stats } from 'node:fs';
