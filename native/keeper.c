/* The pipe keeper, installed as dt-keeper (argv: daemontools-keeper DIR SVSCAN-PID). svscan holds
 * both ends of every log pipe; this process holds a copy of each read end and does nothing else,
 * so that while svscan is dead and a logger is between two processes, a service's writes wait in
 * its pipe instead of meeting SIGPIPE. The next svscan takes the pipes back from the services and
 * loggers, then ends it (src/lib/scan/keeper.ts). Its arguments are only for ps and for that
 * svscan to find it by. */
#include <unistd.h>

int main(void) {
  for (;;) pause();
}
