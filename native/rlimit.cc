// Resource limits, RLIM_INFINITY passed through untouched.
#include "core.h"

#include <errno.h>

namespace dt {

int get_rlimit(int resource, rlim_t* cur, rlim_t* max) {
  struct rlimit rl;
  if (getrlimit(resource, &rl) == -1) return -errno;
  *cur = rl.rlim_cur;
  *max = rl.rlim_max;
  return 0;
}

int set_rlimit(int resource, rlim_t cur, rlim_t max) {
  struct rlimit rl;
  rl.rlim_cur = cur;
  rl.rlim_max = max;
  return setrlimit(resource, &rl) == -1 ? -errno : 0;
}

}  // namespace dt
