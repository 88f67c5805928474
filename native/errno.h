// One helper builds every error the addon throws, shaped like Node's ErrnoException.
#ifndef DT_ERRNO_H
#define DT_ERRNO_H

#include <napi.h>

namespace dt {

// Throws {message, errno: -err, code, syscall[, path]} into JS. `err` is positive.
void ThrowErrno(Napi::Env env, int err, const char* syscall, const char* path = nullptr);
const char* ErrnoName(int err);

}  // namespace dt

#endif
