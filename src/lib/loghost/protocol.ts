// The logger stub's wire formats, in one place for TypeScript (native/stub_protocol.h is the C
// side, test/native/wire.test.ts proves the two agree): the bytes the stub (native/stub.c) and
// its host (server.ts) exchange, the hand-back asked of a logger that ran alone (rehost.ts), and
// the ledger the host keeps in the stub's memory file (multilog/ledger.ts, which multilog/peek.ts
// writes and the stub reads once the host is gone).

/** The host's listening socket (abstract): a stub connects to its parent's. */
export const hostSocket = (pid: number): string => `\0daemontools-host/${pid}`;
/** Where a logger whose host died waits to be asked back (abstract). */
export const loggerSocket = (pid: number): string => `\0daemontools-logger/${pid}`;
/** The name the stub gives its ledger's memfd. */
export const LEDGER_NAME = 'daemontools-ledger';
/** The stub's record buffer: a longer first line is no record of ours. */
export const MAX_RECORD = 65536;
/** Ends the record, the stub's first message. */
export const RECORD_END = 0x0a;

/** One byte each, stub to host, after the record. */
export const STUB = {
  /** SIGALRM came: rotate. */
  alarm: 0x41, // 'A'
  /** SIGTERM came: finish the line in hand, then exit. */
  term: 0x54, // 'T'
  /** SIGCONT came: look again whether the stub is stopped. */
  continued: 0x43, // 'C'
} as const;

/** Two bytes each, host to stub. */
export const HOST = {
  /** `exit, code`: the engine ended; the stub exits with code. */
  exit: 0x58, // 'X'
  /** `refuse, 0`: not hosted; the stub runs as an ordinary multilog. */
  refuse: 0x46, // 'F'
  /** `move, count, digits...`: go to the host whose pid the count of decimal digits spell. */
  move: 0x4d, // 'M'
} as const;

export const exitMessage = (code: number): Buffer => Buffer.from([HOST.exit, code & 0xff]);
export const refuseMessage = (): Buffer => Buffer.from([HOST.refuse, 0]);
export const moveMessage = (host: number): Buffer => Buffer.concat([Buffer.from([HOST.move, String(host).length]), Buffer.from(String(host), 'latin1')]);

/** An adopting host to a logger that ran alone: hand your input back (loggerSocket). */
export const HAND_BACK = 0x48; // 'H'

/**
 * DAEMONTOOLS_REHOST=HOST:LETTERS, set by a logger execing the launcher to become a stub of HOST:
 * the signals it held blocked only for the hand-over, by these letters.
 */
export const REHOST_VAR = 'DAEMONTOOLS_REHOST';
export const REHOST_SEP = ':';
export const REHOST_LETTER = { SIGTERM: 'T', SIGALRM: 'A' } as const;
export const rehostValue = (host: number, letters: readonly string[]): string => `${host}${REHOST_SEP}${letters.join('')}`;

export { decodeLedger, encodeLedger, type Ledger, type LedgerFile } from '../multilog/ledger.js';
