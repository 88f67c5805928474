/* Holding SIGTERM and SIGALRM through Node's start-up, for a standalone multilog. C multilog
 * catches both before it reads anything; Node clears the signal mask of its main thread and sets
 * every disposition back to default while it boots, so a TERM in the first tens of milliseconds
 * would kill it. The launcher blocks both, and preloads this library (LD_PRELOAD) with
 * DAEMONTOOLS_HOLD_SIGNALS set: while holding, any change of a signal mask keeps TERM and ALRM
 * blocked. Once JavaScript listens for them, daemontools_release_signals() (called through the
 * addon) ends the hold and the main thread unblocks them: one that came meanwhile is delivered
 * then, to Node's handler. The constructor takes both variables out of the environment (and puts
 * back an LD_PRELOAD the program had, from DAEMONTOOLS_LD_PRELOAD), so nothing below sees them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

static volatile int holding;

__attribute__((constructor)) static void start_holding(void) {
  if (!getenv("DAEMONTOOLS_HOLD_SIGNALS")) return;
  holding = 1;
  unsetenv("DAEMONTOOLS_HOLD_SIGNALS");
  const char *before = getenv("DAEMONTOOLS_LD_PRELOAD");
  if (before) {
    setenv("LD_PRELOAD", before, 1);
    unsetenv("DAEMONTOOLS_LD_PRELOAD");
  } else {
    unsetenv("LD_PRELOAD");
  }
}

static const sigset_t *held_set(int how, const sigset_t *set, sigset_t *copy) {
  if (!holding || !set) return set;
  *copy = *set;
  if (how == SIG_SETMASK) {
    sigaddset(copy, SIGTERM);
    sigaddset(copy, SIGALRM);
  } else if (how == SIG_UNBLOCK) {
    sigdelset(copy, SIGTERM);
    sigdelset(copy, SIGALRM);
  }
  return copy;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old) {
  static int (*real)(int, const sigset_t *, sigset_t *);
  if (!real) real = (int (*)(int, const sigset_t *, sigset_t *))dlsym(RTLD_NEXT, "pthread_sigmask");
  sigset_t copy;
  return real(how, held_set(how, set, &copy), old);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old) {
  static int (*real)(int, const sigset_t *, sigset_t *);
  if (!real) real = (int (*)(int, const sigset_t *, sigset_t *))dlsym(RTLD_NEXT, "sigprocmask");
  sigset_t copy;
  return real(how, held_set(how, set, &copy), old);
}

/* Ends the hold and unblocks TERM and ALRM in the calling (main) thread. Returns 1 if it held. */
int daemontools_release_signals(void) {
  int was = holding;
  holding = 0;
  if (was) {
    sigset_t both;
    sigemptyset(&both);
    sigaddset(&both, SIGTERM);
    sigaddset(&both, SIGALRM);
    pthread_sigmask(SIG_UNBLOCK, &both, NULL);
  }
  return was;
}
