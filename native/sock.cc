// Unix sockets for readiness (issue 13): a socketpair for a Node IPC channel, a datagram socket
// bound to a name (abstract when it starts with NUL) that receives with the sender's credentials.
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core.h"

namespace dt {

int make_socketpair(int fds[2]) {
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1) return -errno;
  return 0;
}

int bind_dgram(const char* name, size_t len) {
  struct sockaddr_un sa;
  if (len == 0 || len > sizeof sa.sun_path) return -ENAMETOOLONG;
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd == -1) return -errno;
  memset(&sa, 0, sizeof sa);
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, name, len);
  int one = 1;
#if defined(SO_PASSCRED)
  if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == -1) {
    int e = errno;
    close(fd);
    return -e;
  }
#else
  (void)one;
#endif
  if (bind(fd, (struct sockaddr*)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == -1) {
    int e = errno;
    close(fd);
    return -e;
  }
  return fd;
}

ssize_t recv_cred(int fd, char* buf, size_t len, int* truncated, pid_t* pid, uid_t* uid, gid_t* gid) {
  struct iovec iov = {buf, len};
  union {
    struct cmsghdr align;
    char space[CMSG_SPACE(64)];
  } control;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.space;
  msg.msg_controllen = sizeof control.space;
  ssize_t n;
  do n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
  while (n == -1 && errno == EINTR);
  if (n == -1) return -errno;
  *truncated = (msg.msg_flags & MSG_TRUNC) != 0;
  *pid = -1;
  *uid = (uid_t)-1;
  *gid = (gid_t)-1;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
#if defined(SCM_CREDENTIALS)
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
      struct ucred cred;
      memcpy(&cred, CMSG_DATA(c), sizeof cred);
      *pid = cred.pid;
      *uid = cred.uid;
      *gid = cred.gid;
    }
#endif
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      // Descriptors sent along (sd_notify's FDSTORE): not kept.
      int nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
      for (int k = 0; k < nfds; k++) {
        int sent;
        memcpy(&sent, CMSG_DATA(c) + k * sizeof(int), sizeof sent);
        close(sent);
      }
    }
  }
  return n;
}

}  // namespace dt
