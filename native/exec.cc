// Restoring the captured process state, execve the pathexec way, and fork+exec for children.
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#if defined(__linux__)
#include <sys/syscall.h>
#endif
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef NSIG
#define NSIG 65
#endif

namespace dt {

// hold_signal_for_exec: what was caught, and the thread the exec will come from.
static volatile sig_atomic_t held_caught[NSIG];
static pthread_t held_thread;

static void on_held(int sig) {
  int saved = errno;
  held_caught[sig] = 1;
  // Node's other threads take process signals too: hand it to the exec's thread, where it stays
  // pending once apply_plan blocks it.
  if (!pthread_equal(pthread_self(), held_thread)) pthread_kill(held_thread, sig);
  errno = saved;
}

int hold_signal_for_exec(int sig) {
  if (sig <= 0 || sig >= NSIG) return -EINVAL;
  held_thread = pthread_self();
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_held;
  sigfillset(&sa.sa_mask);
  return sigaction(sig, &sa, nullptr) == -1 ? -errno : 0;
}

static int apply_fd_op(const FdOp& op) {
  int flags;
  switch (op.kind) {
    case FD_DUP2:
      if (op.a == op.b) {
        // dup2 onto itself keeps FD_CLOEXEC; the program must inherit it.
        flags = fcntl(op.a, F_GETFD);
        if (flags == -1) return -errno;
        if (fcntl(op.a, F_SETFD, flags & ~FD_CLOEXEC) == -1) return -errno;
        return 0;
      }
      while (dup2(op.a, op.b) == -1) {
        if (errno != EINTR) return -errno;
      }
      return 0;
    case FD_CLOSE:
      if (close(op.a) == -1 && errno != EBADF) return -errno;
      return 0;
    case FD_CLOEXEC_SET:
      flags = fcntl(op.a, F_GETFD);
      if (flags == -1) return -errno;
      flags = op.b ? (flags | FD_CLOEXEC) : (flags & ~FD_CLOEXEC);
      if (fcntl(op.a, F_SETFD, flags) == -1) return -errno;
      return 0;
    case FD_NONBLOCK_SET:
      flags = fcntl(op.a, F_GETFL);
      if (flags == -1) return -errno;
      flags = op.b ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
      if (fcntl(op.a, F_SETFL, flags) == -1) return -errno;
      return 0;
  }
  return -EINVAL;
}

int apply_rlimits(const ExecPlan& plan) {
  for (int i = 0; i < plan.nrlimits; i++) {
    struct rlimit rl;
    rl.rlim_cur = plan.rlimits[i].cur;
    rl.rlim_max = plan.rlimits[i].max;
    if (setrlimit(plan.rlimits[i].resource, &rl) == -1) return -errno;
  }
  return 0;
}

int apply_plan(const ExecPlan& plan, bool limits_now) {
  // Block everything while dispositions change, so no signal meets a half-restored table.
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);

  if (plan.setsid && setsid() == -1) return -errno;
  if (plan.set_pgid) setpgid(0, plan.pgid);
  if (plan.cwd && chdir(plan.cwd) == -1) return -errno;
  if (plan.umask >= 0) umask((mode_t)plan.umask);
  for (int i = 0; i < plan.nfds; i++) {
    int r = apply_fd_op(plan.fds[i]);
    if (r < 0) return r;
  }
  if (limits_now) {
    int r = apply_rlimits(plan);
    if (r < 0) return r;
  }
  if (plan.set_creds) {
#if defined(__linux__)
    // Raw system calls: the child has one thread, and libc's wrappers would try to reach the
    // parent's threads from a vfork child.
    if (syscall(SYS_setgroups, plan.ngroups, plan.groups) == -1) return -errno;
    if (syscall(SYS_setgid, plan.gid) == -1) return -errno;
    if (syscall(SYS_setuid, plan.uid) == -1) return -errno;
#else
    if (setgroups(plan.ngroups, plan.groups) == -1) return -errno;
    if (setgid(plan.gid) == -1) return -errno;
    if (setuid(plan.uid) == -1) return -errno;
#endif
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sigemptyset(&sa.sa_mask);
  sigset_t mask = plan.mask;
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (sigismember(&plan.held, sig) == 1) {
      // Its catcher stays until execve makes it SIG_DFL; blocked, so none is lost in between.
      sigaddset(&mask, sig);
      continue;
    }
    sa.sa_handler = sigismember(&plan.ignore, sig) == 1 ? SIG_IGN : SIG_DFL;
    sigaction(sig, &sa, nullptr);  // EINVAL for the libc-reserved ones: nothing to restore there
  }
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  // Those caught before they were blocked here: pending again, for the program to take.
  for (int sig = 1; sig < NSIG; sig++)
    if (sigismember(&plan.held, sig) == 1 && held_caught[sig]) raise(sig);
  return 0;
}

// djb's PATH retry rule (pathexec_run.c), the C copy of src/lib/pathexec.ts's PATHEXEC_RULE
// (test/native/pathexec-rule.test.ts holds both to one table): past ENOENT; past EACCES, EPERM
// and EISDIR, remembering the last of them; any other error stops the search.
static bool pathexec_rule_skips(int err) { return err == ENOENT; }
static bool pathexec_rule_remembers(int err) { return err == EACCES || err == EPERM || err == EISDIR; }

namespace {

// What exec_files needs to put back when every execve fails: Node goes on running (to report the
// error) and its own descriptors (epoll, signal pipe) may sit where the plan dup2'ed or closed.
struct SavedFd {
  int fd;
  int copy;  // -1: was not open
  int fdflags;
  int flflags;
};

int save_fds(const ExecPlan& plan, SavedFd* saved, int max) {
  int n = 0;
  for (int i = 0; i < plan.nfds && n < max; i++) {
    const FdOp& op = plan.fds[i];
    int fd = op.kind == FD_DUP2 ? op.b : op.a;
    bool seen = false;
    for (int k = 0; k < n; k++) seen = seen || saved[k].fd == fd;
    if (seen) continue;
    SavedFd& s = saved[n++];
    s.fd = fd;
    s.fdflags = fcntl(fd, F_GETFD);
    s.flflags = s.fdflags == -1 ? -1 : fcntl(fd, F_GETFL);
    s.copy = s.fdflags == -1 ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 100);
  }
  return n;
}

void restore_fds(const SavedFd* saved, int n) {
  for (int k = n - 1; k >= 0; k--) {
    const SavedFd& s = saved[k];
    if (s.copy == -1) {
      if (s.fdflags == -1) close(s.fd);
      continue;
    }
    while (dup2(s.copy, s.fd) == -1 && errno == EINTR) {
    }
    fcntl(s.fd, F_SETFD, s.fdflags);
    fcntl(s.fd, F_SETFL, s.flflags);
    close(s.copy);
  }
}

}  // namespace

int exec_files(const char* const* files, int nfiles, char* const* argv, char* const* envp,
               const ExecPlan& plan, int* failed_index) {
  struct rlimit before[RLIM_NLIMITS];
  for (int r = 0; r < RLIM_NLIMITS; r++) getrlimit(r, &before[r]);
  sigset_t oldmask;
  sigprocmask(SIG_SETMASK, nullptr, &oldmask);
  static struct sigaction actions[NSIG];
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, nullptr, &actions[sig]);
  static SavedFd saved[1024];
  int nsaved = save_fds(plan, saved, 1024);

  *failed_index = 0;
  // Node's other threads (V8's, libuv's) run on until execve: the limits come last, so that none
  // of them meets a small RLIMIT_AS or RLIMIT_DATA for longer than the execve calls themselves
  // (an allocation failing there ends the process with std::bad_alloc before the exec).
  int r = apply_plan(plan, false);
  if (r == 0) r = apply_rlimits(plan);
  if (r == 0) {
    int saved_errno = 0;
    int last = ENOENT;
    for (int i = 0; i < nfiles; i++) {
      execve(files[i], argv, envp);
      last = errno;
      if (pathexec_rule_skips(last)) continue;
      saved_errno = last;
      *failed_index = i;
      if (!pathexec_rule_remembers(last)) break;
    }
    r = -(saved_errno ? saved_errno : last);
  }
  // Every execve failed: give Node back its descriptors, signal handlers and limits, so the
  // caller can still report the error and exit normally.
  restore_fds(saved, nsaved);
  for (int sig = 1; sig < NSIG; sig++) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &actions[sig], nullptr);
  }
  for (int res = 0; res < RLIM_NLIMITS; res++) setrlimit(res, &before[res]);
  sigprocmask(SIG_SETMASK, &oldmask, nullptr);
  return r;
}

pid_t spawn(const char* file, char* const* argv, char* const* envp, const ExecPlan& plan,
            int* exec_errno) {
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
#if defined(__linux__)
  // vfork: no copy of Node's page tables (a fork of a large process dominates svscan's start-up).
  // The child only makes system calls with every signal blocked until the plan's dispositions are
  // in place, and reports a failed exec through memory it shares with us while we wait.
  volatile int child_errno = 0;
  pid_t pid = vfork();
  if (pid == 0) {
    int err = -apply_plan(plan);
    if (err == 0) {
      execve(file, argv, envp);
      err = errno;
    }
    child_errno = err;
    _exit(111);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid == -1) return -fork_errno;
  *exec_errno = child_errno;
  return pid;
#else
  int report[2];
  if (pipe(report) == -1) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return -errno;
  }
  fcntl(report[0], F_SETFD, FD_CLOEXEC);
  fcntl(report[1], F_SETFD, FD_CLOEXEC);
  pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    // Keep the report pipe out of the way of the plan's dup2 targets.
    if (report[1] < 64) {
      int moved = fcntl(report[1], F_DUPFD, 64);
      if (moved >= 0) {
        fcntl(moved, F_SETFD, FD_CLOEXEC);
        report[1] = moved;
      }
    }
    int err = -apply_plan(plan);
    if (err == 0) {
      execve(file, argv, envp);
      err = errno;
    }
    while (write(report[1], &err, sizeof err) == -1 && errno == EINTR) {
    }
    _exit(111);
  }
  int fork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(report[1]);
  if (pid == -1) {
    close(report[0]);
    return -fork_errno;
  }
  int err = 0;
  ssize_t n;
  do {
    n = read(report[0], &err, sizeof err);
  } while (n == -1 && errno == EINTR);
  close(report[0]);
  *exec_errno = n == (ssize_t)sizeof err ? err : 0;
  return pid;
#endif
}

int wait_pid(pid_t pid, int options, int* status) {
  pid_t r;
  do {
    r = waitpid(pid, status, options);
  } while (r == -1 && errno == EINTR);
  return r == -1 ? -errno : r;
}

int wait_id(pid_t pid, int options, int* code, int* status) {
  siginfo_t info;
  int r;
  do {
    memset(&info, 0, sizeof info);
    r = waitid(P_PID, (id_t)pid, &info, options);
  } while (r == -1 && errno == EINTR);
  if (r == -1) return -errno;
  *code = info.si_code;
  *status = info.si_status;
  return info.si_pid;
}

}  // namespace dt
