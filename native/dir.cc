// A directory's entries and the stat(2) of each, in one call: svscan's rescan (every 5 s, over
// every service) without a string or an object on the JavaScript heap.
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dt {

namespace {

// Little-endian, whatever the host's order.
void put_le(unsigned char* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

}  // namespace

int change_dir(const char* path) { return chdir(path) == -1 ? -errno : 0; }

int change_dir_fd(int fd) { return fchdir(fd) == -1 ? -errno : 0; }

int access_path(const char* path, int mode) { return access(path, mode) == -1 ? -errno : 0; }

int real_path(const char* path, char* out) { return realpath(path, out) == nullptr ? -errno : 0; }

ssize_t readdir_stat(const char* path, int skip, unsigned char* out, size_t cap) {
  DIR* d = opendir(path);
  if (d == nullptr) return -errno;
  int dfd = dirfd(d);
  size_t used = 0;
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(d);
    if (e == nullptr) {
      int err = errno;
      closedir(d);
      if (err != 0) return -err;
      return (ssize_t)used;
    }
    const char* name = e->d_name;
    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
    size_t len = strlen(name);
    size_t size = READDIR_STAT_HEAD + len;
    unsigned char how = READDIR_STAT_OK;
    uint32_t word = 0;
    struct stat st;
    memset(&st, 0, sizeof st);
    if (skip >= 0 && (unsigned char)name[0] == (unsigned)skip) {
      how = READDIR_STAT_SKIPPED;
    } else {
      int r;
      do {
        r = fstatat(dfd, name, &st, 0);
      } while (r == -1 && errno == EINTR);
      if (r == -1) {
        how = READDIR_STAT_FAILED;
        word = (uint32_t)errno;
      } else {
        word = (uint32_t)st.st_mode;
      }
    }
    if (used + size <= cap) {
      unsigned char* p = out + used;
      put_le(p, len, 2);
      p[2] = how;
      p[3] = 0;
      put_le(p + 4, word, 4);
      put_le(p + 8, (uint64_t)st.st_dev, 8);
      put_le(p + 16, (uint64_t)st.st_ino, 8);
      memcpy(p + READDIR_STAT_HEAD, name, len);
    }
    used += size;
  }
}

}  // namespace dt
