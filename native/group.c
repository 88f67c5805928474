/* The services' process group, installed as dt-group (argv: daemontools-group). svscan, when it
 * takes SIGINT and SIGTERM as the order to bring its services down (src/lib/scan/group.ts), starts
 * them in this process's group rather than in its own, which is the terminal's foreground group: a
 * Ctrl-C then reaches svscan alone, which stops the services first and their loggers last. This
 * process leads the group (a group of none but services would end with them, and they must not
 * lead one: setsid fails for a group leader) and does nothing else; it ends when its stdin, a pipe
 * only svscan holds the other end of, reaches end of file. */
#include <errno.h>
#include <unistd.h>

int main(void) {
  char c;
  ssize_t r;
  do {
    r = read(0, &c, 1);
  } while (r != 0 && (r == 1 || errno == EINTR));
  _exit(0);
}
