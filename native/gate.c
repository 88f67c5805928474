/* The start gate, installed as dt-gate (argv: daemontools-gate GATE REPORT FILE ARGV...). A
 * supervisor spawns ./run through here (src/lib/supervise/gate.ts), in a process that already has
 * ./run's final state, and writes its record of the new pid (supervise/owner) before it lets the
 * gate open with one byte on GATE. A supervisor that dies first closes GATE unopened: nothing
 * starts, so its successor never finds ./run running without a record and starts a second copy.
 * REPORT gets execve's errno if FILE cannot be run; it is close-on-exec, so a successful exec
 * reports by closing it. Nothing else is touched. The bytes and arguments are gate_protocol.h's. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "gate_protocol.h"

extern char **environ;

int main(int argc, char **argv) {
  if (argc <= GATE_ARG_ARGV) _exit(111);
  int gate = atoi(argv[GATE_ARG_GATE]);
  int report = atoi(argv[GATE_ARG_REPORT]);
  char go = 0;
  ssize_t r;
  do {
    r = read(gate, &go, 1);
  } while (r == -1 && errno == EINTR);
  close(gate);
  if (r != 1 || go != GATE_OPEN) _exit(111);
  fcntl(report, F_SETFD, FD_CLOEXEC);
  execve(argv[GATE_ARG_FILE], argv + GATE_ARG_ARGV, environ);
  int err = errno;
  while (write(report, &err, GATE_REPORT_LEN) == -1 && errno == EINTR) {
  }
  _exit(111);
}
