/* The installed bin/ executable for every program. It records the process state a C daemontools
 * program would have been handed (signal dispositions and mask, every rlimit, open descriptors and
 * their flags) in DAEMONTOOLS_EXEC_STATE, relaxes the soft limits Node cannot start under, and
 * execs Node on dist/cli/main.js with the program's name. The addon restores the record right
 * before the final execve. The program's name is the basename of argv[0]. */
#define _GNU_SOURCE
#include <dirent.h>
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
#if defined(__APPLE__)
#include <mach-o/dyld.h>
#endif
#if defined(__linux__)
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#endif
#if defined(__FreeBSD__)
#include <sys/sysctl.h>
#endif

#include "record.h"
#include "stub_protocol.h"

#ifndef NSIG
#define NSIG 65
#endif
#ifndef RLIM_NLIMITS
#define RLIM_NLIMITS 16
#endif

static char record[65536];
static size_t used;
/* Set where there is no /proc: not Linux, or DAEMONTOOLS_PROFILE=portable, with which this Linux
 * build takes the run-time branches a FreeBSD or macOS one takes (no logger stub, no signal shim),
 * as src/native/platform.ts does. The variable is left in the environment. */
static int portable;

static void put(const char *s) {
  size_t n = strlen(s);
  if (used + n >= sizeof record) return;
  memcpy(record + used, s, n);
  used += n;
  record[used] = 0;
}

static void put_num(unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  put(buf);
}

static void put_limit(rlim_t v) {
  if (v == RLIM_INFINITY)
    put("u");
  else
    put_num((unsigned long long)v);
}

/* The signals multilog catches: SIGTERM and SIGALRM. */
static void multilog_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGALRM);
}

static void record_signals(const sigset_t *mask) {
  struct sigaction sa;
  int first = 1;
  put(FIELD_IGNORED);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigaction(sig, NULL, &sa) == -1) continue;
    if (sa.sa_handler != SIG_IGN) continue;
    if (!first) put(",");
    put_num((unsigned long long)sig);
    first = 0;
  }
  put(FIELD_MASK);
  first = 1;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sigismember(mask, sig) != 1) continue;
    if (!first) put(",");
    put_num((unsigned long long)sig);
    first = 0;
  }
}

static void record_limits(void) {
  put(FIELD_LIMITS);
  for (int r = 0; r < RLIM_NLIMITS; r++) {
    struct rlimit rl;
    if (getrlimit(r, &rl) == -1) continue;
    if (r) put(",");
    put_num((unsigned long long)r);
    put(":");
    put_limit(rl.rlim_cur);
    put(":");
    put_limit(rl.rlim_max);
  }
}

static void record_fd(int fd, int *first) {
  int fdflags = fcntl(fd, F_GETFD);
  if (fdflags == -1) return;
  int flflags = fcntl(fd, F_GETFL);
  if (!*first) put(",");
  *first = 0;
  put_num((unsigned long long)fd);
  put((fdflags & FD_CLOEXEC) ? ":1" : ":0");
  put((flflags != -1 && (flflags & O_NONBLOCK)) ? ":1" : ":0");
}

/* Where Node cannot read our arguments' bytes back (no /proc/self/cmdline) it only has them
 * decoded as UTF-8: when one is not ASCII, " a=" carries argv[1..] in hex, NUL between them. */
static void record_args(int argc, char **argv) {
  static const char hex[] = "0123456789abcdef";
  int ascii = 1;
  size_t len = 0;
  for (int i = 1; i < argc; i++) {
    for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++) ascii &= *c < 0x80;
    len += 2 * strlen(argv[i]) + (i > 1 ? 2 : 0);
  }
  if (ascii || used + 3 + len >= sizeof record) return; /* too long: Node's decoding it is */
  put(FIELD_ARGS);
  for (int i = 1; i < argc; i++) {
    if (i > 1) record[used++] = '0', record[used++] = '0';
    for (const unsigned char *c = (const unsigned char *)argv[i]; *c; c++) {
      record[used++] = hex[*c >> 4];
      record[used++] = hex[*c & 15];
    }
  }
  record[used] = 0;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void record_fds(void) {
  int first = 1;
  put(FIELD_FDS);
  DIR *d = portable ? NULL : opendir("/proc/self/fd");
  if (d) {
    int self = dirfd(d);
    int fds[4096];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 4096) {
      if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
      int fd = atoi(e->d_name);
      if (fd != self) fds[n++] = fd;
    }
    closedir(d);
    qsort(fds, n, sizeof fds[0], cmp_int);
    for (int i = 0; i < n; i++) record_fd(fds[i], &first);
    return;
  }
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

/* bin/.launch holds two lines: the node executable and the entry script (default: dist/cli/launch.js). */
static void read_config(const char *bindir, char *node, char *entry, size_t size) {
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/.launch", bindir);
  snprintf(node, size, "node");
  snprintf(entry, size, "%s/../dist/cli/launch.js", bindir);
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

#if defined(__linux__)
/* The logger stub. Under our svscan a multilog keeps its process (pid, credentials, cwd, stdin,
 * stderr) but its engine runs in svscan's event loop: this process connects to the host (its
 * parent, at the abstract socket daemontools-host/<ppid>), sends the recorded state, and from then
 * on only relays SIGALRM ('A') and SIGTERM ('T') and exits with the code the host sends ('X' code).
 * It also says when it is continued ('C'): the host reads nothing while we are stopped (svc -p, a
 * SIGSTOP from anyone), as a stopped C multilog reads nothing, and a stop cannot report itself.
 * The host reads our stdin and writes our files as us (see src/lib/loghost/). If the host goes
 * away, this process becomes an ordinary Node multilog: same pid, same descriptors. */
static volatile int host_fd = -1;
/* For the Node multilog we become if the host goes away before it sent our exit code: a TERM
 * (relayed or not, it was not carried out) and an ALRM the relay could not pass on. */
static volatile sig_atomic_t got_term, unrelayed_alrm;

static void relay(int sig) {
  char c = sig == SIGALRM ? STUB_ALARM : sig == SIGCONT ? STUB_CONTINUED : STUB_TERM;
  int saved = errno;
  ssize_t w;
  do {
    w = send(host_fd, &c, 1, MSG_NOSIGNAL);
  } while (w == -1 && errno == EINTR);
  if (sig == SIGTERM)
    got_term = 1;
  else if (sig == SIGALRM && w != 1)
    unrelayed_alrm = 1;
  errno = saved;
}

static int host_connect(long host) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s == -1) return -1;
  /* Keep descriptors 0-63 as the program's: a closed stdin must stay closed. */
  int high = fcntl(s, F_DUPFD_CLOEXEC, 64);
  close(s);
  if (high == -1) return -1;
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, STUB_HOST_SOCKET, host);
  /* Node binds abstract names either to their exact length or padded with NULs to the whole
   * sun_path, depending on its libuv: try both. */
  socklen_t exact = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  if (connect(high, (struct sockaddr *)&a, exact) == 0 || connect(high, (struct sockaddr *)&a, (socklen_t)sizeof a) == 0) {
    /* Anyone may bind an abstract name: the host is only the process it names, running as root
     * or as us. */
    struct ucred peer;
    socklen_t len = sizeof peer;
    if (getsockopt(high, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && (long)peer.pid == host &&
        (peer.uid == 0 || peer.uid == geteuid()))
      return high;
  }
  close(high);
  return -1;
}

/* Reads and drops `n` bytes of stdin: input the dead host had already written out. */
static void skip_input(unsigned long long n) {
  char buf[4096];
  while (n > 0) {
    ssize_t r = read(0, buf, n < sizeof buf ? (size_t)n : sizeof buf);
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) return;
    n -= (unsigned long long)r;
  }
}

/* The host died: settle the input with its ledger (src/lib/multilog/peek.ts): "N K H0 H1\n", K
 * lines "SIZE PATH\n", then H0 and H1 raw bytes. N > 0: a chunk of N bytes of our stdin was taken
 * in; unless it is in the bin already (moved out of stdin), it was written if every listed
 * `current` has grown past SIZE, and is then dropped from stdin. The held bytes (a line's head
 * read but not written) are H1 once the chunk counts as dealt with, else H0; they are left in the
 * ledger, alone, for the multilog we become to take in first. Returns their length. */
/* Clears *written unless `current` at path grew past size. */
static void check_grown(unsigned long long size, const char *path, void *written) {
  struct stat st;
  if (stat(path, &st) == -1 || (unsigned long long)st.st_size <= size) *(int *)written = 0;
}

static size_t settle_input(int ledger, int moved) {
  static char text[1 << 17];
  ssize_t got = pread(ledger, text, sizeof text - 1, 0);
  if (got <= 0) return 0;
  struct ledger l;
  int written = 1;
  if (ledger_parse(text, (size_t)got, &l, check_grown, &written) == -1) return 0;
  int done = l.taken == 0 || moved || written;
  if (l.taken > 0 && !moved && written) skip_input(l.taken);
  char *held = done ? l.held1 : l.held0;
  size_t len = (size_t)(done ? l.h1 : l.h0);
  if (pwrite(ledger, held, len, 0) != (ssize_t)len || ftruncate(ledger, (off_t)len) == -1) return 0;
  return len;
}

/* Returns only when there is no host, or the host went away: then start Node as usual. The host
 * is our parent, or (rehost > 0) the svscan that adopted us and asked our Node multilog to hand
 * its input back (see src/lib/loghost/rehost.ts). A logger that had a host and lost it says so in
 * its record (" s=1"), so that its Node multilog waits to be taken over again. */
static void run_as_stub(long rehost) {
  host_fd = host_connect(rehost > 0 ? rehost : (long)getppid());
  if (host_fd == -1) {
    if (rehost > 0) put(FIELD_HOSTLESS);
    return;
  }
  /* The ledger: the host (through its own copy, pidfd_getfd) notes each chunk of our input it is
   * about to write out and what it holds of a line; see settle_input. */
  int ledger = -1;
#if defined(SYS_memfd_create)
  int m = (int)syscall(SYS_memfd_create, STUB_LEDGER_NAME, 1u /* MFD_CLOEXEC */);
  if (m != -1) {
    if (ftruncate(m, 8) == 0) ledger = fcntl(m, F_DUPFD_CLOEXEC, 64);
    close(m);
  }
#endif
  /* The bin: a pipe the host moves each written chunk into (splice) to take it out of our stdin.
   * Bytes in it after the host's death mean that chunk was taken out already: nothing to drop. */
  int bin[2] = {-1, -1};
  if (ledger != -1) {
    int raw[2];
    if (pipe2(raw, O_CLOEXEC | O_NONBLOCK) == 0) {
      bin[0] = fcntl(raw[0], F_DUPFD_CLOEXEC, 64);
      bin[1] = fcntl(raw[1], F_DUPFD_CLOEXEC, 64);
      close(raw[0]);
      close(raw[1]);
      if (bin[0] == -1 || bin[1] == -1) {
        if (bin[0] != -1) close(bin[0]);
        if (bin[1] != -1) close(bin[1]);
        bin[0] = bin[1] = -1;
      }
    }
  }
  size_t mark = used;
  if (ledger != -1 && bin[0] != -1) {
    put(FIELD_LEDGER);
    put_num((unsigned long long)ledger);
    put(FIELD_BIN);
    put_num((unsigned long long)bin[0]);
    put(":");
    put_num((unsigned long long)bin[1]);
  }
  size_t off = 0;
  record[used] = STUB_RECORD_END;
  while (off < used + 1) {
    ssize_t w = send(host_fd, record + off, used + 1 - off, MSG_NOSIGNAL);
    if (w == -1 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  used = mark;
  record[used] = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = relay;
  /* One relay at a time, so they go in the kernel's order (ALRM, TERM, CONT): a TERM and the CONT
   * that svc -d sends a stopped logger reach the host as 'T' then 'C', while it still waits. */
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGALRM);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGCONT);
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* Our continue wakes the host; the disposition the program was given comes back if we run alone. */
  struct sigaction cont;
  int had_cont = sigaction(SIGCONT, &sa, &cont) == 0;
  sigset_t term_alrm, relayed;
  multilog_signals(&term_alrm);
  relayed = term_alrm;
  sigaddset(&relayed, SIGCONT);
  sigprocmask(SIG_UNBLOCK, &relayed, NULL);
  unsigned char buf[HOST_MESSAGE_LEN];
  size_t have = 0;
  int refused = 0;
  for (;;) {
    ssize_t r = read(host_fd, buf + have, sizeof buf - have);
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) break;
    have += (size_t)r;
    if (have == HOST_MESSAGE_LEN) {
      if (buf[0] == HOST_EXIT) _exit(buf[1]);
      if (buf[0] == HOST_REFUSE) refused = 1;
      have = 0;
    }
  }
  int gone = host_fd;
  host_fd = -1; /* from here the relay notes what comes, for the multilog we become */
  close(gone);
  if (ledger != -1) {
    int moved = 0;
    if (bin[0] != -1 && ioctl(bin[0], FIONREAD, &moved) == -1) moved = 0;
    size_t held = settle_input(ledger, moved > 0);
    /* The held bytes go to our Node multilog: the ledger stays open for it, its number in " h=". */
    if (held > 0 && !refused && fcntl(ledger, F_SETFD, 0) == 0) {
      put(FIELD_HELD);
      put_num((unsigned long long)ledger);
    } else {
      close(ledger);
    }
  }
  if (bin[0] != -1) {
    close(bin[0]);
    close(bin[1]);
  }
  /* Held again from here until the Node multilog we become listens; what the host did not carry
   * out stays pending for it. */
  sigprocmask(SIG_BLOCK, &term_alrm, NULL);
  sa.sa_handler = SIG_DFL;
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  if (had_cont) sigaction(SIGCONT, &cont, NULL);
  if (unrelayed_alrm) raise(SIGALRM);
  if (got_term) raise(SIGTERM);
  if (!refused) put(FIELD_HOSTLESS);
}
#endif

#if defined(__linux__)
/* Preloads native/sigshim.c (installed as bin/.sigshim.so) into the Node about to start, holding
 * SIGTERM and SIGALRM blocked through its start-up; an LD_PRELOAD of the program's own is kept
 * (loaded too, and put back in the environment by the shim). Returns 1 if it will hold. */
static int hold_signals(const char *bindir) {
  char shim[PATH_MAX];
  if (snprintf(shim, sizeof shim, "%s/.sigshim.so", bindir) >= (int)sizeof shim) return 0;
  if (access(shim, R_OK) == -1) return 0;
  const char *before = getenv("LD_PRELOAD");
  static char preload[2 * PATH_MAX + 2];
  if (before && *before) {
    if (snprintf(preload, sizeof preload, "%s:%s", shim, before) >= (int)sizeof preload) return 0;
  } else {
    snprintf(preload, sizeof preload, "%s", shim);
  }
  if (before && setenv("DAEMONTOOLS_LD_PRELOAD", before, 1) == -1) return 0;
  if (setenv("LD_PRELOAD", preload, 1) == -1 || setenv("DAEMONTOOLS_HOLD_SIGNALS", "1", 1) == -1) return 0;
  return 1;
}
#endif

/* The start gate. A supervisor spawns ./run through here (argv: daemontools-gate GATE REPORT FILE
 * ARGV...), in a process that already has ./run's final state, and writes its record of the new
 * pid (supervise/owner) before it lets the gate open with one byte 'g' on GATE. A supervisor that
 * dies first closes GATE unopened: nothing starts, so its successor never finds ./run running
 * without a record and starts a second copy. REPORT gets execve's errno if FILE cannot be run;
 * it is close-on-exec, so a successful exec reports by closing it. Nothing else is touched. */
extern char **environ;

static void run_gate(int argc, char **argv) {
  if (argc < 5) _exit(111);
  int gate = atoi(argv[1]);
  int report = atoi(argv[2]);
  char go = 0;
  ssize_t r;
  do {
    r = read(gate, &go, 1);
  } while (r == -1 && errno == EINTR);
  close(gate);
  if (r != 1 || go != 'g') _exit(111);
  fcntl(report, F_SETFD, FD_CLOEXEC);
  execve(argv[3], argv + 4, environ);
  int err = errno;
  while (write(report, &err, sizeof err) == -1 && errno == EINTR) {
  }
  _exit(111);
}

/* The pipe keeper (argv: daemontools-keeper DIR SVSCAN-PID). svscan holds both ends of every log
 * pipe; this process holds a copy of each read end and does nothing else, so that while svscan is
 * dead and a logger is between two processes, a service's writes wait in its pipe instead of
 * meeting SIGPIPE. The next svscan takes the pipes back from the services and loggers, then ends
 * it (src/lib/scan/keeper.ts). */
static void run_keeper(void) {
  for (;;) pause();
}

/* The services' process group (argv: daemontools-group). svscan, when it takes SIGINT and SIGTERM
 * as the order to bring its services down (src/lib/scan/group.ts), starts them in this process's
 * group rather than in its own, which is the terminal's foreground group: a Ctrl-C then reaches
 * svscan alone, which stops the services first and their loggers last. This process leads the
 * group (a group of none but services would end with them, and they must not lead one: setsid
 * fails for a group leader) and does nothing else; it ends when its stdin, a pipe only svscan
 * holds the other end of, reaches end of file. */
static void run_group(void) {
  char c;
  ssize_t r;
  do {
    r = read(0, &c, 1);
  } while (r != 0 && (r == 1 || errno == EINTR));
  _exit(0);
}

int main(int argc, char **argv) {
  const char *name = argc > 0 && argv[0] ? argv[0] : "daemontools";
  const char *slash = strrchr(name, '/');
  if (slash) name = slash + 1;
  if (strcmp(name, "daemontools-gate") == 0) run_gate(argc, argv);
  if (strcmp(name, "daemontools-keeper") == 0) run_keeper();
  if (strcmp(name, "daemontools-group") == 0) run_group();
#if defined(__linux__)
  const char *profile = getenv("DAEMONTOOLS_PROFILE");
  portable = profile && strcmp(profile, "portable") == 0;
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
    const char *letters = strchr(rehost_var, ':');
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

  char self[PATH_MAX];
  if (self_path(argc > 0 ? argv[0] : "", self, sizeof self) == -1) die(name, "unable to find own executable", errno);
  char *cut = strrchr(self, '/');
  if (cut) *cut = 0;
  char node[PATH_MAX], entry[PATH_MAX];
  read_config(self, node, entry, sizeof node);

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

  char **args = calloc((size_t)argc + 5, sizeof *args);
  if (!args) die(name, "out of memory", ENOMEM);
  int k = 0;
  args[k++] = node;
  /* The long-lived programs keep V8's young generation small: an idle supervision process should
   * not carry tens of megabytes of semi-space touched once during a burst of starts. */
  static const char *const long_lived[] = {"svscan", "supervise", "multilog", "svscanboot"};
  static char semi[] = "--max-semi-space-size=1";
  for (size_t i = 0; i < sizeof long_lived / sizeof long_lived[0]; i++)
    if (strcmp(name, long_lived[i]) == 0) args[k++] = semi;
  /* The chain tools end in an execve that first restores the recorded limits: a small RLIMIT_AS
   * or RLIMIT_DATA then meets V8's background threads still running, and one that allocates just
   * then ends the process with std::bad_alloc before the exec (seen 2-6 times in 300 starts under
   * `softlimit -a 40000000`). Without background threads nothing else allocates in that moment. */
  static const char *const exec_tools[] = {"envdir", "envuidgid", "setuidgid", "softlimit", "setlock", "pgrphack"};
  static char single[] = "--single-threaded";
  for (size_t i = 0; i < sizeof exec_tools / sizeof exec_tools[0]; i++)
    if (strcmp(name, exec_tools[i]) == 0) args[k++] = single;
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
