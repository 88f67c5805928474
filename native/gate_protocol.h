/* The start gate's protocol, for C (native/gate.c; src/lib/supervise/gate-protocol.ts is the
 * TypeScript side, test/native/wire.test.ts proves the two agree). The gate is started as
 * "daemontools-gate GATE REPORT FILE ARGV...": GATE and REPORT are descriptor numbers. The
 * supervisor opens the gate with one byte on GATE; the gate reports a failed execve of FILE as its
 * errno, an int in the machine's byte order, on REPORT, and a successful one by REPORT's closing
 * (it is close-on-exec). */
#ifndef DAEMONTOOLS_GATE_PROTOCOL_H
#define DAEMONTOOLS_GATE_PROTOCOL_H

/* argv[0], what ps shows. */
#define GATE_NAME "daemontools-gate"
/* The positions of the arguments. */
#define GATE_ARG_GATE 1
#define GATE_ARG_REPORT 2
#define GATE_ARG_FILE 3
#define GATE_ARG_ARGV 4
/* The one byte that opens the gate. */
#define GATE_OPEN 'g'
/* The report of a failed execve: its errno as an int. */
#define GATE_REPORT_LEN sizeof(int)

#endif
