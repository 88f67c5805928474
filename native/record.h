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
/* Inside a value: between the items of a list, between the parts of an item, an unlimited
 * limit, a flag's two values (in FD:CLOEXEC:NONBLOCK), and (hex) the NUL between two arguments. */
#define RECORD_ITEM_SEP ","
#define RECORD_PART_SEP ":"
#define RECORD_UNLIMITED "u"
#define RECORD_YES "1"
#define RECORD_NO "0"
#define RECORD_ARG_SEP "00"

/* The record being built (launcher.c keeps it): at most RECORD_MAX - 1 bytes, what does not fit
 * is left out. */
#define RECORD_MAX 65536
#include <stddef.h>
void record_put(const char *s);
void record_put_num(unsigned long long v);
/* Its length, to cut it back to with record_cut (what one reader is to see, another not). */
size_t record_length(void);
void record_cut(size_t length);
/* Its bytes; one more byte after them is the buffer's (NUL). */
char *record_bytes(void);

#endif
