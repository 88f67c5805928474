/* The logger stub (stub.c), which the launcher becomes as a multilog on Linux. */
#ifndef DAEMONTOOLS_STUB_H
#define DAEMONTOOLS_STUB_H

#include <signal.h>

/* The signals multilog catches: SIGTERM and SIGALRM. */
void multilog_signals(sigset_t *set);

/* Hands the engine to the host and relays to it; returns only when there is no host, or it went
 * away: then the launcher starts Node as usual, with what this added to the record. */
void run_as_stub(long rehost);

#endif
