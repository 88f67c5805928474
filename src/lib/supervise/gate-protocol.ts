// The start gate's protocol, for TypeScript (native/gate_protocol.h is the C side,
// test/native/wire.test.ts proves the two agree): the gate (native/gate.c) is started as
// `daemontools-gate GATE REPORT FILE ARGV...`, opened with one byte on GATE, and reports a failed
// execve of FILE as its errno (an int in the machine's byte order) on REPORT, a successful one by
// REPORT's closing.
import { endianness } from 'node:os';

/** argv[0] of the gate, what ps shows. */
export const GATE_NAME = 'daemontools-gate';
/** The one byte that opens the gate. */
export const GATE_OPEN = 0x67; // 'g'
/** The length of the gate's report: a C int. */
export const GATE_REPORT_LEN = 4;

/** The gate's argv: GATE and REPORT are descriptor numbers, then the program and its argv. */
export const gateArgv = (gate: number, report: number, file: string, argv: readonly string[]): string[] => [
  GATE_NAME,
  String(gate),
  String(report),
  file,
  ...argv,
];

/** The message that opens the gate. */
export const openMessage = (): Buffer => Buffer.from([GATE_OPEN]);

/** The errno a whole report carries. */
export const decodeReport = (report: Buffer): number =>
  endianness() === 'LE' ? report.readInt32LE(0) : report.readInt32BE(0);
