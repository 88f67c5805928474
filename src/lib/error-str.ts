// djb's own words for errno values (daemontools' error_str), looked up by number: the first
// name listed for a number wins, so EAGAIN == EWOULDBLOCK on Linux reads "temporary failure".
// node:os loads on first use, not at start (a ~0.3 ms require that most runs never need).
import type * as Os from 'node:os';

// One line per name, "NAME words", in one string: a start reads it as a single token, where an
// array of a hundred pairs cost V8 ~0.5 M instructions to parse and build (most runs print no error).
const WORDS = `
EINTR interrupted system call
ENOMEM out of memory
ENOENT file does not exist
ETXTBSY text busy
EIO input/output error
EEXIST file already exists
ETIMEDOUT timed out
EINPROGRESS operation in progress
EAGAIN temporary failure
EWOULDBLOCK input/output would block
EPIPE broken pipe
EPERM permission denied
EACCES access denied
ENXIO device not configured
EPROTO protocol error
EISDIR is a directory
ECONNREFUSED connection refused
ENOTDIR not a directory
ESRCH no such process
E2BIG argument list too long
ENOEXEC exec format error
EBADF file descriptor not open
ECHILD no child processes
EDEADLK operation would cause deadlock
EFAULT bad address
ENOTBLK not a block device
EBUSY device busy
EXDEV cross-device link
ENODEV device does not support operation
EINVAL invalid argument
ENFILE system cannot open more files
EMFILE process cannot open more files
ENOTTY not a tty
EFBIG file too big
ENOSPC out of disk space
ESPIPE unseekable descriptor
EROFS read-only file system
EMLINK too many links
EDOM input out of range
ERANGE output out of range
EALREADY operation already in progress
ENOTSOCK not a socket
EDESTADDRREQ destination address required
EMSGSIZE message too long
EPROTOTYPE incorrect protocol type
ENOPROTOOPT protocol not available
EPROTONOSUPPORT protocol not supported
ESOCKTNOSUPPORT socket type not supported
EOPNOTSUPP operation not supported
EPFNOSUPPORT protocol family not supported
EAFNOSUPPORT address family not supported
EADDRINUSE address already used
EADDRNOTAVAIL address not available
ENETDOWN network down
ENETUNREACH network unreachable
ENETRESET network reset
ECONNABORTED connection aborted
ECONNRESET connection reset
ENOBUFS out of buffer space
EISCONN already connected
ENOTCONN not connected
ESHUTDOWN socket shut down
ETOOMANYREFS too many references
ELOOP symbolic link loop
ENAMETOOLONG file name too long
EHOSTDOWN host down
EHOSTUNREACH host unreachable
ENOTEMPTY directory not empty
EPROCLIM too many processes
EUSERS too many users
EDQUOT disk quota exceeded
ESTALE stale NFS file handle
EREMOTE too many levels of remote in path
EBADRPC RPC structure is bad
ERPCMISMATCH RPC version mismatch
EPROGUNAVAIL RPC program unavailable
EPROGMISMATCH program version mismatch
EPROCUNAVAIL bad procedure for program
ENOLCK no locks available
ENOSYS system call not available
EFTYPE bad file type
EAUTH authentication error
ENEEDAUTH not authenticated
ENOSTR not a stream device
ETIME timer expired
ENOSR out of stream resources
ENOMSG no message of desired type
EBADMSG bad message type
EIDRM identifier removed
ENONET machine not on network
ERREMOTE object not local
ENOLINK link severed
EADV advertise error
ESRMNT srmount error
ECOMM communication error
EMULTIHOP multihop attempted
EREMCHG remote address changed
`;

/** The [name, words] pairs, in their order. */
function pairs(): Array<[string, string]> {
  return WORDS.trim()
    .split('\n')
    .map((line): [string, string] => {
      const space = line.indexOf(' ');
      return [line.slice(0, space), line.slice(space + 1)];
    });
}

let byNumber: Map<number, string> | undefined;
let byCode: Map<string, string> | undefined;

// Built on first use: most runs never print an error.
function tables(): [Map<number, string>, Map<string, string>] {
  if (!byNumber || !byCode) {
    const numbers = new Map<number, string>([[0, 'no error']]);
    const codes = new Map<string, string>();
    const errnos = (require('node:os') as typeof Os).constants.errno as Record<string, number | undefined>;
    const list = pairs();
    for (const [name, words] of list) {
      const n = errnos[name];
      if (n !== undefined && !numbers.has(n)) numbers.set(n, words);
    }
    for (const [name] of list) {
      const n = errnos[name];
      if (n !== undefined) codes.set(name, numbers.get(n)!);
    }
    byNumber = numbers;
    byCode = codes;
  }
  return [byNumber, byCode];
}

/** djb's words for an errno number (positive or negative, as libuv reports it). */
export function errorStr(errno: number): string {
  return tables()[0].get(Math.abs(errno)) ?? 'unknown error';
}

/** djb's words for an error thrown by Node or by our addon (`code` such as 'ENOENT'). */
export function errorWords(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; errno?: unknown };
    const words = typeof e.code === 'string' ? tables()[1].get(e.code) : undefined;
    if (words !== undefined) return words;
    if (typeof e.errno === 'number') return errorStr(e.errno);
  }
  return 'unknown error';
}
