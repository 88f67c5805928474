/* Holding SIGTERM and SIGALRM through Node's start-up, for a standalone multilog. C multilog
 * catches both before it reads anything; Node clears the signal mask of its main thread and sets
 * every disposition back to default while it boots, so a TERM in the first tens of milliseconds
 * would kill it. The launcher blocks both, and preloads this library (LD_PRELOAD) with
 * DAEMONTOOLS_HOLD_SIGNALS set: while holding, any change of a signal mask keeps TERM and ALRM
 * blocked. Once JavaScript listens for them, daemontools_release_signals() (called through the
 * addon) ends the hold and the main thread unblocks them: one that came meanwhile is delivered
 * then, to Node's handler. The constructor takes both variables out of the environment (and puts
 * back an LD_PRELOAD the program had, from DAEMONTOOLS_LD_PRELOAD), so nothing below sees them.
 *
 * No libc (built -nostdlib -ffreestanding, no system header included; launch_env.h names the
 * variables): an object linked against one C
 * library is refused or silently ignored by the other's loader, and one prebuild serves glibc and
 * musl systems alike. The mask changes are rt_sigprocmask(2) made directly; the only names taken
 * from the process are environ and __errno_location, which every Linux libc defines, and
 * gnu_get_libc_version, which only glibc does (each libc hides its own internal signals its own
 * way, and this reproduces whichever is loaded). */
#if !defined(__linux__)
#error "sigshim is preloaded on Linux only"
#endif

#if !defined(__x86_64__) && !defined(__aarch64__)
#include <asm/unistd.h> /* a kernel header: the system call's number */
#endif

#include "launch_env.h"

/* The kernel's sigset: 64 signals, 8 bytes, read from the start of a libc's sigset_t. */
typedef unsigned long long __attribute__((may_alias)) mask_t;
#define SIG_BIT(n) (1ULL << ((n) - 1))
#define HOW_BLOCK 0
#define HOW_UNBLOCK 1
#define HOW_SETMASK 2
#define SIGNAL_ALRM 14
#define SIGNAL_TERM 15
#define HELD (SIG_BIT(SIGNAL_TERM) | SIG_BIT(SIGNAL_ALRM))
/* glibc never lets a program block SIGCANCEL and SIGSETXID (32, 33); musl never reports its
 * three (32-34) as blocked. */
#define GLIBC_INTERNAL (SIG_BIT(32) | SIG_BIT(33))
#define MUSL_INTERNAL (SIG_BIT(32) | SIG_BIT(33) | SIG_BIT(34))

extern char **environ __attribute__((weak));
extern int *__errno_location(void) __attribute__((weak));
extern const char *gnu_get_libc_version(void) __attribute__((weak));

/* rt_sigprocmask(how, set, old, 8): 0 or -errno. */
static long sys_sigprocmask(long how, const mask_t *set, mask_t *old) {
#if defined(__x86_64__)
  register long r10 __asm__("r10") = sizeof(mask_t);
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(14L), "D"(how), "S"(set), "d"(old), "r"(r10) : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 __asm__("x8") = 135;
  register long x0 __asm__("x0") = how;
  register long x1 __asm__("x1") = (long)set;
  register long x2 __asm__("x2") = (long)old;
  register long x3 __asm__("x3") = sizeof(mask_t);
  __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#else
  /* Elsewhere, libc's syscall(2), found at load time. */
  extern long syscall(long, ...);
  long r = syscall(__NR_rt_sigprocmask, how, set, old, sizeof(mask_t));
  return r == -1 ? -*__errno_location() : r;
#endif
}

static volatile int holding;

/* "NAME=value" -> value, if entry is NAME's. */
static char *value_of(char *entry, const char *name) {
  while (*name && *entry == *name) entry++, name++;
  return *name == 0 && *entry == '=' ? entry + 1 : 0;
}

__attribute__((constructor)) static void start_holding(void) {
  char **env = &environ ? environ : 0;
  if (!env) return;
  char *before = 0;
  int hold = 0;
  for (char **e = env; *e; e++) {
    if (value_of(*e, SHIM_HOLD_VAR)) hold = 1;
    /* "DAEMONTOOLS_LD_PRELOAD=x" ends in "LD_PRELOAD=x": that tail is the entry to put back. */
    if (value_of(*e, SHIM_SAVED_PRELOAD_VAR)) before = *e + sizeof SHIM_SAVED_PREFIX - 1;
  }
  if (!hold) return;
  holding = 1;
  /* In place, as unsetenv and setenv would: the shim's LD_PRELOAD becomes the program's own (or
   * goes), both variables go. */
  char **out = env;
  for (char **e = env; *e; e++) {
    if (value_of(*e, SHIM_HOLD_VAR) || value_of(*e, SHIM_SAVED_PRELOAD_VAR)) continue;
    if (value_of(*e, PRELOAD_VAR)) {
      if (!before) continue;
      *out++ = before;
      before = 0;
      continue;
    }
    *out++ = *e;
  }
  if (before) *out++ = before; /* room: at least DAEMONTOOLS_HOLD_SIGNALS went */
  *out = 0;
}

/* The mask change a libc would make, with TERM and ALRM kept blocked while holding: 0 or -errno. */
static long change_mask(int how, const void *set, void *old) {
  int glibc = gnu_get_libc_version != 0;
  mask_t copy;
  const mask_t *given = 0;
  if (set) {
    copy = *(const mask_t *)set;
    if (glibc) copy &= ~GLIBC_INTERNAL;
    if (holding && how == HOW_SETMASK) copy |= HELD;
    if (holding && how == HOW_UNBLOCK) copy &= ~HELD;
    given = &copy;
  }
  long r = sys_sigprocmask(how, given, old);
  if (r == 0 && old && !glibc) *(mask_t *)old &= ~MUSL_INTERNAL;
  return r;
}

int pthread_sigmask(int how, const void *set, void *old) {
  return (int)-change_mask(how, set, old);
}

int sigprocmask(int how, const void *set, void *old) {
  long r = change_mask(how, set, old);
  if (r == 0) return 0;
  if (__errno_location) *__errno_location() = (int)-r;
  return -1;
}

/* Ends the hold and unblocks TERM and ALRM in the calling (main) thread. Returns 1 if it held. */
int daemontools_release_signals(void) {
  int was = holding;
  holding = 0;
  if (was) {
    mask_t both = HELD;
    sys_sigprocmask(HOW_UNBLOCK, &both, 0);
  }
  return was;
}
