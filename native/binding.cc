// The N-API glue: registers the exports, checks arguments, converts them, calls the syscall core
// (core.h), and turns -errno into a Node-style exception (errno.cc). The only other files that
// include N-API are errno.h/errno.cc, which build that exception, and watch.h/watch.cc, the
// readability watch that calls back into JavaScript.
#include <napi.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "core.h"
#include "errno.h"
#include "watch.h"

extern char** environ;

namespace dt {
namespace {

using Napi::CallbackInfo;
using Napi::Env;
using Napi::Value;

bool Fail(Env env, const char* what) {
  Napi::TypeError::New(env, what).ThrowAsJavaScriptException();
  return false;
}

bool GetInt(const CallbackInfo& info, size_t i, int* out) {
  if (info.Length() <= i || !info[i].IsNumber()) return Fail(info.Env(), "expected an integer argument");
  double d = info[i].As<Napi::Number>().DoubleValue();
  if (d != (double)(int)d) return Fail(info.Env(), "expected an integer argument");
  *out = (int)d;
  return true;
}

// How a string stands for bytes: text (its UTF-8) or a byte string (one byte per character, as
// lib/exec/bytes.ts carries environment entries; a character above U+00FF is a TypeError).
enum class StringBytes { kUtf8, kLatin1 };

// A string's bytes, as `as` reads them, or a Buffer's bytes exactly (environment entries,
// arguments and paths as another program handed them over, whatever their encoding).
bool ToBytes(Env env, Value v, std::string* out, StringBytes as) {
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<char>>();
    out->assign(b.Data(), b.Length());
  } else if (v.IsString() && as == StringBytes::kUtf8) {
    *out = v.As<Napi::String>().Utf8Value();
  } else if (v.IsString()) {
    size_t length = 0;
    napi_get_value_string_utf16(env, v, nullptr, 0, &length);
    std::u16string units(length + 1, u'\0');
    napi_get_value_string_utf16(env, v, &units[0], units.size(), &length);
    out->resize(length);
    for (size_t j = 0; j < length; j++) {
      if (units[j] > 0xff) return Fail(env, "expected a byte string (no character above U+00FF)");
      (*out)[j] = (char)units[j];
    }
  } else {
    return Fail(env, as == StringBytes::kUtf8 ? "expected a string or a Buffer" : "expected a byte string or a Buffer");
  }
  if (out->find('\0') != std::string::npos) return Fail(env, "string contains a NUL byte");
  return true;
}

bool ToString(Env env, Value v, std::string* out) { return ToBytes(env, v, out, StringBytes::kUtf8); }

bool GetString(const CallbackInfo& info, size_t i, std::string* out) {
  if (info.Length() <= i) return Fail(info.Env(), "expected a string argument");
  return ToString(info.Env(), info[i], out);
}

bool GetStringArray(const CallbackInfo& info, size_t i, std::vector<std::string>* out, StringBytes as) {
  if (info.Length() <= i || !info[i].IsArray())
    return Fail(info.Env(), as == StringBytes::kUtf8 ? "expected an array of strings or Buffers" : "expected an array of byte strings or Buffers");
  Napi::Array a = info[i].As<Napi::Array>();
  out->resize(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++)
    if (!ToBytes(info.Env(), a.Get(k), &(*out)[k], as)) return false;
  return true;
}

// Arguments and paths: strings are text (UTF-8).
bool GetStrings(const CallbackInfo& info, size_t i, std::vector<std::string>* out) {
  return GetStringArray(info, i, out, StringBytes::kUtf8);
}

// An environment: strings are byte strings, never UTF-8, so what another program handed over
// goes on unchanged.
bool GetByteStrings(const CallbackInfo& info, size_t i, std::vector<std::string>* out) {
  return GetStringArray(info, i, out, StringBytes::kLatin1);
}

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> p;
  for (auto& s : v) p.push_back(&s[0]);
  p.push_back(nullptr);
  return p;
}

bool ToRlim(Env env, Value v, rlim_t* out) {
  if (!v.IsBigInt()) return Fail(env, "expected a bigint limit");
  bool lossless = false;
  uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
  if (!lossless) return Fail(env, "limit out of range");
  *out = (rlim_t)u;
  return true;
}

bool ToSigset(Env env, Value v, sigset_t* set) {
  sigemptyset(set);
  if (!v.IsArray()) return Fail(env, "expected an array of signal numbers");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    Value s = a.Get(k);
    if (!s.IsNumber()) return Fail(env, "expected a signal number");
    int sig = s.As<Napi::Number>().Int32Value();
    if (sig <= 0 || sig >= NSIG) return Fail(env, "signal number out of range");
    sigaddset(set, sig);
  }
  return true;
}

// Holds everything an ExecPlan points at for the duration of one call.
struct PlanStore {
  ExecPlan plan;
  std::vector<Rlimit> rlimits;
  std::vector<FdOp> fds;
  std::string cwd;
  std::vector<gid_t> groups;
};

bool ToPlan(Env env, Value v, PlanStore* store) {
  if (!v.IsObject()) return Fail(env, "expected an exec plan object");
  Napi::Object o = v.As<Napi::Object>();
  ExecPlan& p = store->plan;
  if (!ToSigset(env, o.Get("ignore"), &p.ignore)) return false;
  if (!ToSigset(env, o.Get("mask"), &p.mask)) return false;
  Value held = o.Get("held");
  if (held.IsUndefined()) {
    sigemptyset(&p.held);
  } else if (!ToSigset(env, held, &p.held)) {
    return false;
  }
  Value rl = o.Get("rlimits");
  if (!rl.IsArray()) return Fail(env, "plan.rlimits must be an array");
  Napi::Array ra = rl.As<Napi::Array>();
  for (uint32_t k = 0; k < ra.Length(); k++) {
    Value e = ra.Get(k);
    if (!e.IsArray() || e.As<Napi::Array>().Length() != 3) return Fail(env, "rlimit entry must be [resource, cur, max]");
    Napi::Array t = e.As<Napi::Array>();
    if (!t.Get(0u).IsNumber()) return Fail(env, "rlimit resource must be a number");
    Rlimit r;
    r.resource = t.Get(0u).As<Napi::Number>().Int32Value();
    if (!ToRlim(env, t.Get(1u), &r.cur) || !ToRlim(env, t.Get(2u), &r.max)) return false;
    store->rlimits.push_back(r);
  }
  Value fv = o.Get("fds");
  if (!fv.IsArray()) return Fail(env, "plan.fds must be an array");
  Napi::Array fa = fv.As<Napi::Array>();
  for (uint32_t k = 0; k < fa.Length(); k++) {
    Value e = fa.Get(k);
    if (!e.IsArray()) return Fail(env, "fd op must be an array");
    Napi::Array t = e.As<Napi::Array>();
    std::string kind;
    if (!ToString(env, t.Get(0u), &kind)) return false;
    FdOp op = {0, -1, 0};
    Value a = t.Get(1u), b = t.Get(2u);
    if (!a.IsNumber()) return Fail(env, "fd op needs a descriptor");
    op.a = a.As<Napi::Number>().Int32Value();
    if (kind == "dup2") {
      if (!b.IsNumber()) return Fail(env, "dup2 needs a target descriptor");
      op.kind = FD_DUP2;
      op.b = b.As<Napi::Number>().Int32Value();
    } else if (kind == "close") {
      op.kind = FD_CLOSE;
    } else if (kind == "cloexec" || kind == "nonblock") {
      if (!b.IsBoolean()) return Fail(env, "flag op needs a boolean");
      op.kind = kind == "cloexec" ? FD_CLOEXEC_SET : FD_NONBLOCK_SET;
      op.b = b.As<Napi::Boolean>().Value() ? 1 : 0;
    } else {
      return Fail(env, "unknown fd op");
    }
    if (op.a < 0 || (op.kind == FD_DUP2 && op.b < 0)) return Fail(env, "negative descriptor");
    store->fds.push_back(op);
  }
  Value ss = o.Get("setsid");
  p.setsid = ss.IsBoolean() && ss.As<Napi::Boolean>().Value();
  Value pg = o.Get("pgid");
  p.set_pgid = pg.IsNumber();
  p.pgid = p.set_pgid ? pg.As<Napi::Number>().Int32Value() : 0;
  if (p.pgid < 0) return Fail(env, "negative pgid");
  Value cwd = o.Get("cwd");
  p.cwd = nullptr;
  if (!cwd.IsUndefined() && !cwd.IsNull()) {
    if (!ToString(env, cwd, &store->cwd)) return false;
    p.cwd = store->cwd.c_str();
  }
  Value um = o.Get("umask");
  p.umask = -1;
  if (!um.IsUndefined() && !um.IsNull()) {
    if (!um.IsNumber()) return Fail(env, "plan.umask must be a number");
    int mask = um.As<Napi::Number>().Int32Value();
    if (mask < 0 || mask > 0777) return Fail(env, "plan.umask out of range");
    p.umask = mask;
  }
  p.set_creds = false;
  Value creds = o.Get("creds");
  if (!creds.IsUndefined() && !creds.IsNull()) {
    if (!creds.IsObject()) return Fail(env, "plan.creds must be {uid, gid, groups}");
    Napi::Object co = creds.As<Napi::Object>();
    Value uid = co.Get("uid"), gid = co.Get("gid"), groups = co.Get("groups");
    if (!uid.IsNumber() || !gid.IsNumber() || !groups.IsArray()) return Fail(env, "plan.creds must be {uid, gid, groups}");
    Napi::Array ga = groups.As<Napi::Array>();
    for (uint32_t k = 0; k < ga.Length(); k++) {
      if (!ga.Get(k).IsNumber()) return Fail(env, "plan.creds.groups must hold numbers");
      store->groups.push_back((gid_t)ga.Get(k).As<Napi::Number>().Uint32Value());
    }
    p.set_creds = true;
    p.uid = (uid_t)uid.As<Napi::Number>().Uint32Value();
    p.gid = (gid_t)gid.As<Napi::Number>().Uint32Value();
  }
  p.groups = store->groups.data();
  p.ngroups = (int)store->groups.size();
  p.rlimits = store->rlimits.data();
  p.nrlimits = (int)store->rlimits.size();
  p.fds = store->fds.data();
  p.nfds = (int)store->fds.size();
  return true;
}

Value Execve(const CallbackInfo& info) {
  Env env = info.Env();
  std::vector<std::string> files, argv, envp;
  PlanStore store;
  if (!GetStrings(info, 0, &files) || !GetStrings(info, 1, &argv) || !GetByteStrings(info, 2, &envp)) return env.Undefined();
  if (info.Length() < 4 || !ToPlan(env, info[3], &store)) return env.Undefined();
  if (files.empty()) return Fail(env, "no file to execute"), env.Undefined();
  std::vector<const char*> fp;
  for (auto& f : files) fp.push_back(f.c_str());
  auto av = CStrings(argv);
  auto ev = CStrings(envp);
  int failed = 0;
  int r = exec_files(fp.data(), (int)fp.size(), av.data(), ev.data(), store.plan, &failed);
  ThrowErrno(env, -r, "execve", files[failed].c_str());
  return env.Undefined();
}

Value Spawn(const CallbackInfo& info) {
  Env env = info.Env();
  std::string file;
  std::vector<std::string> argv, envp;
  PlanStore store;
  if (!GetString(info, 0, &file) || !GetStrings(info, 1, &argv) || !GetByteStrings(info, 2, &envp)) return env.Undefined();
  if (info.Length() < 4 || !ToPlan(env, info[3], &store)) return env.Undefined();
  auto av = CStrings(argv);
  auto ev = CStrings(envp);
  int exec_errno = 0;
  pid_t pid = spawn(file.c_str(), av.data(), ev.data(), store.plan, &exec_errno);
  if (pid < 0) {
    ThrowErrno(env, -pid, "fork");
    return env.Undefined();
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", pid);
  o.Set("execErrno", exec_errno);
  return o;
}

Value Waitpid(const CallbackInfo& info) {
  Env env = info.Env();
  int pid, options, status = 0;
  if (!GetInt(info, 0, &pid) || !GetInt(info, 1, &options)) return env.Undefined();
  int r = wait_pid(pid, options, &status);
  if (r < 0) return ThrowErrno(env, -r, "waitpid"), env.Undefined();
  if (r == 0) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", r);
  o.Set("code", WIFEXITED(status) ? Napi::Value(Napi::Number::New(env, WEXITSTATUS(status))) : env.Null());
  o.Set("signal", WIFSIGNALED(status) ? Napi::Value(Napi::Number::New(env, WTERMSIG(status))) : env.Null());
  o.Set("status", status);
  return o;
}

Value Waitid(const CallbackInfo& info) {
  Env env = info.Env();
  int pid, options, code = 0, status = 0;
  if (!GetInt(info, 0, &pid) || !GetInt(info, 1, &options)) return env.Undefined();
  int r = wait_id(pid, options, &code, &status);
  if (r < 0) return ThrowErrno(env, -r, "waitid"), env.Undefined();
  if (r == 0) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", r);
  o.Set("code", code);
  o.Set("status", status);
  return o;
}

Value Getrlimit(const CallbackInfo& info) {
  Env env = info.Env();
  int res;
  if (!GetInt(info, 0, &res)) return env.Undefined();
  rlim_t cur, max;
  int r = get_rlimit(res, &cur, &max);
  if (r < 0) return ThrowErrno(env, -r, "getrlimit"), env.Undefined();
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, Napi::BigInt::New(env, (uint64_t)cur));
  a.Set(1u, Napi::BigInt::New(env, (uint64_t)max));
  return a;
}

Value Setrlimit(const CallbackInfo& info) {
  Env env = info.Env();
  int res;
  rlim_t cur, max;
  if (!GetInt(info, 0, &res)) return env.Undefined();
  if (info.Length() < 3 || !ToRlim(env, info[1], &cur) || !ToRlim(env, info[2], &max)) return env.Undefined();
  int r = set_rlimit(res, cur, max);
  if (r < 0) ThrowErrno(env, -r, "setrlimit");
  return env.Undefined();
}

// (int) -> void syscalls.
template <int (*F)(int), const char* Name>
Value IntCall(const CallbackInfo& info) {
  Env env = info.Env();
  int a;
  if (!GetInt(info, 0, &a)) return env.Undefined();
  int r = F(a);
  if (r < 0) return ThrowErrno(env, -r, Name), env.Undefined();
  return Napi::Number::New(env, r);
}

int SetUid(int v) { return set_uid((uid_t)v); }
int SetGid(int v) { return set_gid((gid_t)v); }
int ChangeDirFd(int fd) { return change_dir_fd(fd); }
int SetUidThread(int v) { return set_uid_thread((uid_t)v); }
int SetGidThread(int v) { return set_gid_thread((gid_t)v); }
int Dup(int v) { return dup_fd(v); }
int Close(int v) { return close_fd(v); }
int PidfdOpen(int v) { return pidfd_open_pid((pid_t)v); }
int SetFsuid(int v) { return set_fsuid((uid_t)v); }
int SetFsgid(int v) { return set_fsgid((gid_t)v); }
int HoldSignal(int v) { return hold_signal_for_exec(v); }
constexpr char kSetfsuid[] = "setfsuid";
constexpr char kSetfsgid[] = "setfsgid";
constexpr char kSetuid[] = "setuid";
constexpr char kSetgid[] = "setgid";
constexpr char kFchdir[] = "fchdir";
constexpr char kDup[] = "dup";
constexpr char kClose[] = "close";
constexpr char kPidfdOpen[] = "pidfd_open";
constexpr char kSigaction[] = "sigaction";

bool GetGids(const CallbackInfo& info, size_t i, std::vector<gid_t>* gids) {
  if (info.Length() <= i || !info[i].IsArray()) return Fail(info.Env(), "expected an array of gids");
  Napi::Array a = info[i].As<Napi::Array>();
  for (uint32_t k = 0; k < a.Length(); k++) {
    Value g = a.Get(k);
    if (!g.IsNumber()) return Fail(info.Env(), "expected a gid");
    gids->push_back((gid_t)g.As<Napi::Number>().Uint32Value());
  }
  return true;
}

// setgroups for the whole process (libc) or, with `thread`, for the calling thread only.
template <bool thread>
Value Setgroups(const CallbackInfo& info) {
  Env env = info.Env();
  std::vector<gid_t> gids;
  if (!GetGids(info, 0, &gids)) return env.Undefined();
  int r = thread ? set_groups_thread(gids.data(), (int)gids.size()) : set_groups(gids.data(), (int)gids.size());
  if (r < 0) ThrowErrno(env, -r, "setgroups");
  return env.Undefined();
}

Value Getpeercred(const CallbackInfo& info) {
  Env env = info.Env();
  int fd;
  if (!GetInt(info, 0, &fd)) return env.Undefined();
  pid_t pid;
  uid_t uid;
  gid_t gid;
  int r = peer_cred(fd, &pid, &uid, &gid);
  if (r < 0) return ThrowErrno(env, -r, "getsockopt"), env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("pid", (double)pid);
  o.Set("uid", (double)uid);
  o.Set("gid", (double)gid);
  return o;
}

Value Getgroups(const CallbackInfo& info) {
  Env env = info.Env();
  std::vector<gid_t> gids(65536);
  int n = get_groups(gids.data(), (int)gids.size());
  if (n < 0) return ThrowErrno(env, -n, "getgroups"), env.Undefined();
  Napi::Array a = Napi::Array::New(env, n);
  for (int k = 0; k < n; k++) a.Set((uint32_t)k, Napi::Number::New(env, gids[k]));
  return a;
}

Value Getpwnam(const CallbackInfo& info) {
  Env env = info.Env();
  std::string name;
  if (!GetString(info, 0, &name)) return env.Undefined();
  Passwd pw;
  int r = lookup_passwd(name.c_str(), &pw);
  if (r < 0) return ThrowErrno(env, -r, "getpwnam"), env.Undefined();
  if (r == 0) return env.Null();
  Napi::Object o = Napi::Object::New(env);
  o.Set("name", pw.name);
  o.Set("uid", (double)pw.uid);
  o.Set("gid", (double)pw.gid);
  o.Set("dir", pw.dir);
  o.Set("shell", pw.shell);
  return o;
}

Value Setsid(const CallbackInfo& info) {
  int r = set_sid();
  if (r < 0) return ThrowErrno(info.Env(), -r, "setsid"), info.Env().Undefined();
  return Napi::Number::New(info.Env(), r);
}

Value Setpgid(const CallbackInfo& info) {
  Env env = info.Env();
  int pid, pgid;
  if (!GetInt(info, 0, &pid) || !GetInt(info, 1, &pgid)) return env.Undefined();
  int r = set_pgid(pid, pgid);
  if (r < 0) ThrowErrno(env, -r, "setpgid");
  return env.Undefined();
}

Value Flock(const CallbackInfo& info) {
  Env env = info.Env();
  int fd, op;
  if (!GetInt(info, 0, &fd) || !GetInt(info, 1, &op)) return env.Undefined();
  int r = lock_fd(fd, op);
  if (r < 0) ThrowErrno(env, -r, "flock");
  return env.Undefined();
}

Value Mkfifo(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  int mode;
  if (!GetString(info, 0, &path) || !GetInt(info, 1, &mode)) return env.Undefined();
  int r = make_fifo(path.c_str(), (mode_t)mode);
  if (r < 0) ThrowErrno(env, -r, "mkfifo", path.c_str());
  return env.Undefined();
}

// (path, mode): access(2), throwing its errno.
Value Access(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  int mode;
  if (!GetString(info, 0, &path) || !GetInt(info, 1, &mode)) return env.Undefined();
  int r = access_path(path.c_str(), mode);
  if (r < 0) ThrowErrno(env, -r, "access", path.c_str());
  return env.Undefined();
}

// (path) -> realpath(3) of it, as text (Node's realpathSync.native gives the same string).
Value Realpath(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  if (!GetString(info, 0, &path)) return env.Undefined();
  char out[PATH_MAX];
  int r = real_path(path.c_str(), out);
  if (r < 0) return ThrowErrno(env, -r, "realpath", path.c_str()), env.Undefined();
  return Napi::String::New(env, out);
}

// (path, out: Float64Array) -> st_mode: stat(2) following symlinks, st_dev and st_ino into out[0]
// and out[1]; nothing on the JavaScript heap (svscan's rescan stats every entry every 5 s).
Value StatId(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  if (!GetString(info, 0, &path)) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsTypedArray() ||
      info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      info[1].As<Napi::TypedArray>().ElementLength() < 2) {
    Napi::TypeError::New(env, "statId: out must be a Float64Array of 2").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Float64Array out = info[1].As<Napi::Float64Array>();
  struct stat st;
  if (stat(path.c_str(), &st) == -1) return ThrowErrno(env, errno, "stat", path.c_str()), env.Undefined();
  out[0] = (double)st.st_dev;
  out[1] = (double)st.st_ino;
  return Napi::Number::New(env, st.st_mode);
}

// (path, skip, out: Buffer) -> size of the listing: readdir_stat (core.h) into out; a size past
// out's length says how much room the whole listing needs (out holds less).
Value ReaddirStat(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  int skip;
  if (!GetString(info, 0, &path) || !GetInt(info, 1, &skip)) return env.Undefined();
  if (info.Length() < 3 || !info[2].IsBuffer()) return Fail(env, "expected a Buffer"), env.Undefined();
  auto b = info[2].As<Napi::Buffer<unsigned char>>();
  ssize_t r = readdir_stat(path.c_str(), skip, b.Data(), b.Length());
  if (r < 0) return ThrowErrno(env, (int)-r, "readdir", path.c_str()), env.Undefined();
  return Napi::Number::New(env, (double)r);
}

Value Fcntl(const CallbackInfo& info) {
  Env env = info.Env();
  int fd, cmd, arg = 0;
  if (!GetInt(info, 0, &fd) || !GetInt(info, 1, &cmd)) return env.Undefined();
  if (info.Length() > 2 && !info[2].IsUndefined() && !GetInt(info, 2, &arg)) return env.Undefined();
  int r = fd_control(fd, cmd, arg);
  if (r < 0) return ThrowErrno(env, -r, "fcntl"), env.Undefined();
  return Napi::Number::New(env, r);
}

// () -> [fd, fd] from a call that fills two descriptors (pipe, socketpair).
Value FdPair(const CallbackInfo& info, int (*make)(int[2]), const char* syscall) {
  Env env = info.Env();
  int fds[2];
  int r = make(fds);
  if (r < 0) return ThrowErrno(env, -r, syscall), env.Undefined();
  Napi::Array a = Napi::Array::New(env, 2);
  a.Set(0u, fds[0]);
  a.Set(1u, fds[1]);
  return a;
}

Value Pipe(const CallbackInfo& info) { return FdPair(info, make_pipe, "pipe"); }

Value Socketpair(const CallbackInfo& info) { return FdPair(info, make_socketpair, "socketpair"); }

// (name: Buffer) -> fd: the address's bytes exactly (a leading NUL for an abstract name).
Value BindDgram(const CallbackInfo& info) {
  Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBuffer()) return Fail(env, "expected a Buffer"), env.Undefined();
  auto b = info[0].As<Napi::Buffer<char>>();
  int r = bind_dgram(b.Data(), b.Length());
  if (r < 0) return ThrowErrno(env, -r, "bind"), env.Undefined();
  return Napi::Number::New(env, r);
}

// (fd, buf: Buffer) -> {length, truncated, pid, uid, gid} or null when nothing is waiting.
Value RecvCred(const CallbackInfo& info) {
  Env env = info.Env();
  int fd;
  if (!GetInt(info, 0, &fd)) return env.Undefined();
  if (info.Length() < 2 || !info[1].IsBuffer()) return Fail(env, "expected a Buffer"), env.Undefined();
  auto b = info[1].As<Napi::Buffer<char>>();
  int truncated = 0;
  pid_t pid;
  uid_t uid;
  gid_t gid;
  ssize_t n = recv_cred(fd, b.Data(), b.Length(), &truncated, &pid, &uid, &gid);
  if (n == -EAGAIN || n == -EWOULDBLOCK) return env.Null();
  if (n < 0) return ThrowErrno(env, (int)-n, "recvmsg"), env.Undefined();
  Napi::Object o = Napi::Object::New(env);
  o.Set("length", (double)n);
  o.Set("truncated", truncated != 0);
  o.Set("pid", (double)pid);
  o.Set("uid", uid == (uid_t)-1 ? -1.0 : (double)uid);
  o.Set("gid", gid == (gid_t)-1 ? -1.0 : (double)gid);
  return o;
}

Value Dup2(const CallbackInfo& info) {
  Env env = info.Env();
  int from, to;
  if (!GetInt(info, 0, &from) || !GetInt(info, 1, &to)) return env.Undefined();
  int r = dup2_fd(from, to);
  if (r < 0) return ThrowErrno(env, -r, "dup2"), env.Undefined();
  return Napi::Number::New(env, r);
}

Value Chdir(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  if (!GetString(info, 0, &path)) return env.Undefined();
  int r = change_dir(path.c_str());
  if (r < 0) return ThrowErrno(env, -r, "chdir", path.c_str()), env.Undefined();
  return env.Undefined();
}

Value Open(const CallbackInfo& info) {
  Env env = info.Env();
  std::string path;
  int flags, mode;
  if (!GetString(info, 0, &path) || !GetInt(info, 1, &flags) || !GetInt(info, 2, &mode)) return env.Undefined();
  int r = open_path(path.c_str(), flags, (mode_t)mode);
  if (r < 0) return ThrowErrno(env, -r, "open", path.c_str()), env.Undefined();
  return Napi::Number::New(env, r);
}

// The bytes [offset, offset + length) of a typed array argument, checked to lie inside it.
bool GetRange(const CallbackInfo& info, size_t i, char** data, size_t* length) {
  if (info.Length() <= i || !info[i].IsTypedArray()) return Fail(info.Env(), "expected a Uint8Array or a Buffer");
  Napi::TypedArray a = info[i].As<Napi::TypedArray>();
  if (a.TypedArrayType() != napi_uint8_array) return Fail(info.Env(), "expected a Uint8Array or a Buffer");
  int offset, count;
  if (!GetInt(info, i + 1, &offset) || !GetInt(info, i + 2, &count)) return false;
  if (offset < 0 || count < 0 || (size_t)offset + (size_t)count > a.ElementLength()) return Fail(info.Env(), "offset and length must lie inside the array");
  *data = static_cast<char*>(a.ArrayBuffer().Data()) + a.ByteOffset() + offset;
  *length = (size_t)count;
  return true;
}

// (fd, array, offset, length) -> the count read(2) gave.
Value Read(const CallbackInfo& info) {
  Env env = info.Env();
  int fd;
  char* data;
  size_t length;
  if (!GetInt(info, 0, &fd) || !GetRange(info, 1, &data, &length)) return env.Undefined();
  ssize_t r = read_fd(fd, data, length);
  if (r < 0) return ThrowErrno(env, (int)-r, "read"), env.Undefined();
  return Napi::Number::New(env, (double)r);
}

Value PidfdGetfd(const CallbackInfo& info) {
  Env env = info.Env();
  int pidfd, target;
  if (!GetInt(info, 0, &pidfd) || !GetInt(info, 1, &target)) return env.Undefined();
  int r = pidfd_get_fd(pidfd, target);
  if (r < 0) return ThrowErrno(env, -r, "pidfd_getfd"), env.Undefined();
  return Napi::Number::New(env, r);
}

Value Kcmp(const CallbackInfo& info) {
  Env env = info.Env();
  int a, b;
  if (!GetInt(info, 0, &a) || !GetInt(info, 1, &b)) return env.Undefined();
  int r = same_file_fd(a, b);
  if (r < 0) return ThrowErrno(env, -r, "kcmp"), env.Undefined();
  return Napi::Boolean::New(env, r == 1);
}

// (in, out, len) -> count: the pipe-to-pipe calls (tee, splice).
template <ssize_t (*F)(int, int, size_t), const char* Name>
Value PipeCall(const CallbackInfo& info) {
  Env env = info.Env();
  int in, out, len;
  if (!GetInt(info, 0, &in) || !GetInt(info, 1, &out) || !GetInt(info, 2, &len)) return env.Undefined();
  ssize_t r = F(in, out, (size_t)len);
  if (r < 0) return ThrowErrno(env, (int)-r, Name), env.Undefined();
  return Napi::Number::New(env, (double)r);
}
constexpr char kTee[] = "tee";
constexpr char kSplice[] = "splice";

Value Madvise(const CallbackInfo& info) {
  Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsNumber() || !info[1].IsNumber() || !info[2].IsNumber())
    return Fail(env, "expected (addr, length, advice)"), env.Undefined();
  int64_t addr = info[0].As<Napi::Number>().Int64Value();
  int64_t len = info[1].As<Napi::Number>().Int64Value();
  if (addr < 0 || len < 0) return Fail(env, "expected a non-negative address and length"), env.Undefined();
  int r = advise_range((uintptr_t)addr, (size_t)len, info[2].As<Napi::Number>().Int32Value());
  if (r < 0) ThrowErrno(env, -r, "madvise");
  return env.Undefined();
}

// The argument area prctl(PR_SET_MM_MAP) last moved the command line to: kept alive here, as the
// kernel reads it for as long as it is the process's.
Napi::Reference<Napi::Buffer<char>> command_line;

// (layout, args): PR_SET_MM_MAP with layout's fields (numbers, as /proc/PID/stat gives them) and
// the argument area moved to the bytes of `args`, a Buffer on memory of its own (an ArrayBuffer's).
Value PrctlSetMmMap(const CallbackInfo& info) {
  Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsObject() || !info[1].IsBuffer())
    return Fail(env, "expected (layout, buffer)"), env.Undefined();
  Napi::Object o = info[0].As<Napi::Object>();
  MmLayout layout;
  struct {
    const char* name;
    uint64_t* out;
  } const named[] = {
      {"startCode", &layout.start_code}, {"endCode", &layout.end_code},   {"startData", &layout.start_data},
      {"endData", &layout.end_data},     {"startBrk", &layout.start_brk}, {"brk", &layout.brk},
      {"startStack", &layout.start_stack}, {"envStart", &layout.env_start}, {"envEnd", &layout.env_end},
  };
  for (const auto& f : named) {
    Value v = o.Get(f.name);
    if (!v.IsNumber() || v.As<Napi::Number>().DoubleValue() < 0)
      return Fail(env, "expected a layout of non-negative addresses"), env.Undefined();
    *f.out = (uint64_t)v.As<Napi::Number>().Int64Value();
  }
  auto args = info[1].As<Napi::Buffer<char>>();
  layout.arg_start = (uint64_t)(uintptr_t)args.Data();
  layout.arg_end = layout.arg_start + args.Length();
  int r = set_mm_map(layout);
  if (r < 0) return ThrowErrno(env, -r, "prctl"), env.Undefined();
  command_line = Napi::Persistent(args);
  return env.Undefined();
}

Value PrctlSetName(const CallbackInfo& info) {
  Env env = info.Env();
  std::string name;
  if (!GetString(info, 0, &name)) return env.Undefined();
  int r = set_thread_name(name.c_str());
  if (r < 0) ThrowErrno(env, -r, "prctl");
  return env.Undefined();
}

Value Brk(const CallbackInfo& info) {
  long long r = program_break();
  if (r < 0) return ThrowErrno(info.Env(), (int)-r, "brk"), info.Env().Undefined();
  return Napi::Number::New(info.Env(), (double)r);
}

// This process's environment as it is now (environ), each entry as a byte string (one character
// per byte: what JavaScript would otherwise make of a Buffer each, at a start's cost).
Value Environ(const CallbackInfo& info) {
  Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  uint32_t k = 0;
  for (char** e = environ; e && *e; e++) {
    napi_value entry;
    napi_create_string_latin1(env, *e, strlen(*e), &entry);
    out.Set(k++, Value(env, entry));
  }
  return out;
}

// Makes `entries` (Buffers or byte strings, NAME=value) this process's environment, bytes exactly.
Value ReplaceEnviron(const CallbackInfo& info) {
  Env env = info.Env();
  std::vector<std::string> entries;
  if (!GetByteStrings(info, 0, &entries)) return env.Undefined();
  auto list = CStrings(entries);
  int r = replace_environ(list.data());
  if (r < 0) ThrowErrno(env, -r, "putenv");
  return env.Undefined();
}

Value ReleaseSignals(const CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), release_held_signals() == 1);
}

Value MallocTrim(const CallbackInfo& info) {
  int r = trim_heap();
  return Napi::Boolean::New(info.Env(), r > 0);
}

Value SetChildSubreaper(const CallbackInfo& info) {
  int r = set_child_subreaper();
  if (r < 0) ThrowErrno(info.Env(), -r, "prctl");
  return info.Env().Undefined();
}

Value Exit(const CallbackInfo& info) {
  int code = 0;
  if (info.Length() > 0 && info[0].IsNumber()) code = info[0].As<Napi::Number>().Int32Value();
  _exit(code);
  return info.Env().Undefined();
}

Napi::Object Constants(Env env) {
  Napi::Object c = Napi::Object::New(env);
  Napi::Object rl = Napi::Object::New(env);
#define R(name) rl.Set(#name, Napi::Number::New(env, RLIMIT_##name));
  R(CPU) R(FSIZE) R(DATA) R(STACK) R(CORE) R(NOFILE) R(AS)
#ifdef RLIMIT_RSS
  R(RSS)
#endif
#ifdef RLIMIT_NPROC
  R(NPROC)
#endif
#ifdef RLIMIT_MEMLOCK
  R(MEMLOCK)
#endif
#ifdef RLIMIT_LOCKS
  R(LOCKS)
#endif
#ifdef RLIMIT_SIGPENDING
  R(SIGPENDING)
#endif
#ifdef RLIMIT_MSGQUEUE
  R(MSGQUEUE)
#endif
#ifdef RLIMIT_NICE
  R(NICE)
#endif
#ifdef RLIMIT_RTPRIO
  R(RTPRIO)
#endif
#ifdef RLIMIT_RTTIME
  R(RTTIME)
#endif
#ifdef RLIMIT_VMEM
  R(VMEM)
#endif
#ifdef RLIMIT_SBSIZE
  R(SBSIZE)
#endif
#undef R
  c.Set("RLIMIT", rl);
  c.Set("RLIM_INFINITY", Napi::BigInt::New(env, (uint64_t)RLIM_INFINITY));
  c.Set("NSIG", NSIG);
  c.Set("F_GETFD", F_GETFD);
  c.Set("F_SETFD", F_SETFD);
  c.Set("F_GETFL", F_GETFL);
  c.Set("F_SETFL", F_SETFL);
#ifdef F_SETPIPE_SZ
  c.Set("F_GETPIPE_SZ", F_GETPIPE_SZ);
  c.Set("F_SETPIPE_SZ", F_SETPIPE_SZ);
#endif
  c.Set("FD_CLOEXEC", FD_CLOEXEC);
  c.Set("O_NONBLOCK", O_NONBLOCK);
  c.Set("O_CLOEXEC", O_CLOEXEC);
  c.Set("LOCK_SH", LOCK_SH);
  c.Set("LOCK_EX", LOCK_EX);
  c.Set("LOCK_NB", LOCK_NB);
  c.Set("LOCK_UN", LOCK_UN);
  c.Set("WNOHANG", WNOHANG);
  c.Set("WEXITED", WEXITED);
  c.Set("WSTOPPED", WSTOPPED);
  c.Set("WCONTINUED", WCONTINUED);
  c.Set("WNOWAIT", WNOWAIT);
  c.Set("CLD_STOPPED", (int)CLD_STOPPED);
  c.Set("CLD_CONTINUED", (int)CLD_CONTINUED);
  return c;
}

// The exports are made one at a time, as JavaScript first asks for them (src/native/index.ts):
// a chain's start uses a handful of these functions, and making every one of them (a V8
// function each, and a property more on the exports) cost each start that loads the addon
// ~0.6 M instructions.
struct Export {
  const char* name;
  Value (*call)(const CallbackInfo&);
};

constexpr Export kExports[] = {
    {"execve", Execve},
    {"spawn", Spawn},
    {"waitpid", Waitpid},
    {"waitid", Waitid},
    {"getrlimit", Getrlimit},
    {"setrlimit", Setrlimit},
    {"setuid", IntCall<SetUid, kSetuid>},
    {"setgid", IntCall<SetGid, kSetgid>},
    {"setuidThread", IntCall<SetUidThread, kSetuid>},
    {"setgidThread", IntCall<SetGidThread, kSetgid>},
    {"setgroups", Setgroups<false>},
    {"getgroups", Getgroups},
    {"setgroupsThread", Setgroups<true>},
    {"setfsuid", IntCall<SetFsuid, kSetfsuid>},
    {"setfsgid", IntCall<SetFsgid, kSetfsgid>},
    {"getpeercred", Getpeercred},
    {"getpwnam", Getpwnam},
    {"setsid", Setsid},
    {"setpgid", Setpgid},
    {"flock", Flock},
    {"mkfifo", Mkfifo},
    {"statId", StatId},
    {"access", Access},
    {"realpath", Realpath},
    {"readdirStat", ReaddirStat},
    {"fcntl", Fcntl},
    {"pipe", Pipe},
    {"socketpair", Socketpair},
    {"bindDgram", BindDgram},
    {"recvCred", RecvCred},
    {"dup", IntCall<Dup, kDup>},
    {"dup2", Dup2},
    {"close", IntCall<Close, kClose>},
    {"open", Open},
    {"read", Read},
    {"chdir", Chdir},
    {"fchdir", IntCall<ChangeDirFd, kFchdir>},
    {"watchReadable", WatchReadable},
    {"pidfdOpen", IntCall<PidfdOpen, kPidfdOpen>},
    {"pidfdGetfd", PidfdGetfd},
    {"sameFile", Kcmp},
    {"tee", PipeCall<tee_pipe, kTee>},
    {"splice", PipeCall<splice_pipe, kSplice>},
    {"madvise", Madvise},
    {"holdSignalForExec", IntCall<HoldSignal, kSigaction>},
    {"environ", Environ},
    {"replaceEnviron", ReplaceEnviron},
    {"releaseSignals", ReleaseSignals},
    {"prctlSetMmMap", PrctlSetMmMap},
    {"brk", Brk},
    {"prctlSetName", PrctlSetName},
    {"mallocTrim", MallocTrim},
    {"setChildSubreaper", SetChildSubreaper},
    {"exit", Exit},
};

napi_value Call(napi_env env, napi_callback_info raw) {
  CallbackInfo info(env, raw);
  return static_cast<const Export*>(info.Data())->call(info);
}

// get(name): the constants, RLIM_INFINITY alone, a function of kExports, or undefined for any other name.
Value Get(const CallbackInfo& info) {
  Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) return env.Undefined();
  std::string name = info[0].As<Napi::String>().Utf8Value();
  if (name == "constants") return Constants(env);
  if (name == "rlimInfinity") return Napi::BigInt::New(env, (uint64_t)RLIM_INFINITY);
  for (const Export& e : kExports) {
    if (name != e.name) continue;
    napi_value fn;
    if (napi_create_function(env, e.name, NAPI_AUTO_LENGTH, Call, const_cast<Export*>(&e), &fn) != napi_ok) return env.Undefined();
    return Value(env, fn);
  }
  return env.Undefined();
}

Napi::Object Init(Env env, Napi::Object exports) {
  exports.Set("get", Napi::Function::New<Get>(env, "get"));
  return exports;
}

}  // namespace

Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return Init(env, exports); }

}  // namespace dt

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return dt::InitAddon(env, exports); }
NODE_API_MODULE(daemontools, InitModule)
