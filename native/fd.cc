// Descriptor syscalls Node does not offer: fcntl, pipe, dup, dup2, open without O_CLOEXEC, tee, splice.
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

namespace dt {

int fd_control(int fd, int cmd, int arg) {
  int r;
  do {
    r = fcntl(fd, cmd, arg);
  } while (r == -1 && errno == EINTR);
  return r == -1 ? -errno : r;
}

ssize_t read_fd(int fd, void* buf, size_t len) {
  ssize_t r = read(fd, buf, len);
  return r == -1 ? -errno : r;
}

int make_pipe(int fds[2]) {
#if defined(__APPLE__)
  if (pipe(fds) == -1) return -errno;
  fcntl(fds[0], F_SETFD, FD_CLOEXEC);
  fcntl(fds[1], F_SETFD, FD_CLOEXEC);
  return 0;
#else
  return pipe2(fds, O_CLOEXEC) == -1 ? -errno : 0;
#endif
}

int dup_fd(int fd) {
  int r = dup(fd);
  return r == -1 ? -errno : r;
}

int dup2_fd(int from, int to) {
  int r;
  do {
    r = dup2(from, to);
  } while (r == -1 && errno == EINTR);
  return r == -1 ? -errno : r;
}

int close_fd(int fd) { return close(fd) == -1 ? -errno : 0; }

int open_path(const char* path, int flags, mode_t mode) {
  int r;
  do {
    r = open(path, flags, mode);
  } while (r == -1 && errno == EINTR);
  return r == -1 ? -errno : r;
}

#if defined(__linux__)
// A pipe-to-pipe call (tee, splice), non-blocking, retried on EINTR: the count or -errno.
template <class Call>
static ssize_t pipe_call(Call call) {
  ssize_t r;
  do {
    r = call();
  } while (r == -1 && errno == EINTR);
  return r == -1 ? -errno : r;
}
#endif

ssize_t tee_pipe(int in, int out, size_t len) {
#if defined(__linux__)
  return pipe_call([=] { return tee(in, out, len, SPLICE_F_NONBLOCK); });
#else
  (void)in;
  (void)out;
  (void)len;
  return -ENOSYS;
#endif
}

ssize_t splice_pipe(int in, int out, size_t len) {
#if defined(__linux__)
  return pipe_call([=] { return splice(in, nullptr, out, nullptr, len, SPLICE_F_NONBLOCK); });
#else
  (void)in;
  (void)out;
  (void)len;
  return -ENOSYS;
#endif
}

}  // namespace dt
