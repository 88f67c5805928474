// The extension files of a service directory (issue 13): readiness dialects, stop and finish
// files, the restart policy. C supervise ignores them all; where s6 has the name, s6's format and
// unit hold (servicedir.html: one unsigned number on the first line, the rest ignored).
// A malformed file is reported once and counts as absent; nothing here throws.
import { closeSync, constants as fs, fstatSync, openSync, readSync } from 'node:fs';
import { parseSignal } from './signals.js';

/** How a service says it is ready: s6's pipe on fd N, sd_notify datagrams, or Node's IPC channel. */
export type Readiness =
  | { readonly dialect: 's6'; readonly fd: number }
  | { readonly dialect: 'sd-notify' }
  | { readonly dialect: 'ipc' };

export type Dialect = Readiness['dialect'];

export interface ExtensionConfig {
  /** null: no dialect, the service is ready once it is up (C's view). */
  readonly readiness: Readiness | null;
  /** `watchdog` (seconds) in milliseconds; only with the sd-notify dialect. */
  readonly watchdogMs: number | null;
  /** `timeout-ready`: restart a service not ready this long after its start. */
  readonly readyTimeoutMs: number | null;
  /** `down-signal`: sent by svc -d / -x and our own stops instead of TERM (CONT still follows). */
  readonly downSignal: NodeJS.Signals;
  /** `timeout-kill`: KILL a service still up this long after a stop was asked; null: never. */
  readonly killTimeoutMs: number | null;
  /** `finish` is executable: run after each exit, killed after timeoutMs (null: never). */
  readonly finish: { readonly timeoutMs: number | null } | null;
  /** `backoff MIN MAX` (seconds), in milliseconds. */
  readonly backoff: { readonly minMs: number; readonly maxMs: number } | null;
  /** `permanent-failure SECONDS COUNT`: COUNT deaths within SECONDS → failed. */
  readonly permanentFailure: { readonly windowMs: number; readonly count: number } | null;
  /** `max-death-tally`: deaths remembered (s6: default 100, at most 4096). */
  readonly maxDeathTally: number;
  /** Some extension file is in force: supervise keeps supervise/status.json. */
  readonly enabled: boolean;
}

/** One problem with one file, reported as `PROG: warning: DIR/FILE: TEXT`. */
export interface ExtensionWarning {
  readonly file: ExtensionFile;
  readonly text: string;
}

export const EXTENSION_FILES = [
  'notification-fd',
  'notify-socket',
  'notify-ipc',
  'watchdog',
  'timeout-ready',
  'down-signal',
  'timeout-kill',
  'finish',
  'timeout-finish',
  'backoff',
  'permanent-failure',
  'max-death-tally',
] as const;

export type ExtensionFile = (typeof EXTENSION_FILES)[number];

/** What was found at one name: nothing, a regular file's first bytes, or something else. */
export type Found =
  | { readonly kind: 'absent' }
  | { readonly kind: 'file'; readonly bytes: Uint8Array; readonly executable: boolean }
  | { readonly kind: 'other'; readonly what: string };

export const DEFAULTS: ExtensionConfig = {
  readiness: null,
  watchdogMs: null,
  readyTimeoutMs: null,
  downSignal: 'SIGTERM',
  killTimeoutMs: null,
  finish: null,
  backoff: null,
  permanentFailure: null,
  maxDeathTally: 100,
  enabled: false,
};

export const MAX_DEATH_TALLY = 4096;
export const DEFAULT_FINISH_TIMEOUT_MS = 5000;
/** The longest a Node timer waits (2^31-1 ms, about 24.8 days); a larger number is refused. */
export const MAX_MS = 2 ** 31 - 1;
/** More than any of these files needs; the rest of a file is not read. */
const READ_MAX = 256;

export interface ParseOptions {
  /** The highest descriptor ./run may get (its RLIMIT_NOFILE soft limit - 1), for notification-fd. */
  readonly maxFd?: number;
}

type Line = { ok: true; text: string } | { ok: false };

/**
 * The configuration for the files found. Precedence when several dialects are present:
 * notification-fd, then notify-socket, then notify-ipc (s6 would use notification-fd and
 * ignore the others); the ignored ones are warned about.
 */
export function parseExtensions(found: (file: ExtensionFile) => Found, options: ParseOptions = {}): {
  config: ExtensionConfig;
  warnings: ExtensionWarning[];
} {
  const warnings: ExtensionWarning[] = [];
  const warn = (file: ExtensionFile, text: string): void => void warnings.push({ file, text });
  let enabled = false;

  /** The first line of a regular file, or why there is none. */
  const line = (file: ExtensionFile): Line | null => {
    const f = found(file);
    if (f.kind === 'absent') return null;
    if (f.kind === 'other') {
      warn(file, `ignored: not a regular file (${f.what})`);
      return { ok: false };
    }
    const bytes = Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength);
    const nl = bytes.indexOf(0x0a);
    return { ok: true, text: bytes.subarray(0, nl < 0 ? bytes.length : nl).toString('latin1') };
  };
  const uint = (file: ExtensionFile, text: string, unit: string, max = MAX_MS): number | null => {
    if (!/^[0-9]+$/.test(text)) {
      warn(file, `ignored: not an unsigned number of ${unit}: ${JSON.stringify(text)}`);
      return null;
    }
    const n = Number(text);
    if (n > max) {
      warn(file, `ignored: ${text} ${unit} is more than ${max}`);
      return null;
    }
    return n;
  };
  const number = (file: ExtensionFile, unit: string, max = MAX_MS): number | null => {
    const l = line(file);
    if (l === null || !l.ok) return null;
    return uint(file, l.text, unit, max);
  };
  const pair = (file: ExtensionFile, unit: string): [number, number] | null => {
    const l = line(file);
    if (l === null || !l.ok) return null;
    const parts = l.text.trim().split(/[ \t]+/);
    if (parts.length !== 2) {
      warn(file, `ignored: want two unsigned numbers of ${unit}: ${JSON.stringify(l.text)}`);
      return null;
    }
    const a = uint(file, parts[0]!, unit, Math.floor(MAX_MS / 1000));
    const b = a === null ? null : uint(file, parts[1]!, unit, Math.floor(MAX_MS / 1000));
    return a === null || b === null ? null : [a, b];
  };
  /** An empty file switches a feature on; content means the author meant something else. */
  const flag = (file: ExtensionFile): boolean => {
    const f = found(file);
    if (f.kind === 'absent') return false;
    if (f.kind === 'other') {
      warn(file, `ignored: not a regular file (${f.what})`);
      return false;
    }
    if (Buffer.from(f.bytes).toString('latin1').trim() !== '') {
      warn(file, 'ignored: should be empty');
      return false;
    }
    return true;
  };

  // Readiness.
  const candidates: Readiness[] = [];
  const fdLine = line('notification-fd');
  if (fdLine?.ok) {
    const fd = uint('notification-fd', fdLine.text, 'a descriptor', options.maxFd ?? MAX_MS);
    if (fd !== null && fd < 3) warn('notification-fd', `ignored: descriptor ${fd} is one of stdin, stdout, stderr (use 3 or more)`);
    else if (fd !== null) candidates.push({ dialect: 's6', fd });
  }
  if (flag('notify-socket')) candidates.push({ dialect: 'sd-notify' });
  if (flag('notify-ipc')) candidates.push({ dialect: 'ipc' });
  const readiness = candidates[0] ?? null;
  for (const extra of candidates.slice(1)) {
    warn(DIALECT_FILE[extra.dialect], `ignored: ${DIALECT_FILE[readiness!.dialect]} already chooses the ${readiness!.dialect} dialect`);
  }
  if (readiness) enabled = true;

  let watchdogMs: number | null = null;
  const watchdog = number('watchdog', 'seconds', Math.floor(MAX_MS / 1000));
  if (watchdog !== null && watchdog > 0) {
    if (readiness?.dialect !== 'sd-notify') warn('watchdog', 'ignored: a watchdog needs the sd-notify dialect (an empty notify-socket file)');
    else watchdogMs = watchdog * 1000;
  }
  let readyTimeoutMs: number | null = null;
  const readyTimeout = number('timeout-ready', 'milliseconds');
  if (readyTimeout !== null && readyTimeout > 0) {
    if (readiness === null) warn('timeout-ready', 'ignored: no readiness dialect (notification-fd, notify-socket or notify-ipc)');
    else readyTimeoutMs = readyTimeout;
  }
  if (watchdogMs !== null || readyTimeoutMs !== null) enabled = true;

  // Stopping.
  let downSignal: NodeJS.Signals = 'SIGTERM';
  const sigLine = line('down-signal');
  if (sigLine?.ok) {
    const sig = parseSignal(sigLine.text.trim());
    if (sig === null) warn('down-signal', `ignored: not a signal: ${JSON.stringify(sigLine.text)}`);
    else {
      downSignal = sig;
      enabled = true;
    }
  }
  const kill = number('timeout-kill', 'milliseconds');
  const killTimeoutMs = kill === null || kill === 0 ? null : kill;
  if (kill !== null) enabled = true;

  let finish: ExtensionConfig['finish'] = null;
  const finishFile = found('finish');
  const finishTimeout = number('timeout-finish', 'milliseconds');
  if (finishFile.kind === 'other') warn('finish', `ignored: not a regular file (${finishFile.what})`);
  else if (finishFile.kind === 'file' && !finishFile.executable) warn('finish', 'ignored: not executable');
  else if (finishFile.kind === 'file') {
    const ms = finishTimeout ?? DEFAULT_FINISH_TIMEOUT_MS;
    finish = { timeoutMs: ms === 0 ? null : ms };
    enabled = true;
  }

  // Restart policy.
  let backoff: ExtensionConfig['backoff'] = null;
  const b = pair('backoff', 'seconds');
  if (b) {
    const [min, max] = b;
    if (min === 0) warn('backoff', 'ignored: MIN must be at least 1 second');
    else if (min > max) warn('backoff', `ignored: MIN ${min} is more than MAX ${max}`);
    else backoff = { minMs: min * 1000, maxMs: max * 1000 };
  }
  let maxDeathTally = DEFAULTS.maxDeathTally;
  const tally = number('max-death-tally', 'deaths', Number.MAX_SAFE_INTEGER);
  if (tally !== null) {
    if (tally > MAX_DEATH_TALLY) warn('max-death-tally', `${tally} is more than ${MAX_DEATH_TALLY}: ${MAX_DEATH_TALLY} are kept`);
    maxDeathTally = Math.min(tally, MAX_DEATH_TALLY);
  }
  let permanentFailure: ExtensionConfig['permanentFailure'] = null;
  const p = pair('permanent-failure', 'seconds and deaths');
  if (p) {
    const [seconds, count] = p;
    if (seconds === 0 || count === 0) warn('permanent-failure', 'ignored: SECONDS and COUNT must be at least 1');
    else if (count > maxDeathTally) warn('permanent-failure', `ignored: COUNT ${count} is more than the ${maxDeathTally} deaths remembered (max-death-tally)`);
    else permanentFailure = { windowMs: seconds * 1000, count };
  }
  if (backoff || permanentFailure || tally !== null) enabled = true;

  return {
    config: { readiness, watchdogMs, readyTimeoutMs, downSignal, killTimeoutMs, finish, backoff, permanentFailure, maxDeathTally, enabled },
    warnings,
  };
}

const DIALECT_FILE: Readonly<Record<Dialect, ExtensionFile>> = { s6: 'notification-fd', 'sd-notify': 'notify-socket', ipc: 'notify-ipc' };

/** Looks at `dir/file` without following it into a FIFO's open (O_NONBLOCK) and reads its first bytes. */
export function findFile(dir: string, file: string): Found {
  const path = dir === '.' ? file : `${dir}/${file}`;
  let fd: number;
  try {
    fd = openSync(path, fs.O_RDONLY | fs.O_NONBLOCK | fs.O_NOCTTY);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' };
    return { kind: 'other', what: `unable to open: ${code ?? 'error'}` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { kind: 'other', what: st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'a special file' };
    const buf = Buffer.alloc(READ_MAX);
    const n = readSync(fd, buf, 0, READ_MAX, 0);
    return { kind: 'file', bytes: buf.subarray(0, n), executable: (st.mode & 0o111) !== 0 };
  } catch (err) {
    return { kind: 'other', what: `unable to read: ${(err as NodeJS.ErrnoException).code ?? 'error'}` };
  } finally {
    closeSync(fd);
  }
}

/** Reads and checks every extension file of the service directory at `dir` ('.' when in it). */
export function readExtensions(dir: string, options: ParseOptions = {}): { config: ExtensionConfig; warnings: ExtensionWarning[] } {
  return parseExtensions((file) => findFile(dir, file), options);
}

/** djb's wording: `supervise: warning: DIR/notification-fd: ignored: ...` */
export function formatWarning(prog: string, dir: string, w: ExtensionWarning): string {
  return `${prog}: warning: ${dir === '.' ? '' : `${dir}/`}${w.file}: ${w.text}\n`;
}
