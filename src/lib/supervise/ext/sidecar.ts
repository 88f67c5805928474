// supervise/status.json, the machine-readable state beside the 18-byte status (issue 13): its
// types, its one encoder and decoder, and the check against the 18 bytes. The JSON Schema in
// schema/status.schema.json describes the same document; a test proves the encoder matches it.
import { TAI_EPOCH, type Stamp, type Status, type Want } from '../../status.js';
import type { Dialect } from './files.js';
import type { ExitReason } from './policy.js';

export const SIDECAR_NAME = 'status.json';
export const SIDECAR_VERSION = 1;

export const STATE_NAMES = ['down', 'starting', 'up', 'stopping', 'finishing', 'backoff', 'failed'] as const;
/** down; starting (up, not ready); up (ready, or no dialect); stopping; finishing (./finish runs); backoff; failed. */
export type StateName = (typeof STATE_NAMES)[number];
export const EXIT_REASONS: readonly ExitReason[] = ['exit', 'signal', 'watchdog', 'ready-timeout', 'stopped'];
export const DIALECTS: readonly Dialect[] = ['s6', 'sd-notify', 'ipc'];
const WANTS: readonly Want[] = ['up', 'down', 'none'];

export interface SidecarExit {
  /** Exit code, null when a signal killed it. */
  readonly code: number | null;
  /** Signal name ('SIGTERM'), null for an exit. */
  readonly signal: string | null;
  /** ISO-8601 with milliseconds. */
  readonly at: string;
  /** Seconds the run lasted (milliseconds as decimals). */
  readonly uptime: number;
  readonly reason: ExitReason;
}

export interface SidecarDeath {
  readonly at: string;
  readonly code: number | null;
  readonly signal: string | null;
}

export interface Sidecar {
  readonly version: typeof SIDECAR_VERSION;
  /** The 18-byte status's pid (0 when down) and stamp, to tell a stale sidecar. */
  readonly pid: number;
  /** The 18-byte status's TAI64N stamp as `@` + 24 hex digits (tai64n's form). */
  readonly stamp: string;
  /** That stamp as ISO-8601 with milliseconds. */
  readonly since: string;
  readonly state: StateName;
  readonly ready: boolean;
  readonly readySince: string | null;
  readonly statusText: string | null;
  readonly dialect: Dialect | null;
  /** MAINPID= as the service reported it (sd-notify), else null. */
  readonly mainPid: number | null;
  /** ERRNO= as the service reported it, else null. */
  readonly errno: number | null;
  readonly want: Want;
  readonly paused: boolean;
  readonly normallyUp: boolean;
  /** Starts since this supervisor began. */
  readonly starts: number;
  /** Deaths since this supervisor began (the `deaths` list keeps only the last ones). */
  readonly deathsTotal: number;
  readonly lastExit: SidecarExit | null;
  /** The last deaths, oldest first, at most max-death-tally. */
  readonly deaths: readonly SidecarDeath[];
  /** When the next start is due (backoff), else null. */
  readonly nextStartAt: string | null;
}

/** `@400000006578a1b20000c350`: a TAI64N label, as tai64n prints one. */
export function formatStamp(stamp: Stamp): string {
  return `@${BigInt.asUintN(64, stamp.seconds).toString(16).padStart(16, '0')}${(stamp.nanoseconds >>> 0).toString(16).padStart(8, '0')}`;
}

export function parseStamp(text: string): Stamp | null {
  const m = /^@([0-9a-f]{16})([0-9a-f]{8})$/.exec(text);
  return m ? { seconds: BigInt(`0x${m[1]}`), nanoseconds: parseInt(m[2]!, 16) } : null;
}

/** The moment of a stamp as ISO-8601 with milliseconds (UTC). */
export function stampIso(stamp: Stamp): string {
  return new Date(Number(stamp.seconds - TAI_EPOCH) * 1000 + Math.floor(stamp.nanoseconds / 1e6)).toISOString();
}

export function encodeSidecar(sidecar: Sidecar): string {
  return `${JSON.stringify(sidecar)}\n`;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
type Check = (v: unknown) => boolean;
const isInt = (min: number): Check => (v) => Number.isSafeInteger(v) && (v as number) >= min;
const nullable = (c: Check): Check => (v) => v === null || c(v);
const isIso: Check = (v) => typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v));
const oneOf = (values: readonly unknown[]): Check => (v) => values.includes(v);
const isBool: Check = (v) => typeof v === 'boolean';
const isSignal: Check = (v) => typeof v === 'string' && /^SIG[A-Z0-9]+$/.test(v);
const record = (fields: Record<string, Check>): Check => (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return Object.keys(fields).every((k) => Object.hasOwn(o, k) && fields[k]!(o[k])) && Object.keys(o).every((k) => Object.hasOwn(fields, k));
};
const EXIT = record({ code: nullable(isInt(0)), signal: nullable(isSignal), at: isIso, uptime: (v) => typeof v === 'number' && v >= 0, reason: oneOf(EXIT_REASONS) });
const DEATH = record({ at: isIso, code: nullable(isInt(0)), signal: nullable(isSignal) });
const SIDECAR = record({
  version: oneOf([SIDECAR_VERSION]),
  pid: isInt(0),
  stamp: (v) => typeof v === 'string' && parseStamp(v) !== null,
  since: isIso,
  state: oneOf(STATE_NAMES),
  ready: isBool,
  readySince: nullable(isIso),
  statusText: nullable((v) => typeof v === 'string'),
  dialect: nullable(oneOf(DIALECTS)),
  mainPid: nullable(isInt(1)),
  errno: nullable(isInt(0)),
  want: oneOf(WANTS),
  paused: isBool,
  normallyUp: isBool,
  starts: isInt(0),
  deathsTotal: isInt(0),
  lastExit: nullable(EXIT),
  deaths: (v) => Array.isArray(v) && v.every(DEATH),
  nextStartAt: nullable(isIso),
});

/** The sidecar in `text`, or null when it is not one (torn, another version, a stray file). */
export function decodeSidecar(text: string): Sidecar | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return SIDECAR(value) ? (value as Sidecar) : null;
}

/**
 * How a sidecar stands to the 18-byte status: `match` (same pid and stamp); `ahead` (written
 * for a newer stamp: supervise writes status.json first, the 18 bytes follow); `stale` (older,
 * or another pid at the same stamp: a C supervise, or an older run, wrote the 18 bytes since).
 */
export function checkSidecar(sidecar: Sidecar, status: Status): 'match' | 'ahead' | 'stale' {
  const stamp = parseStamp(sidecar.stamp);
  if (stamp === null) return 'stale';
  const cmp = stamp.seconds === status.stamp.seconds ? Math.sign(stamp.nanoseconds - status.stamp.nanoseconds) : stamp.seconds > status.stamp.seconds ? 1 : -1;
  if (cmp === 0) return sidecar.pid === status.pid ? 'match' : 'stale';
  return cmp > 0 ? 'ahead' : 'stale';
}

/** What the supervisor knows, in its own units (ms since the epoch), for {@link makeSidecar}. */
export interface SidecarParts {
  readonly status: Status;
  readonly state: StateName;
  readonly ready: boolean;
  readonly readySince: number | null;
  readonly statusText: string | null;
  readonly dialect: Dialect | null;
  readonly mainPid: number | null;
  readonly errno: number | null;
  readonly normallyUp: boolean;
  readonly starts: number;
  readonly deathsTotal: number;
  readonly lastExit: { readonly code: number | null; readonly signal: string | null; readonly at: number; readonly uptimeMs: number; readonly reason: ExitReason } | null;
  readonly deaths: ReadonlyArray<{ readonly at: number; readonly code: number | null; readonly signal: string | null }>;
  readonly nextStartAt: number | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** The sidecar for the supervisor's state; pid, stamp, want and paused come from the 18-byte status. */
export function makeSidecar(p: SidecarParts): Sidecar {
  return {
    version: SIDECAR_VERSION,
    pid: p.status.pid,
    stamp: formatStamp(p.status.stamp),
    since: stampIso(p.status.stamp),
    state: p.state,
    ready: p.ready,
    readySince: p.readySince === null ? null : iso(p.readySince),
    statusText: p.statusText,
    dialect: p.dialect,
    mainPid: p.mainPid,
    errno: p.errno,
    want: p.status.want,
    paused: p.status.pid !== 0 && p.status.paused,
    normallyUp: p.normallyUp,
    starts: p.starts,
    deathsTotal: p.deathsTotal,
    lastExit: p.lastExit && {
      code: p.lastExit.code,
      signal: p.lastExit.signal,
      at: iso(p.lastExit.at),
      uptime: Math.max(0, p.lastExit.uptimeMs) / 1000,
      reason: p.lastExit.reason,
    },
    deaths: p.deaths.map((d) => ({ at: iso(d.at), code: d.code, signal: d.signal })),
    nextStartAt: p.nextStartAt === null ? null : iso(p.nextStartAt),
  };
}
