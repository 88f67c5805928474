// The scan directory in one listing: each entry's name and what stat(2) found there, as the bytes
// native/dir.cc's readdir_stat writes them. A rescan compares these bytes with the last scan's:
// the same bytes, and nothing ended meanwhile, leave C svscan's scan nothing to do, so ours does
// nothing (no string, no object: an idle rescan makes no garbage to collect).
import { errnoError, errnoName } from '../errors.js';
import type { NativeBinding } from '../../native/binding.js';
import type { DirStat } from './scanner.js';

/** The record before each name: u16 name length, u8 how, u8 0, u32 st_mode or errno, u64 st_dev, u64 st_ino. */
export const SURVEY_HEAD = 24;
/** What became of an entry's stat (native/core.h's READDIR_STAT_*). */
export const SURVEY_HOW = { stated: 0, skipped: 1, failed: 2 } as const;
/** Names beginning with this byte are listed without a stat: C svscan skips them before its stat. */
export const SURVEY_SKIP = 0x2e; // '.'

/** A listing in `bytes[0, length)`; the host may reuse `bytes` at its next survey. */
export interface Survey {
  readonly bytes: Buffer;
  readonly length: number;
}

/**
 * The addon's listing of `dir` into `into` (SURVEY_SKIP names not stated), its buffer grown until
 * the listing fits: a directory that grew between two calls asks again. Throws what opendir or
 * readdir met.
 */
export function listInto<B extends Uint8Array = Buffer>(
  readdirStat: NativeBinding['readdirStat'],
  dir: string,
  into: { bytes: B; length: number },
  alloc: (size: number) => B = (size) => Buffer.alloc(size) as unknown as B,
): { readonly bytes: B; readonly length: number } {
  while ((into.length = readdirStat(dir, SURVEY_SKIP, into.bytes)) > into.bytes.length) {
    into.bytes = alloc(into.length + (into.length >> 2));
  }
  return into;
}

/**
 * The names of a listing in its own order (readdir's), as their bytes: views into `bytes` (typed
 * array reads only, so a chain's start compiles none of Buffer's).
 */
export function surveyNames({ bytes, length }: { readonly bytes: Uint8Array; readonly length: number }): Uint8Array[] {
  const names: Uint8Array[] = [];
  for (let at = 0; at + SURVEY_HEAD <= length; ) {
    const end = at + SURVEY_HEAD + (bytes[at]! | (bytes[at + 1]! << 8));
    names.push(bytes.subarray(at + SURVEY_HEAD, end));
    at = end;
  }
  return names;
}

export interface SurveyEntry {
  readonly name: string;
  /** The stat, the error it failed with, or undefined for a name that was not stated. */
  readonly stat: DirStat | Error | undefined;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const TWO_32 = 2 ** 32;

/** A u64 as a number when a double holds it exactly, else a bigint (the scanner's key is the same). */
function u64(bytes: Buffer, at: number): number | bigint {
  const low = bytes.readUInt32LE(at);
  const high = bytes.readUInt32LE(at + 4);
  return high < 2 ** 21 ? high * TWO_32 + low : bytes.readBigUInt64LE(at);
}

/**
 * The entries of a listing in byte order of their names, as readdirSync gives them (libuv's
 * scandir sorts): services start, and are warned about, in the order they always were.
 */
export function readSurvey({ bytes, length }: Survey): SurveyEntry[] {
  const starts: number[] = [];
  for (let at = 0; at + SURVEY_HEAD <= length; at += SURVEY_HEAD + bytes.readUInt16LE(at)) starts.push(at);
  const end = (at: number): number => at + SURVEY_HEAD + bytes.readUInt16LE(at);
  starts.sort((a, b) => bytes.compare(bytes, b + SURVEY_HEAD, end(b), a + SURVEY_HEAD, end(a)));
  const out: SurveyEntry[] = [];
  for (const at of starts) {
    const size = bytes.readUInt16LE(at);
    const how = bytes[at + 2];
    const word = bytes.readUInt32LE(at + 4);
    // Names as readdirSync gives them (UTF-8).
    const name = bytes.toString('utf8', at + SURVEY_HEAD, at + SURVEY_HEAD + size);
    let stat: SurveyEntry['stat'];
    if (how === SURVEY_HOW.stated) stat = { dev: u64(bytes, at + 8), ino: u64(bytes, at + 16), isDirectory: (word & S_IFMT) === S_IFDIR };
    else if (how === SURVEY_HOW.failed) stat = errnoError(errnoName(word), 'stat', name);
    out.push({ name, stat });
  }
  return out;
}

/** The listing readdir_stat would write for `entries` (for hosts without the addon's, and tests). */
export function writeSurvey(entries: readonly { name: string; stat: (DirStat & { mode?: number }) | { errno: number } | undefined }[]): Survey {
  const parts: Buffer[] = [];
  for (const { name, stat } of entries) {
    const nameBytes = Buffer.from(name);
    const head = Buffer.alloc(SURVEY_HEAD);
    head.writeUInt16LE(nameBytes.length, 0);
    if (stat === undefined) head[2] = SURVEY_HOW.skipped;
    else if ('errno' in stat) {
      head[2] = SURVEY_HOW.failed;
      head.writeUInt32LE(stat.errno, 4);
    } else {
      head[2] = SURVEY_HOW.stated;
      head.writeUInt32LE(stat.mode ?? (stat.isDirectory ? S_IFDIR | 0o755 : 0o100644), 4);
      head.writeBigUInt64LE(BigInt(stat.dev), 8);
      head.writeBigUInt64LE(BigInt(stat.ino), 16);
    }
    parts.push(head, nameBytes);
  }
  const bytes = Buffer.concat(parts);
  return { bytes, length: bytes.length };
}
