// Credentials through libc's wrappers, so every thread of the process changes together.
#include "core.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>

#include <vector>
#if defined(__linux__)
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#endif
#include <unistd.h>

namespace dt {

int set_uid(uid_t uid) { return setuid(uid) == -1 ? -errno : 0; }
int set_gid(gid_t gid) { return setgid(gid) == -1 ? -errno : 0; }
int set_groups(const gid_t* gids, int n) { return setgroups(n, gids) == -1 ? -errno : 0; }

int get_groups(gid_t* gids, int max) {
  int n = getgroups(max, gids);
  return n == -1 ? -errno : n;
}

int set_fsuid(uid_t uid) {
#if defined(__linux__)
  return setfsuid(uid);
#else
  (void)uid;
  return -ENOSYS;
#endif
}

int set_fsgid(gid_t gid) {
#if defined(__linux__)
  return setfsgid(gid);
#else
  (void)gid;
  return -ENOSYS;
#endif
}

// The raw system calls change this thread only (libc's wrappers signal every thread to follow).
#if defined(__linux__)
int set_uid_thread(uid_t uid) { return syscall(SYS_setuid, uid) == -1 ? -errno : 0; }
int set_gid_thread(gid_t gid) { return syscall(SYS_setgid, gid) == -1 ? -errno : 0; }
#else
int set_uid_thread(uid_t) { return -ENOSYS; }
int set_gid_thread(gid_t) { return -ENOSYS; }
#endif

int set_groups_thread(const gid_t* gids, int n) {
#if defined(__linux__)
  // The raw system call changes this thread only; libc's wrapper would change every thread.
  return syscall(SYS_setgroups, n, gids) == -1 ? -errno : 0;
#else
  (void)gids;
  (void)n;
  return -ENOSYS;
#endif
}

int peer_cred(int fd, pid_t* pid, uid_t* uid, gid_t* gid) {
#if defined(__linux__)
  struct ucred cred;
  socklen_t len = sizeof cred;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) return -errno;
  *pid = cred.pid;
  *uid = cred.uid;
  *gid = cred.gid;
  return 0;
#else
  (void)fd;
  (void)pid;
  (void)uid;
  (void)gid;
  return -ENOSYS;
#endif
}

static void copy(char* dst, size_t size, const char* src) {
  strncpy(dst, src ? src : "", size - 1);
  dst[size - 1] = '\0';
}

int lookup_passwd(const char* name, Passwd* out) {
  std::vector<char> buf(16384);
  struct passwd pw;
  struct passwd* result = nullptr;
  for (;;) {
    int r = getpwnam_r(name, &pw, buf.data(), buf.size(), &result);
    if (r == ERANGE && buf.size() < (1u << 20)) {
      buf.resize(buf.size() * 2);
      continue;
    }
    if (r != 0) return -r;
    break;
  }
  if (!result) return 0;
  copy(out->name, sizeof out->name, pw.pw_name);
  copy(out->dir, sizeof out->dir, pw.pw_dir);
  copy(out->shell, sizeof out->shell, pw.pw_shell);
  out->uid = pw.pw_uid;
  out->gid = pw.pw_gid;
  return 1;
}

}  // namespace dt
