// Readability watches on the event loop (uv_poll), for FIFOs and pidfds.
#ifndef DT_WATCH_H
#define DT_WATCH_H

#include <napi.h>

namespace dt {

Napi::Value WatchReadable(const Napi::CallbackInfo& info);

}  // namespace dt

#endif
