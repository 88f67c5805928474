/* The launcher's record (DAEMONTOOLS_EXEC_STATE), its field names for C: what the launcher
 * (launcher.c) records before Node starts and what the logger stub (stub.c) adds.
 * src/lib/exec/captured.ts reads it (FIELD there names the same fields); test/native/wire.test.ts
 * proves the two agree. */
#ifndef DAEMONTOOLS_RECORD_H
#define DAEMONTOOLS_RECORD_H

#define RECORD_VAR "DAEMONTOOLS_EXEC_STATE"
#define RECORD_VERSION "1"
/* Each field is " NAME=VALUE". The process state: */
#define FIELD_IGNORED " i="  /* ignored signals, by number: 1,13 */
#define FIELD_MASK " m="     /* blocked signals */
#define FIELD_LIMITS " r="   /* RES:SOFT:HARD, u for unlimited */
#define FIELD_FDS " f="      /* FD:CLOEXEC:NONBLOCK */
#define FIELD_ARGS " a="     /* argv[1..] in hex, 00 between them (no /proc to read them from) */
/* What the logger stub adds: */
#define FIELD_LEDGER " p="   /* to the host: the ledger's descriptor */
#define FIELD_BIN " d="      /* to the host: the bin's R:W */
#define FIELD_HELD " h="     /* the host died: the descriptor of the line head it held */
#define FIELD_HOSTLESS " s=1" /* had a host and lost it */
#define FIELD_SIGNALS_HELD " H=1" /* TERM and ALRM held blocked through Node's start-up */

#endif
