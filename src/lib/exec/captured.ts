// The process state our launcher (native/launcher.c) recorded before Node started, read back
// from DAEMONTOOLS_EXEC_STATE. Node changes signals, limits and descriptors at startup; this
// record is what a C daemontools program would have had, and what we hand on at execve.
import { processSlot } from '../../native/process-slot.js';

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

/**
 * Inside a value (record.h's RECORD_*): between the items of a list, between the parts of an
 * item (`RES:SOFT:HARD`, `FD:CLOEXEC:NONBLOCK`, `R:W`), an unlimited limit, a flag's two values.
 */
export const RECORD_SEP = { item: ',', part: ':' } as const;
export const RECORD_UNLIMITED = 'u';
export const RECORD_YES = '1';
export const RECORD_NO = '0';
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
export const FLAG_SET = RECORD_YES;

/** The record, once taken: one for the process (a lean start's copy of this module and dist/'s share it). */
const kept = processSlot('record', (): { taken: boolean; text?: string } => ({ taken: false }));

/**
 * Takes the launcher's record out of process.env (so no child ever sees it) and keeps it.
 * Called first thing at startup; later calls return the kept text.
 */
export function takeRecord(): string | undefined {
  if (!kept.taken) {
    kept.taken = true;
    kept.text = process.env[STATE_VAR];
    delete process.env[STATE_VAR];
  }
  return kept.text;
}

function numbers(list: string): number[] {
  return list === '' ? [] : list.split(RECORD_SEP.item).map(Number);
}

function limit(text: string, infinity: bigint): bigint {
  return text === RECORD_UNLIMITED ? infinity : BigInt(text);
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

/** A value that is two descriptor numbers (`d=R:W`, the bin's ends); null when it is not. */
export function descriptorPair(value: string | undefined): [number, number] | null {
  const parts = (value ?? '').split(RECORD_SEP.part);
  if (parts.length !== 2 || !parts.every((p) => /^[0-9]+$/.test(p))) return null;
  return [Number(parts[0]), Number(parts[1])];
}

/**
 * Parses the launcher's record: `1 i=1,13 m= r=0:u:u,7:1024:4096 f=0:0:0,1:0:1`
 * (fd entries are fd:cloexec:nonblock). Returns null for a missing or foreign record.
 */
export function parseCaptured(text: string | undefined, infinity: bigint): CapturedState | null {
  // Parts by index, not destructured: every chain's start runs this once, and destructuring an
  // array walks its iterator, ~0.1 M instructions more here.
  if (!text || text.split(' ', 1)[0] !== RECORD_VERSION) return null;
  const map = fieldsOf(text);
  const rlimits = new Map<number, readonly [bigint, bigint]>();
  for (const entry of (map.get(FIELD.limits) ?? '').split(RECORD_SEP.item)) {
    if (!entry) continue;
    const part = entry.split(RECORD_SEP.part);
    rlimits.set(Number(part[0]), [limit(part[1]!, infinity), limit(part[2]!, infinity)]);
  }
  const fds: CapturedFd[] = [];
  for (const entry of (map.get(FIELD.fds) ?? '').split(RECORD_SEP.item)) {
    if (!entry) continue;
    const part = entry.split(RECORD_SEP.part);
    fds.push({ fd: Number(part[0]), cloexec: part[1] === RECORD_YES, nonblock: part[2] === RECORD_YES });
  }
  return { ignored: numbers(map.get(FIELD.ignored) ?? ''), blocked: numbers(map.get(FIELD.mask) ?? ''), rlimits, fds };
}
