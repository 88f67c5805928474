/* The start gate, installed as dt-gate (argv: daemontools-gate GATE REPORT FILE ARGV...). A
 * supervisor spawns ./run through here (src/lib/supervise/gate.ts), in a process that already has
 * ./run's final state, and writes its record of the new pid (supervise/owner) before it lets the
 * gate open with one byte 'g' on GATE. A supervisor that dies first closes GATE unopened: nothing
 * starts, so its successor never finds ./run running without a record and starts a second copy.
 * REPORT gets execve's errno if FILE cannot be run; it is close-on-exec, so a successful exec
 * reports by closing it. Nothing else is touched. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* The one byte that opens the gate (src/lib/supervise/gate.ts writes it). */
#define GATE_OPEN 'g'

extern char **environ;

int main(int argc, char **argv) {
  if (argc < 5) _exit(111);
  int gate = atoi(argv[1]);
  int report = atoi(argv[2]);
  char go = 0;
  ssize_t r;
  do {
    r = read(gate, &go, 1);
  } while (r == -1 && errno == EINTR);
  close(gate);
  if (r != 1 || go != GATE_OPEN) _exit(111);
  fcntl(report, F_SETFD, FD_CLOEXEC);
  execve(argv[3], argv + 4, environ);
  int err = errno;
  while (write(report, &err, sizeof err) == -1 && errno == EINTR) {
  }
  _exit(111);
}
