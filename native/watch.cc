#include "watch.h"

#include "errno.h"

#include <errno.h>

#include <unordered_set>

#if __has_include(<uv.h>)
#include <uv.h>
#define DT_HAVE_UV 1
#endif

namespace dt {

#ifdef DT_HAVE_UV
namespace {

struct Watch {
  uv_poll_t poll;
  napi_env env;
  Napi::FunctionReference callback;
  Napi::AsyncContext* context;
  bool closed;
};

// Watches not yet freed; a second close() of a freed watch finds nothing here.
std::unordered_set<Watch*> live;

void OnClosed(uv_handle_t* handle) {
  Watch* w = static_cast<Watch*>(handle->data);
  live.erase(w);
  delete w->context;
  delete w;
}

void CloseWatch(Watch* w) {
  if (!live.count(w) || w->closed) return;
  w->closed = true;
  uv_poll_stop(&w->poll);
  w->callback.Reset();
  uv_close(reinterpret_cast<uv_handle_t*>(&w->poll), OnClosed);
}

void OnPoll(uv_poll_t* handle, int status, int events) {
  (void)status;
  (void)events;
  Watch* w = static_cast<Watch*>(handle->data);
  if (w->closed) return;
  Napi::Env env(w->env);
  Napi::HandleScope scope(env);
  w->callback.MakeCallback(env.Global(), {}, *w->context);
}

}  // namespace

Napi::Value WatchReadable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsFunction()) {
    Napi::TypeError::New(env, "watchReadable(fd, callback)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int fd = info[0].As<Napi::Number>().Int32Value();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || !loop) {
    ThrowErrno(env, ENOSYS, "uv_poll_init");
    return env.Undefined();
  }
  Watch* w = new Watch();
  w->env = env;
  w->closed = false;
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    delete w;
    ThrowErrno(env, -r, "uv_poll_init");
    return env.Undefined();
  }
  w->poll.data = w;
  live.insert(w);
  w->callback = Napi::Persistent(info[1].As<Napi::Function>());
  w->context = new Napi::AsyncContext(env, "daemontools.watch");
  r = uv_poll_start(&w->poll, UV_READABLE, OnPoll);
  if (r < 0) {
    CloseWatch(w);
    ThrowErrno(env, -r, "uv_poll_start");
    return env.Undefined();
  }
  Napi::Object handle = Napi::Object::New(env);
  handle.Set("close", Napi::Function::New(env, [w](const Napi::CallbackInfo& ci) {
    CloseWatch(w);
    return ci.Env().Undefined();
  }));
  return handle;
}

#else

Napi::Value WatchReadable(const Napi::CallbackInfo& info) {
  ThrowErrno(info.Env(), ENOSYS, "uv_poll_init");
  return info.Env().Undefined();
}

#endif

}  // namespace dt
