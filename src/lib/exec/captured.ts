// The process state our launcher (native/launcher.c) recorded before Node started, read back
// from DAEMONTOOLS_EXEC_STATE. Node changes signals, limits and descriptors at startup; this
// record is what a C daemontools program would have had, and what we hand on at execve.

export const STATE_VAR = 'DAEMONTOOLS_EXEC_STATE';

export interface CapturedFd {
  readonly fd: number;
  readonly cloexec: boolean;
  readonly nonblock: boolean;
}

export interface CapturedState {
  /** Signals the parent left ignored. */
  readonly ignored: readonly number[];
  /** The signal mask we were started with. */
  readonly blocked: readonly number[];
  /** Every resource limit: resource number -> [soft, hard]. */
  readonly rlimits: ReadonlyMap<number, readonly [bigint, bigint]>;
  /** Descriptors open at startup, with their flags. */
  readonly fds: readonly CapturedFd[];
}

const INFINITY = 'u';
/** The record's version, its first field. */
export const RECORD_VERSION = '1';

/**
 * The record's field names (native/record.h is the C side): the process state, then what the
 * launcher and the logger stub add. `s=1` a logger stub that lost its host, `h=FD` the line head
 * it held, `H=1` signals held through start-up, `a=HEX` the arguments' bytes (no /proc), and in
 * the record a stub sends its host, `p=FD` its ledger and `d=R:W` its bin.
 */
export const FIELD = {
  ignored: 'i',
  mask: 'm',
  limits: 'r',
  fds: 'f',
  args: 'a',
  ledger: 'p',
  bin: 'd',
  held: 'h',
  hostless: 's',
  signalsHeld: 'H',
} as const;
export type FieldName = (typeof FIELD)[keyof typeof FIELD];
/** The value of a flag field that is set (`s=1`, `H=1`). */
export const FLAG_SET = '1';

let record: string | undefined;
let taken = false;

/**
 * Takes the launcher's record out of process.env (so no child ever sees it) and keeps it.
 * Called first thing at startup; later calls return the kept text.
 */
export function takeRecord(): string | undefined {
  if (!taken) {
    taken = true;
    record = process.env[STATE_VAR];
    delete process.env[STATE_VAR];
  }
  return record;
}

function numbers(list: string): number[] {
  return list === '' ? [] : list.split(',').map(Number);
}

function limit(text: string, infinity: bigint): bigint {
  return text === INFINITY ? infinity : BigInt(text);
}

/** The record's `name=value` fields (version `1` first); an empty map for a missing or foreign one. */
function fieldsOf(text: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  const fields = (text ?? '').split(' ');
  if (fields[0] !== RECORD_VERSION) return map;
  for (const f of fields.slice(1)) {
    const eq = f.indexOf('=');
    if (eq > 0) map.set(f.slice(0, eq), f.slice(eq + 1));
  }
  return map;
}

/** One field of a launcher record (FIELD names them). */
export function recordField(text: string | undefined, name: FieldName | (string & {})): string | undefined {
  return fieldsOf(text).get(name);
}

/**
 * Parses the launcher's record: `1 i=1,13 m= r=0:u:u,7:1024:4096 f=0:0:0,1:0:1`
 * (fd entries are fd:cloexec:nonblock). Returns null for a missing or foreign record.
 */
export function parseCaptured(text: string | undefined, infinity: bigint): CapturedState | null {
  if (!text || text.split(' ', 1)[0] !== RECORD_VERSION) return null;
  const map = fieldsOf(text);
  const rlimits = new Map<number, readonly [bigint, bigint]>();
  for (const entry of (map.get(FIELD.limits) ?? '').split(',')) {
    if (!entry) continue;
    const [res, cur, max] = entry.split(':');
    rlimits.set(Number(res), [limit(cur!, infinity), limit(max!, infinity)]);
  }
  const fds: CapturedFd[] = [];
  for (const entry of (map.get(FIELD.fds) ?? '').split(',')) {
    if (!entry) continue;
    const [fd, cloexec, nonblock] = entry.split(':').map(Number);
    fds.push({ fd: fd!, cloexec: cloexec === 1, nonblock: nonblock === 1 });
  }
  return { ignored: numbers(map.get(FIELD.ignored) ?? ''), blocked: numbers(map.get(FIELD.mask) ?? ''), rlimits, fds };
}
