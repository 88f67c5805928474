// flock(2), retried on EINTR.
#include "core.h"

#include <errno.h>
#include <sys/file.h>

namespace dt {

int lock_fd(int fd, int operation) {
  while (flock(fd, operation) == -1) {
    if (errno != EINTR) return -errno;
  }
  return 0;
}

}  // namespace dt
