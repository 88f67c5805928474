/* The logger stub, part of the launcher (Linux). Under our svscan a multilog keeps its process
 * (pid, credentials, cwd, stdin, stderr) but its engine runs in svscan's event loop: this process
 * connects to the host (its parent, at the abstract socket daemontools-host/<ppid>), sends the
 * recorded state, and from then on only relays SIGALRM and SIGTERM and exits with the code the
 * host sends. It also says when it is continued: the host reads nothing while we are stopped
 * (svc -p, a SIGSTOP from anyone), as a stopped C multilog reads nothing, and a stop cannot report
 * itself. The host reads our stdin and writes our files as us (see src/lib/loghost/). If the host
 * goes away, this process becomes an ordinary Node multilog: same pid, same descriptors. The bytes
 * of all that are in stub_protocol.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#endif

#include "record.h"
#include "stub.h"
#include "stub_protocol.h"

void multilog_signals(sigset_t *set) {
  sigemptyset(set);
  sigaddset(set, SIGTERM);
  sigaddset(set, SIGALRM);
}

#if defined(__linux__)
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
void run_as_stub(long rehost) {
  host_fd = host_connect(rehost > 0 ? rehost : (long)getppid());
  if (host_fd == -1) {
    if (rehost > 0) record_put(FIELD_HOSTLESS);
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
  size_t mark = record_length();
  if (ledger != -1 && bin[0] != -1) {
    record_put(FIELD_LEDGER);
    record_put_num((unsigned long long)ledger);
    record_put(FIELD_BIN);
    record_put_num((unsigned long long)bin[0]);
    record_put(RECORD_PART_SEP);
    record_put_num((unsigned long long)bin[1]);
  }
  size_t off = 0, len = record_length() + 1;
  char *line = record_bytes();
  line[len - 1] = STUB_RECORD_END;
  while (off < len) {
    ssize_t w = send(host_fd, line + off, len - off, MSG_NOSIGNAL);
    if (w == -1 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  record_cut(mark); /* the ledger and the bin are the host's business only */
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
      record_put(FIELD_HELD);
      record_put_num((unsigned long long)ledger);
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
  if (!refused) record_put(FIELD_HOSTLESS);
}
#else
void run_as_stub(long rehost) { (void)rehost; }
#endif
