// The syscall core: plain functions that return 0 (or a result >= 0) or -errno. No Node here.
#ifndef DT_CORE_H
#define DT_CORE_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/resource.h>
#include <signal.h>

namespace dt {

enum FdOpKind { FD_DUP2 = 1, FD_CLOSE = 2, FD_CLOEXEC_SET = 3, FD_NONBLOCK_SET = 4 };

struct FdOp {
  int kind;
  int a;
  int b;
};

struct Rlimit {
  int resource;
  rlim_t cur;
  rlim_t max;
};

// The state a program is started with; see ExecPlan in src/native/binding.ts.
struct ExecPlan {
  sigset_t ignore;
  sigset_t mask;
  const Rlimit* rlimits;
  int nrlimits;
  const FdOp* fds;
  int nfds;
  bool setsid;
  // setpgid(0, pgid) (spawn only): 0 leads a group of its own; a group that is gone is not joined.
  bool set_pgid;
  pid_t pgid;
  const char* cwd;  // nullptr: stay
  int umask;        // -1: keep
  // Credentials for the child, applied last (spawn only): setgroups, setgid, setuid.
  bool set_creds;
  uid_t uid;
  gid_t gid;
  const gid_t* groups;
  int ngroups;
  // Signals given to hold_signal_for_exec: their catcher stays, they stay blocked through execve,
  // and each one caught meanwhile is raised again (pending for the new program) just before it.
  sigset_t held;
};

// Makes the NULL-terminated NAME=value `entries` the environment (copies kept for the process's
// life, as putenv needs). Entries without a name are skipped. Returns 0 or -errno.
int replace_environ(char* const* entries);

// Catches `sig` until the next execve: one caught by any thread is noted and passed on to the
// calling thread (which an ExecPlan's `held` set then keeps blocked), none is lost. Returns 0 or -errno.
int hold_signal_for_exec(int sig);

// Applies plan (async-signal-safe: usable between fork and exec). Returns 0 or -errno.
int apply_plan(const ExecPlan& plan, bool limits_now = true);
// setrlimit for each of the plan's limits, in order.
int apply_rlimits(const ExecPlan& plan);

// Applies plan, then execve's each file as pathexec does. Returns -errno and the index of the
// file the error belongs to; rlimits are put back as before the plan.
int exec_files(const char* const* files, int nfiles, char* const* argv, char* const* envp,
               const ExecPlan& plan, int* failed_index);

// fork + apply_plan + execve in the child. Returns pid (>0) or -errno; *exec_errno gets the
// child's execve errno (0 when exec succeeded).
pid_t spawn(const char* file, char* const* argv, char* const* envp, const ExecPlan& plan,
            int* exec_errno);

int wait_pid(pid_t pid, int options, int* status);  // returns pid, 0, or -errno
// waitid(P_PID, pid, options): returns the pid reported (*code = si_code, *status = si_status),
// 0 when WNOHANG and nothing to report, or -errno.
int wait_id(pid_t pid, int options, int* code, int* status);

int get_rlimit(int resource, rlim_t* cur, rlim_t* max);
int set_rlimit(int resource, rlim_t cur, rlim_t max);

int set_uid(uid_t uid);
int set_gid(gid_t gid);
int set_groups(const gid_t* gids, int n);
int get_groups(gid_t* gids, int max);  // returns count or -errno

struct Passwd {
  char name[256];
  char dir[1024];
  char shell[1024];
  uid_t uid;
  gid_t gid;
};
// getpwnam_r: 1 found, 0 no such account, -errno.
int lookup_passwd(const char* name, Passwd* out);

// The calling thread's filesystem identity only (Linux): returns the previous id or -errno.
int set_fsuid(uid_t uid);
int set_fsgid(gid_t gid);
int set_groups_thread(const gid_t* gids, int n);
// setuid(2)/setgid(2) for the calling thread alone (Linux; -ENOSYS elsewhere).
int set_uid_thread(uid_t uid);
int set_gid_thread(gid_t gid);
// The peer of a connected unix socket: 0 or -errno.
int peer_cred(int fd, pid_t* pid, uid_t* uid, gid_t* gid);

int set_sid();  // returns sid or -errno
int set_pgid(pid_t pid, pid_t pgid);

int lock_fd(int fd, int operation);
int make_fifo(const char* path, mode_t mode);
int fd_control(int fd, int cmd, int arg);  // returns result or -errno
int make_pipe(int fds[2]);                 // O_CLOEXEC on both ends
int dup_fd(int fd);
int dup2_fd(int from, int to);
int close_fd(int fd);
int open_path(const char* path, int flags, mode_t mode);
// read(2) once, as C's tools read (EINTR is returned, not retried). Returns the count or -errno.
ssize_t read_fd(int fd, void* buf, size_t len);
// Linux tee(2), non-blocking: copies up to len bytes from pipe `in` to pipe `out` without
// consuming them. Returns the count or -errno (-ENOSYS elsewhere).
ssize_t tee_pipe(int in, int out, size_t len);
// Linux splice(2) between pipes, non-blocking: moves up to len bytes. Count or -errno.
ssize_t splice_pipe(int in, int out, size_t len);

// Every entry of directory `path` but . and .., in readdir order, with fstatat(2) of each
// (following symlinks), as records of READDIR_STAT_HEAD bytes and the name: u16 name length,
// u8 how (READDIR_STAT_*), u8 0, u32 st_mode (or errno when the stat failed), u64 st_dev, u64
// st_ino, all little-endian (src/lib/scan/survey.ts reads them). An entry whose name begins
// with the byte `skip` (-1: none) is listed without a stat. Returns the size of the whole listing:
// past `cap`, out holds only the records that fit, and the caller asks again with room. -errno of
// opendir or readdir.
enum { READDIR_STAT_HEAD = 24, READDIR_STAT_OK = 0, READDIR_STAT_SKIPPED = 1, READDIR_STAT_FAILED = 2 };
ssize_t readdir_stat(const char* path, int skip, unsigned char* out, size_t cap);
// chdir(2) by path (its bytes, as given) and fchdir(2): 0 or -errno.
int change_dir(const char* path);
int change_dir_fd(int fd);
// access(2): 0 or -errno.
int access_path(const char* path, int mode);
// realpath(3) into out (PATH_MAX bytes): 0 or -errno.
int real_path(const char* path, char* out);

int pidfd_open_pid(pid_t pid);
// A copy of another process's descriptor (the same open file description): fd or -errno.
int pidfd_get_fd(int pidfd, int targetfd);
// Linux kcmp(2) KCMP_FILE on two of our own descriptors: 1 when they are the same open file
// description, 0 when not, -errno (-ENOSYS elsewhere).
int same_file_fd(int fd1, int fd2);
int set_child_subreaper();
// glibc malloc_trim(0): 1 if memory went back to the system, 0 if not, -ENOSYS elsewhere.
int trim_heap();
// native/sigshim.c, when preloaded: ends its hold on SIGTERM/SIGALRM. 1 if it was holding, else 0.
int release_held_signals();
// madvise(2) on [addr, addr + len): 0 or -errno.
int advise_range(uintptr_t addr, size_t len, int advice);

// socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC): 0 or -errno.
int make_socketpair(int fds[2]);
// A unix datagram socket (close-on-exec, non-blocking, SO_PASSCRED where there is one) bound to
// the `len` bytes of `name` (abstract when name[0] is NUL): fd or -errno.
int bind_dgram(const char* name, size_t len);
// recvmsg of one datagram without blocking, with the sender's credentials (-1 when the kernel
// gave none); descriptors sent along are closed. Byte count or -errno.
ssize_t recv_cred(int fd, char* buf, size_t len, int* truncated, pid_t* pid, uid_t* uid, gid_t* gid);

// The layout of this process's memory as prctl(PR_SET_MM_MAP) takes it (struct prctl_mm_map's
// address fields; /proc/PID/stat shows all but brk).
struct MmLayout {
  uint64_t start_code, end_code, start_data, end_data, start_brk, brk, start_stack;
  uint64_t arg_start, arg_end, env_start, env_end;
};
// prctl(PR_SET_MM, PR_SET_MM_MAP) with `layout`, the executable and auxv left as they are
// (Linux with CONFIG_CHECKPOINT_RESTORE). 0 or -errno (-ENOSYS elsewhere).
int set_mm_map(const MmLayout& layout);
// prctl(PR_SET_NAME): the calling thread's name (comm, cut to 15 bytes). 0 or -errno (-ENOSYS elsewhere).
int set_thread_name(const char* name);
// The program break as the kernel has it (brk(2) with 0): the address, or -ENOSYS elsewhere.
long long program_break();

}  // namespace dt

#endif
