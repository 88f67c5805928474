/* The installed bin/ executable for every program (dt-launch). It records the process state a C
 * daemontools program would have been handed (signal dispositions and mask, every rlimit, open
 * descriptors and their flags) in DAEMONTOOLS_EXEC_STATE (record.h), relaxes the soft limits Node
 * cannot start under, and execs Node on dist/cli/launch.cjs with argv[0] as given (the program is
 * its basename). The addon restores the record right before the final execve. As multilog under
 * our svscan it first becomes the logger stub (stub.c). The gate, the pipe keeper and the group
 * leader are programs of their own (gate.c, keeper.c, group.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif
#if defined(__FreeBSD__)
#include <sys/sysctl.h>
#endif

#include "launch_env.h"
#include "record.h"
#include "stub.h"
#include "stub_protocol.h"

#ifndef NSIG
#define NSIG 65
#endif
#ifndef RLIM_NLIMITS
#define RLIM_NLIMITS 16
#endif

static char record[RECORD_MAX];
static size_t used;
/* Set where there is no /proc: not Linux, or DAEMONTOOLS_PROFILE=portable, with which this Linux
 * build takes the run-time branches a FreeBSD or macOS one takes (no logger stub, no signal shim),
 * as src/native/platform.ts does. The variable is left in the environment. */
static int portable;

void record_put(const char *s) {
  size_t n = strlen(s);
  if (used + n >= sizeof record) return;
  memcpy(record + used, s, n);
  used += n;
  record[used] = 0;
}

void record_put_num(unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  record_put(buf);
}

size_t record_length(void) { return used; }

void record_cut(size_t length) {
  if (length > used) return;
  used = length;
  record[used] = 0;
}

char *record_bytes(void) { return record; }

static void put(const char *s) { record_put(s); }
static void put_num(unsigned long long v) { record_put_num(v); }

static void put_limit(rlim_t v) {
  if (v == RLIM_INFINITY)
    put(RECORD_UNLIMITED);
  else
    put_num((unsigned long long)v);
}

static void record_signals(const sigset_t *mask) {
  struct sigaction sa;
  int first = 1;
  put(FIELD_IGNORED);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigaction(sig, NULL, &sa) == -1) continue;
    if (sa.sa_handler != SIG_IGN) continue;
    if (!first) put(RECORD_ITEM_SEP);
    put_num((unsigned long long)sig);
    first = 0;
  }
  put(FIELD_MASK);
  first = 1;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(mask, sig) != 1) continue;
    if (!first) put(RECORD_ITEM_SEP);
    put_num((unsigned long long)sig);
    first = 0;
  }
}

static void record_limits(void) {
  put(FIELD_LIMITS);
  for (int r = 0; r < RLIM_NLIMITS; r++) {
    struct rlimit rl;
    if (getrlimit(r, &rl) == -1) continue;
    if (r) put(RECORD_ITEM_SEP);
    put_num((unsigned long long)r);
    put(RECORD_PART_SEP);
    put_limit(rl.rlim_cur);
    put(RECORD_PART_SEP);
    put_limit(rl.rlim_max);
  }
}

static void record_fd(int fd, int *first) {
  int fdflags = fcntl(fd, F_GETFD);
  if (fdflags == -1) return;
  int flflags = fcntl(fd, F_GETFL);
  if (!*first) put(RECORD_ITEM_SEP);
  *first = 0;
  put_num((unsigned long long)fd);
  put(RECORD_PART_SEP);
  put((fdflags & FD_CLOEXEC) ? RECORD_YES : RECORD_NO);
  put(RECORD_PART_SEP);
  put((flflags != -1 && (flflags & O_NONBLOCK)) ? RECORD_YES : RECORD_NO);
}

/* Where Node cannot read our arguments' bytes back (no /proc/self/cmdline) it only has them
 * decoded as UTF-8: when one is not ASCII, " a=" carries argv[1..] in hex, NUL between them. */
static void record_args(int argc, char **argv) {
  static const char hex[] = "0123456789abcdef";
  int ascii = 1;
  size_t len = 0, sep = strlen(RECORD_ARG_SEP);
  for (int i = 1; i < argc; i++) {
    for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++) ascii &= *c < 0x80;
    len += 2 * strlen(argv[i]) + (i > 1 ? sep : 0);
  }
  if (ascii || used + 3 + len >= sizeof record) return; /* too long: Node's decoding it is */
  put(FIELD_ARGS);
  for (int i = 1; i < argc; i++) {
    if (i > 1) memcpy(record + used, RECORD_ARG_SEP, sep), used += sep;
    for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++) {
      record[used++] = hex[*c >> 4];
      record[used++] = hex[*c & 15];
    }
  }
  record[used] = 0;
}

#if defined(__linux__)
/* The descriptors open here, from /proc/self/fd: those below FD_BITS as a bitmap (ascending order
 * for free), and the least one above `above` that is not. Read with getdents64 into a small buffer
 * rather than opendir's 32 KB one and an int per descriptor: as the logger stub this process lives
 * on, and each page it touched once stays its own. Returns -1 without /proc. */
#define FD_BITS 4096
static int scan_fds(unsigned char *bits, int above, int *next) {
  int dir = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir == -1) return -1;
  char buf[1024];
  *next = -1;
  for (;;) {
    long n = syscall(SYS_getdents64, dir, buf, sizeof buf);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      struct linux_dirent64 {
        unsigned long long d_ino;
        long long d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
      } *e = (struct linux_dirent64 *)(buf + off);
      off += e->d_reclen;
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      int fd = atoi(e->d_name);
      if (fd == dir) continue;
      if (fd < FD_BITS) {
        if (bits) bits[fd / 8] |= (unsigned char)(1u << (fd % 8));
      } else if (fd > above && (*next == -1 || fd < *next)) {
        *next = fd;
      }
    }
  }
  close(dir);
  return 0;
}
#endif

static void record_fds(void) {
  int first = 1;
  put(FIELD_FDS);
#if defined(__linux__)
  unsigned char bits[FD_BITS / 8];
  memset(bits, 0, sizeof bits);
  int next;
  if (!portable && scan_fds(bits, FD_BITS - 1, &next) == 0) {
    for (int fd = 0; fd < FD_BITS; fd++)
      if (bits[fd / 8] & (1u << (fd % 8))) record_fd(fd, &first);
    /* Rare: descriptors past the bitmap, one scan each, in ascending order. */
    while (next != -1) {
      int fd = next;
      record_fd(fd, &first);
      if (scan_fds(NULL, fd, &next) == -1) break;
    }
    return;
  }
#endif
  struct rlimit rl;
  long max = 1024;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < max)
    max = (long)rl.rlim_cur;
  for (int fd = 0; fd < max; fd++) record_fd(fd, &first);
}

/* Node needs room to start: soft limits on memory, stack, threads and descriptors go to the hard
 * limit here, and back to the recorded values before the final execve. */
static void relax_limits(void) {
  static const int relax[] = {
    RLIMIT_AS, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_NOFILE, RLIMIT_CPU,
#ifdef RLIMIT_RSS
    RLIMIT_RSS,
#endif
#ifdef RLIMIT_NPROC
    RLIMIT_NPROC,
#endif
#ifdef RLIMIT_MEMLOCK
    RLIMIT_MEMLOCK,
#endif
  };
  for (size_t i = 0; i < sizeof relax / sizeof relax[0]; i++) {
    struct rlimit rl;
    if (getrlimit(relax[i], &rl) == -1) continue;
    rl.rlim_cur = rl.rlim_max;
    setrlimit(relax[i], &rl);
  }
}

static int self_path(const char *argv0, char *out, size_t size) {
#if defined(__linux__)
  ssize_t n = readlink("/proc/self/exe", out, size - 1);
  if (n > 0) {
    out[n] = 0;
    return 0;
  }
#elif defined(__APPLE__)
  char tmp[PATH_MAX];
  uint32_t len = sizeof tmp;
  if (_NSGetExecutablePath(tmp, &len) == 0 && realpath(tmp, out)) return 0;
#elif defined(__FreeBSD__)
  int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PATHNAME, -1};
  size_t len = size;
  if (sysctl(mib, 4, out, &len, NULL, 0) == 0) return 0;
#endif
  (void)size;
  if (strchr(argv0, '/') && realpath(argv0, out)) return 0;
  return -1;
}

static void die(const char *name, const char *what, int err) {
  fprintf(stderr, "%s: fatal: %s: %s\n", name, what, strerror(err));
  exit(111);
}

/* bin/.launch holds two lines: the node executable and the entry script (default: dist/cli/launch.cjs). */
static void read_config(const char *bindir, char *node, char *entry, size_t size) {
  char path[PATH_MAX];
  snprintf(node, size, "node");
  /* A bin/ whose path leaves no room for these names has no config to read: defaults, as absent. */
  if (snprintf(entry, size, "%s/../dist/cli/launch.cjs", bindir) >= (int)size) entry[0] = 0;
  if (snprintf(path, sizeof path, "%s/.launch", bindir) >= (int)sizeof path) return;
  FILE *f = fopen(path, "re");
  if (!f) return;
  char line[PATH_MAX];
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0]) snprintf(node, size, "%s", line);
  }
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (line[0]) snprintf(entry, size, "%s", line);
  }
  fclose(f);
}

/* The program's lean start, dist/cli/lean-NAME.cjs beside the entry (scripts/lean.cjs writes one
 * for svc, svok and svstat): run in its place when it is there. */
static void lean_entry(char *entry, size_t size, const char *name) {
  char lean[PATH_MAX];
  const char *slash = strrchr(entry, '/');
  if (!slash) return;
  int dir = (int)(slash - entry);
  if (snprintf(lean, sizeof lean, "%.*s/lean-%s.cjs", dir, entry, name) >= (int)sizeof lean) return;
  if (access(lean, R_OK) == 0) snprintf(entry, size, "%s", lean);
}

/* bin/.node-flags, written at install (scripts/install-bin.cjs, which says which programs have
 * Node flags of their own and why): a line "PROGRAM FLAG..." for each. Puts this program's flags
 * in out (at most MAX_NODE_FLAGS) and returns their number; none without the file. */
#define MAX_NODE_FLAGS 16
static int node_flags(const char *bindir, const char *name, char **out) {
  static char line[1024];
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/.node-flags", bindir) >= (int)sizeof path) return 0;
  FILE *f = fopen(path, "re");
  if (!f) return 0;
  size_t len = strlen(name);
  int k = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (strncmp(line, name, len) != 0 || line[len] != ' ') continue;
    for (char *flag = strtok(line + len + 1, " "); flag && k < MAX_NODE_FLAGS; flag = strtok(NULL, " ")) out[k++] = flag;
    break;
  }
  fclose(f);
  return k;
}

#if defined(__linux__)
/* Preloads native/sigshim.c (installed as bin/.sigshim.so) into the Node about to start, holding
 * SIGTERM and SIGALRM blocked through its start-up; an LD_PRELOAD of the program's own is kept
 * (loaded too, and put back in the environment by the shim). Returns 1 if it will hold. */
static int hold_signals(const char *bindir) {
  char shim[PATH_MAX];
  if (snprintf(shim, sizeof shim, "%s/.sigshim.so", bindir) >= (int)sizeof shim) return 0;
  if (access(shim, R_OK) == -1) return 0;
  const char *before = getenv(PRELOAD_VAR);
  static char preload[2 * PATH_MAX + 2];
  if (before && *before) {
    if (snprintf(preload, sizeof preload, "%s:%s", shim, before) >= (int)sizeof preload) return 0;
  } else {
    snprintf(preload, sizeof preload, "%s", shim);
  }
  if (before && setenv(SHIM_SAVED_PRELOAD_VAR, before, 1) == -1) return 0;
  if (setenv(PRELOAD_VAR, preload, 1) == -1 || setenv(SHIM_HOLD_VAR, "1", 1) == -1) return 0;
  return 1;
}
#endif

int main(int argc, char **argv) {
  const char *name = argc > 0 && argv[0] ? argv[0] : "daemontools";
  const char *slash = strrchr(name, '/');
  if (slash) name = slash + 1;
#if defined(__linux__)
  const char *profile = getenv(PROFILE_VAR);
  portable = profile && strcmp(profile, PROFILE_PORTABLE) == 0;
#else
  portable = 1;
#endif
  /* Set only by our own Node multilog handing itself back to a host: never passed on. It is
   * "HOST" or "HOST:" and the letters of the signals that program held blocked only for the
   * hand-over (T for SIGTERM, A for SIGALRM), so that none was lost: the record says they were
   * not blocked, and they stay pending for the stub to relay. */
  long rehost = 0;
  int unheld_term = 0, unheld_alrm = 0;
  const char *rehost_var = getenv(REHOST_VAR);
  if (rehost_var) {
    rehost = atol(rehost_var);
    const char *letters = strchr(rehost_var, REHOST_SEP);
    unheld_term = letters && strchr(letters, REHOST_TERM);
    unheld_alrm = letters && strchr(letters, REHOST_ALRM);
    unsetenv(REHOST_VAR);
  }

  int is_multilog = strcmp(name, "multilog") == 0;
  /* multilog catches TERM and ALRM from its first instruction on, as C's does: blocked here (the
   * record has the mask as it was), let through to the stub's relay, or held until Node listens
   * (native/sigshim.c). */
  sigset_t term_alrm, original;
  multilog_signals(&term_alrm);
  sigprocmask(is_multilog ? SIG_BLOCK : SIG_SETMASK, is_multilog ? &term_alrm : NULL, &original);
  if (unheld_term) sigdelset(&original, SIGTERM);
  if (unheld_alrm) sigdelset(&original, SIGALRM);

  used = 0;
  record[0] = 0;
  put(RECORD_VERSION);
  record_signals(&original);
  record_limits();
  record_fds();
  if (portable) record_args(argc, argv);
#if defined(__linux__)
  if (is_multilog && !portable) run_as_stub(rehost);
#endif

  /* Static, not on the stack: the stub lives on in this process, and a stack frame this large is
   * probed page by page on entry (stack-clash protection), each page then kept for good. */
  static char self[PATH_MAX];
  if (self_path(argc > 0 ? argv[0] : "", self, sizeof self) == -1) die(name, "unable to find own executable", errno);
  char *cut = strrchr(self, '/');
  if (cut) *cut = 0;
  static char node[PATH_MAX], entry[PATH_MAX];
  read_config(self, node, entry, sizeof node);
  lean_entry(entry, sizeof entry, name);

  sigset_t start_mask;
  sigemptyset(&start_mask);
#if defined(__linux__)
  if (is_multilog && !portable && hold_signals(self)) {
    start_mask = term_alrm;
    put(FIELD_SIGNALS_HELD);
  }
#endif
  if (setenv(RECORD_VAR, record, 1) == -1) die(name, "unable to set environment", errno);
  relax_limits();
  sigprocmask(SIG_SETMASK, &start_mask, NULL);

  char **args = calloc((size_t)argc + 4 + MAX_NODE_FLAGS, sizeof *args);
  if (!args) die(name, "out of memory", ENOMEM);
  int k = 0;
  args[k++] = node;
  k += node_flags(self, name, args + k);
  args[k++] = entry;
  /* argv[0] as given (dispatch is on its basename): our programs show it as C's would. */
  args[k++] = argc > 0 && argv[0] ? argv[0] : (char *)name;
  for (int i = 1; i < argc; i++) args[k++] = argv[i];
  args[k] = NULL;
  if (strchr(node, '/'))
    execv(node, args);
  else
    execvp(node, args);
  die(name, "unable to run node", errno);
  return 111;
}
