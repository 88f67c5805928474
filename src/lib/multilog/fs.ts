// The file system calls multilog's engine makes that create, rename, remove or look up files.
// Standalone they are node:fs's own. Hosted in svscan (src/lib/loghost), each logger's calls run
// as that logger's process would make them (its filesystem uid, gid, groups and umask), so files
// get exactly the owners and modes C multilog gives them; the host installs the lookup.
import * as fs from 'node:fs';

export interface FsActor {
  run<T>(fn: () => T): T;
}

let actor: (() => FsActor | undefined) | undefined;

/** Installs how to find the identity the current call runs as (undefined: our own). */
export function setFsActor(lookup: (() => FsActor | undefined) | undefined): void {
  actor = lookup;
}

function as<A extends unknown[], R>(f: (...args: A) => R): (...args: A) => R {
  return (...args: A): R => {
    const who = actor?.();
    return who ? who.run(() => f(...args)) : f(...args);
  };
}

export const openSync = as(fs.openSync as (path: fs.PathLike, flags: number | string, mode?: number) => number);
export const mkdirSync = as(fs.mkdirSync as (path: fs.PathLike, mode?: number) => void);
export const unlinkSync = as(fs.unlinkSync);
export const renameSync = as(fs.renameSync);
export const linkSync = as(fs.linkSync);
export const chmodSync = as(fs.chmodSync);
export const fchmodSync = as(fs.fchmodSync);
export const statSync = as(fs.statSync as (path: fs.PathLike) => fs.Stats);
export const readlinkSync = as(fs.readlinkSync as (path: fs.PathLike) => string);
export const opendirSync = as(fs.opendirSync);
export const { closeSync, constants, fstatSync, fsyncSync, writeSync, readSync, read } = fs;
export type { Stats } from 'node:fs';
