// mkfifo(3).
#include "core.h"

#include <errno.h>
#include <sys/stat.h>

namespace dt {

int make_fifo(const char* path, mode_t mode) { return mkfifo(path, mode) == -1 ? -errno : 0; }

}  // namespace dt
