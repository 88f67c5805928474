// Sessions, process groups, pidfds, subreaping, giving memory back, the environment.
#include "core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#if defined(__linux__)
#include <dlfcn.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif
#if defined(__FreeBSD__)
#include <sys/procctl.h>
#endif

#include <string>
#include <vector>

extern char** environ;

namespace dt {

int set_sid() {
  pid_t r = setsid();
  return r == -1 ? -errno : r;
}

int set_pgid(pid_t pid, pid_t pgid) { return setpgid(pid, pgid) == -1 ? -errno : 0; }

int pidfd_open_pid(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
  long r = syscall(SYS_pidfd_open, pid, 0);
  return r == -1 ? -errno : (int)r;
#else
  (void)pid;
  return -ENOSYS;
#endif
}

int pidfd_get_fd(int pidfd, int targetfd) {
#if defined(__linux__) && defined(SYS_pidfd_getfd)
  long r = syscall(SYS_pidfd_getfd, pidfd, targetfd, 0);
  return r == -1 ? -errno : (int)r;
#else
  (void)pidfd;
  (void)targetfd;
  return -ENOSYS;
#endif
}

int same_file_fd(int fd1, int fd2) {
#if defined(__linux__) && defined(SYS_kcmp)
  pid_t self = getpid();
  long r = syscall(SYS_kcmp, self, self, 0 /* KCMP_FILE */, (unsigned long)fd1, (unsigned long)fd2);
  return r == -1 ? -errno : r == 0 ? 1 : 0;
#else
  (void)fd1;
  (void)fd2;
  return -ENOSYS;
#endif
}

int set_child_subreaper() {
#if defined(__linux__)
  return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == -1 ? -errno : 0;
#elif defined(__FreeBSD__)
  return procctl(P_PID, getpid(), PROC_REAP_ACQUIRE, nullptr) == -1 ? -errno : 0;
#else
  return -ENOSYS;
#endif
}

int advise_range(uintptr_t addr, size_t len, int advice) {
  return madvise(reinterpret_cast<void*>(addr), len, advice) == -1 ? -errno : 0;
}

int set_mm_map(const MmLayout& layout) {
#if defined(__linux__) && defined(PR_SET_MM_MAP)
  struct prctl_mm_map map;
  memset(&map, 0, sizeof map);
  map.start_code = layout.start_code;
  map.end_code = layout.end_code;
  map.start_data = layout.start_data;
  map.end_data = layout.end_data;
  map.start_brk = layout.start_brk;
  map.brk = layout.brk;
  map.start_stack = layout.start_stack;
  map.arg_start = layout.arg_start;
  map.arg_end = layout.arg_end;
  map.env_start = layout.env_start;
  map.env_end = layout.env_end;
  map.exe_fd = (uint32_t)-1;
  return prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&map, sizeof map, 0) == -1 ? -errno : 0;
#else
  (void)layout;
  return -ENOSYS;
#endif
}

int set_thread_name(const char* name) {
#if defined(__linux__)
  return prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0) == -1 ? -errno : 0;
#else
  (void)name;
  return -ENOSYS;
#endif
}

long long program_break() {
#if defined(__linux__) && defined(SYS_brk)
  return (long long)syscall(SYS_brk, 0);
#else
  return -ENOSYS;
#endif
}

int replace_environ(char* const* entries) {
  std::vector<std::string> names;
  for (char** e = environ; e && *e; e++) names.emplace_back(*e, strcspn(*e, "="));
  for (auto& name : names) unsetenv(name.c_str());
  for (char* const* e = entries; *e; e++) {
    const char* eq = strchr(*e, '=');
    if (!eq || eq == *e) continue;
    char* kept = strdup(*e);
    if (!kept || putenv(kept) != 0) return -ENOMEM;
  }
  return 0;
}

int release_held_signals() {
#if defined(__linux__)
  auto release = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "daemontools_release_signals"));
  return release ? release() : 0;
#else
  return 0;
#endif
}

int trim_heap() {
#if defined(__GLIBC__)
  return malloc_trim(0);
#else
  return -ENOSYS;
#endif
}

}  // namespace dt
