/* The pipe keeper, installed as dt-keeper (argv: daemontools-keeper DIR SVSCAN-PID [FD FILE ARGV0
 * ARG...]). svscan holds both ends of every log pipe; this process holds a copy of each read end
 * and does nothing else, so that while svscan is dead and a logger is between two processes, a
 * service's writes wait in its pipe instead of meeting SIGPIPE. The next svscan takes the pipes
 * back from the services and loggers, then ends it (src/lib/scan/keeper.ts). Its arguments are
 * for ps and for that svscan to find it by, and, when svscan gives more, what to do at svscan's
 * death: FD is svscan's log host socket (listening; a copy is held here, so the stubs that lose
 * their host can connect to it again), and FILE ARGV0 ARG... the orphan host to start then, which
 * gets that socket (and the read ends); this copy is let go, so that if the orphan host does not
 * come (or goes) the stubs waiting on it learn it and run alone (src/lib/loghost/orphans.ts). */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

static volatile sig_atomic_t orphaned;

static void on_parent_death(int sig) {
  (void)sig;
  orphaned = 1;
}

int main(int argc, char **argv) {
#if defined(__linux__)
  if (argc >= 6) {
    int host = atoi(argv[3]);
    sigset_t hup, old;
    sigemptyset(&hup);
    sigaddset(&hup, SIGHUP);
    sigprocmask(SIG_BLOCK, &hup, &old);
    struct sigaction sa = {0};
    sa.sa_handler = on_parent_death;
    sigaction(SIGHUP, &sa, NULL);
    prctl(PR_SET_PDEATHSIG, SIGHUP);
    if ((long)getppid() != atol(argv[2])) orphaned = 1; /* gone before we asked */
    while (!orphaned) sigsuspend(&old);
    /* The handler stays: each of svscan's threads that dies hands us on, and each time the kernel
     * sends the signal again. */
    pid_t child = fork();
    if (child == 0) {
      sigprocmask(SIG_SETMASK, &old, NULL);
      execv(argv[4], argv + 5);
      _exit(111);
    }
    /* Nobody waits for it: it is reaped by the kernel (set after the fork, so it does not inherit
     * an ignored SIGCHLD). */
    sa.sa_handler = SIG_IGN;
    sigaction(SIGCHLD, &sa, NULL);
    close(host);
    sigprocmask(SIG_SETMASK, &old, NULL);
  }
#else
  (void)argc;
  (void)argv;
#endif
  for (;;) pause();
}
