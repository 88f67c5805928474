/* The logger stub, part of the launcher (Linux). Under our svscan a multilog keeps its process
 * (pid, credentials, cwd, stdin, stderr) but its engine runs in svscan's event loop: this process
 * connects to the host (its parent, at the abstract socket daemontools-host/<ppid>), sends the
 * recorded state, and from then on only relays SIGALRM and SIGTERM and exits with the code the
 * host sends. It also says when it is continued: the host reads nothing while we are stopped
 * (svc -p, a SIGSTOP from anyone), as a stopped C multilog reads nothing, and a stop cannot report
 * itself. The host reads our stdin and writes our files as us (see src/lib/loghost/). If the host
 * goes away, this process goes to the orphan host svscan left, if any, or becomes an ordinary Node
 * multilog: same pid, same descriptors. The bytes of all that are in stub_protocol.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
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

/* How sure the host's peer must be the process it names. */
enum trust {
  HOST_ITSELF,    /* the process `host`, running as root or as us */
  HOST_OR_HEIR,   /* that, unless `host` is our parent and has died: then as SUCCESSOR */
  HOST_SUCCESSOR, /* whoever listens on the socket `host` left, running as root or as us */
};

/* Connects to the host socket of `host`. A socket that outlived its host (svscan's, held by its
 * pipe keeper until the orphan host takes it and listens on it anew, when the kernel names the
 * orphan host as the peer) is the host's successor's when its peer runs as root or as us: the name
 * stayed bound from the host's death on, and such a process could read us anyway. */
static int host_connect(long host, enum trust trust) {
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
    int heir = trust == HOST_SUCCESSOR || (trust == HOST_OR_HEIR && (long)getppid() != host);
    if (getsockopt(high, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && ((long)peer.pid == host || heir) &&
        (peer.uid == 0 || peer.uid == geteuid()))
      return high;
  }
  close(high);
  return -1;
}

/* Names the ledger and the bin in the record (" p=LEDGER d=READ:WRITE"). */
static void record_put_keeping(int ledger, const int bin[2]) {
  record_put(FIELD_LEDGER);
  record_put_num((unsigned long long)ledger);
  record_put(FIELD_BIN);
  record_put_num((unsigned long long)bin[0]);
  record_put(RECORD_PART_SEP);
  record_put_num((unsigned long long)bin[1]);
}

/* Sends the record to a host, with what only a host is to see: the ledger and the bin, and
 * " s=1" when this stub lost a host before (its `current` was left incomplete by that death, no
 * crash of the logger's). */
static void send_record(int fd, int ledger, const int bin[2], int lost) {
  size_t mark = record_length();
  if (ledger != -1 && bin[0] != -1) {
    record_put_keeping(ledger, bin);
  }
  if (lost) record_put(FIELD_HOSTLESS);
  size_t off = 0, len = record_length() + 1;
  char *line = record_bytes();
  line[len - 1] = STUB_RECORD_END;
  while (off < len) {
    ssize_t w = send(fd, line + off, len - off, MSG_NOSIGNAL);
    if (w == -1 && errno == EINTR) continue;
    if (w <= 0) break;
    off += (size_t)w;
  }
  record_cut(mark);
}

static void send_byte(int fd, char c) {
  ssize_t w;
  do {
    w = send(fd, &c, 1, MSG_NOSIGNAL);
  } while (w == -1 && errno == EINTR);
}

/* How a host let go of us. */
enum parting { HOST_GONE, HOST_REFUSED, HOST_MOVED };

/* Reads the host's messages until it lets go; exits when told. For HOST_MOVED, *next is the pid
 * of the host to go to. */
static enum parting serve(int fd, long *next) {
  unsigned char buf[HOST_MESSAGE_LEN + HOST_MOVE_DIGITS];
  size_t have = 0, want = HOST_MESSAGE_LEN;
  int refused = 0;
  for (;;) {
    ssize_t r = read(fd, buf + have, want - have);
    if (r == -1 && errno == EINTR) continue;
    if (r <= 0) return refused ? HOST_REFUSED : HOST_GONE;
    have += (size_t)r;
    if (have < want) continue;
    if (buf[0] == HOST_EXIT) _exit(buf[1]);
    if (buf[0] == HOST_REFUSE) refused = 1;
    if (buf[0] == HOST_MOVE && want == HOST_MESSAGE_LEN && buf[1] > 0 && buf[1] <= HOST_MOVE_DIGITS) {
      want += buf[1];
      continue;
    }
    if (buf[0] == HOST_MOVE && want > HOST_MESSAGE_LEN) {
      long pid = 0;
      for (size_t i = HOST_MESSAGE_LEN; i < want; i++) pid = buf[i] >= '0' && buf[i] <= '9' && pid >= 0 ? pid * 10 + (buf[i] - '0') : -1;
      if (pid > 0) {
        *next = pid;
        return HOST_MOVED;
      }
    }
    have = 0;
    want = HOST_MESSAGE_LEN;
  }
}

/* Returns only when there is no host, or the host went away: then start Node as usual. The host
 * is our parent, or (rehost > 0) the svscan that adopted us and asked our Node multilog to hand
 * its input back (see src/lib/loghost/rehost.ts). A host may send us on to another (HOST_MOVE:
 * an orphan host giving us back to a new svscan). A host that goes away may have left its socket
 * to an orphan host (src/lib/loghost/orphans.ts): we connect to it once more. What of our input a
 * dead host dealt with is said by the ledger, which we only keep: whoever reads our input next
 * (a host, or the Node multilog we become, given the ledger and the bin in the record) settles
 * it. A logger that had a host and lost it says so in its record (" s=1"), so that its Node
 * multilog waits to be taken over again. */
void run_as_stub(long rehost) {
  long host = rehost > 0 ? rehost : (long)getppid();
  /* Our parent may die while we wait in its queue: its socket is then the orphan host's. */
  int fd = host_connect(host, rehost > 0 ? HOST_ITSELF : HOST_OR_HEIR);
  if (fd == -1) {
    if (rehost > 0) record_put(FIELD_HOSTLESS);
    return;
  }
  /* The ledger: the host (through its own copy, pidfd_getfd) notes each chunk of our input it is
   * about to write out and what it holds of a line (src/lib/multilog/peek.ts). */
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
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = relay;
  /* One relay at a time, so they go in the kernel's order (ALRM, TERM, CONT): a TERM and the CONT
   * that svc -d sends a stopped logger reach the host as 'T' then 'C', while it still waits. */
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGALRM);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGCONT);
  sigset_t term_alrm, relayed;
  multilog_signals(&term_alrm);
  relayed = term_alrm;
  sigaddset(&relayed, SIGCONT);
  sigprocmask(SIG_BLOCK, &relayed, NULL);
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  /* Our continue wakes the host; the disposition the program was given comes back if we run alone. */
  struct sigaction cont;
  int had_cont = sigaction(SIGCONT, &sa, &cont) == 0;
  int lost = 0, again = 1;
  for (;;) {
    host_fd = fd;
    send_record(fd, ledger, bin, lost);
    /* What the host before did not carry out: a TERM it was sent (it would have sent our exit
     * code), an ALRM that could not be relayed. */
    if (got_term) send_byte(fd, STUB_TERM);
    if (unrelayed_alrm) {
      unrelayed_alrm = 0;
      send_byte(fd, STUB_ALARM);
    }
    sigprocmask(SIG_UNBLOCK, &relayed, NULL);
    long next = 0;
    enum parting how = serve(fd, &next);
    sigprocmask(SIG_BLOCK, &relayed, NULL);
    host_fd = -1; /* from here the relay notes what comes, for the next host or our multilog */
    close(fd);
    if (how == HOST_REFUSED) break;
    fd = -1;
    if (how == HOST_MOVED && (fd = host_connect(next, HOST_ITSELF)) != -1) {
      host = next;
      again = 1;
      continue;
    }
    lost = 1;
    if (how == HOST_GONE && again && (fd = host_connect(host, HOST_SUCCESSOR)) != -1) {
      again = 0;
      continue;
    }
    break;
  }
  /* Alone: the Node multilog we become settles its input by the ledger (src/lib/multilog/
   * settle-input.ts), so the ledger and the bin stay open for it, named in the record. */
  if (ledger != -1 && bin[0] != -1 && fcntl(ledger, F_SETFD, 0) == 0 && fcntl(bin[0], F_SETFD, 0) == 0 && fcntl(bin[1], F_SETFD, 0) == 0) {
    record_put_keeping(ledger, bin);
  } else {
    if (ledger != -1) close(ledger);
    if (bin[0] != -1) close(bin[0]);
    if (bin[1] != -1) close(bin[1]);
  }
  /* Held again from here until the Node multilog we become listens; what the host did not carry
   * out stays pending for it. */
  sigprocmask(SIG_UNBLOCK, &relayed, NULL);
  sigprocmask(SIG_BLOCK, &term_alrm, NULL);
  sa.sa_handler = SIG_DFL;
  sigaction(SIGALRM, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  if (had_cont) sigaction(SIGCONT, &cont, NULL);
  if (unrelayed_alrm) raise(SIGALRM);
  if (got_term) raise(SIGTERM);
  if (lost) record_put(FIELD_HOSTLESS);
}
#else
void run_as_stub(long rehost) { (void)rehost; }
#endif
