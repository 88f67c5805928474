// sd_notify datagrams read as systemd's manager reads them (manager_dispatch_notify_fd,
// service_notify_message): at most 4096 bytes, one trailing NUL allowed and no other, tags split
// on newlines (empty ones dropped); READY=1, RELOADING=1, STOPPING=1 count wherever they appear;
// for MAINPID=, STATUS=, ERRNO= and WATCHDOG= the first such tag counts. Anything else is ignored.
import { constants } from 'node:os';

/** systemd's NOTIFY_BUFFER_MAX (PIPE_BUF): a longer datagram is dropped whole. */
export const NOTIFY_DATAGRAM_MAX = 4096;

export interface NotifyMessage {
  readonly ready: boolean;
  readonly reloading: boolean;
  readonly stopping: boolean;
  /** STATUS=text; null for an empty STATUS= (clears it); undefined when not sent. */
  readonly status?: string | null;
  readonly mainPid?: number;
  readonly errno?: number;
  /** WATCHDOG=1 is a ping, WATCHDOG=trigger asks for the watchdog action now. */
  readonly watchdog?: 'ping' | 'trigger';
  /** Tags we did not use (unknown keys, bad values), for debugging; never acted on. */
  readonly ignored: readonly string[];
}

export type NotifyParse =
  | { readonly ok: true; readonly message: NotifyMessage }
  | { readonly ok: false; readonly reason: 'oversized' | 'embedded-nul' };

const utf8 = new TextDecoder('utf-8', { fatal: true });
const ERRNO = constants.errno as Readonly<Record<string, number>>;
const PID_MAX = 2 ** 31 - 1;
/** systemd's ERRNO_MAX. */
const ERRNO_MAX = 4095;

/** `truncated`: the kernel said MSG_TRUNC (the datagram was longer than the buffer given to recv). */
export function parseNotify(datagram: Uint8Array, truncated = false): NotifyParse {
  const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  if (truncated || bytes.length > NOTIFY_DATAGRAM_MAX) return { ok: false, reason: 'oversized' };
  const nul = bytes.indexOf(0);
  if (nul >= 0 && nul < bytes.length - 1) return { ok: false, reason: 'embedded-nul' };
  const body = nul === bytes.length - 1 ? bytes.subarray(0, nul) : bytes;
  // Bytes as latin1 characters: tags compare byte for byte; STATUS= is decoded as UTF-8 below.
  const tags = body.toString('latin1').split(/[\n\r]+/).filter((t) => t !== '');
  const has = (tag: string): boolean => tags.includes(tag);
  const first = (prefix: string): string | undefined => tags.find((t) => t.startsWith(prefix))?.slice(prefix.length);
  const used = new Set<string>();
  const out: { -readonly [K in keyof NotifyMessage]: NotifyMessage[K] } = {
    ready: has('READY=1'),
    reloading: has('RELOADING=1'),
    stopping: has('STOPPING=1'),
    ignored: [],
  };
  for (const t of ['READY=1', 'RELOADING=1', 'STOPPING=1']) if (has(t)) used.add(t);

  const pid = first('MAINPID=');
  if (pid !== undefined && /^[0-9]{1,10}$/.test(pid) && Number(pid) > 0 && Number(pid) <= PID_MAX) {
    out.mainPid = Number(pid);
    used.add(`MAINPID=${pid}`);
  }
  const status = first('STATUS=');
  if (status !== undefined) {
    try {
      const text = utf8.decode(Buffer.from(status, 'latin1'));
      out.status = text === '' ? null : text;
      used.add(`STATUS=${status}`);
    } catch {
      // Not UTF-8 clean: systemd warns and keeps the old text.
    }
  }
  const errno = first('ERRNO=');
  if (errno !== undefined) {
    const n = /^[0-9]{1,4}$/.test(errno) ? Number(errno) : Object.hasOwn(ERRNO, errno) ? ERRNO[errno]! : NaN;
    if (n >= 0 && n <= ERRNO_MAX) {
      out.errno = n;
      used.add(`ERRNO=${errno}`);
    }
  }
  const watchdog = first('WATCHDOG=');
  if (watchdog === '1' || watchdog === 'trigger') {
    out.watchdog = watchdog === '1' ? 'ping' : 'trigger';
    used.add(`WATCHDOG=${watchdog}`);
  }
  out.ignored = tags.filter((t) => !used.has(t));
  return { ok: true, message: out };
}
