import { describe, expect, test } from 'vitest';
import { NOTIFY_DATAGRAM_MAX, parseNotify, type NotifyMessage } from '../../../../../src/lib/supervise/ext/sd-notify.js';

const NONE = { ready: false, reloading: false, stopping: false, ignored: [] };
const msg = (over: Partial<NotifyMessage>): NotifyMessage => ({ ...NONE, ...over });

describe('as systemd reads a datagram', () => {
  test.each<[string, string | Buffer, NotifyMessage]>([
    ['READY=1', 'READY=1', msg({ ready: true })],
    ['READY=1 with a newline, as sd_notify sends it', 'READY=1\n', msg({ ready: true })],
    ['systemd-notify --ready --status=…', 'READY=1\nSTATUS=Listening on :8080', msg({ ready: true, status: 'Listening on :8080' })],
    ['status alone', 'STATUS=warming up\n', msg({ status: 'warming up' })],
    ['empty STATUS= clears it', 'STATUS=', msg({ status: null })],
    ['UTF-8 status', Buffer.from('STATUS=prêt ✓', 'utf8'), msg({ status: 'prêt ✓' })],
    ['RELOADING=1', 'RELOADING=1', msg({ reloading: true })],
    ['STOPPING=1', 'STOPPING=1', msg({ stopping: true })],
    ['WATCHDOG=1', 'WATCHDOG=1', msg({ watchdog: 'ping' })],
    ['WATCHDOG=trigger', 'WATCHDOG=trigger', msg({ watchdog: 'trigger' })],
    ['MAINPID', 'MAINPID=4242', msg({ mainPid: 4242 })],
    ['ERRNO as a number', 'ERRNO=2', msg({ errno: 2 })],
    ['ERRNO as a name', 'ERRNO=ENOENT', msg({ errno: 2 })],
    ['several tags, CR LF and blank lines', 'READY=1\r\n\r\nSTATUS=ok\n\nWATCHDOG=1\n', msg({ ready: true, status: 'ok', watchdog: 'ping' })],
    ['READY=1 anywhere counts', 'STATUS=a\nREADY=1', msg({ ready: true, status: 'a' })],
    ['the first STATUS= counts', 'STATUS=one\nSTATUS=two', msg({ status: 'one', ignored: ['STATUS=two'] })],
    ['the first WATCHDOG= counts, even a bad one', 'WATCHDOG=2\nWATCHDOG=1', msg({ ignored: ['WATCHDOG=2', 'WATCHDOG=1'] })],
    ['one trailing NUL is allowed', Buffer.from('READY=1\0'), msg({ ready: true })],
    ['READY=0 is not ready', 'READY=0', msg({ ignored: ['READY=0'] })],
    ['READY=1 with spaces is not READY=1', ' READY=1', msg({ ignored: [' READY=1'] })],
    ['unknown keys ignored', 'FDSTORE=1\nFOO=bar\nREADY=1', msg({ ready: true, ignored: ['FDSTORE=1', 'FOO=bar'] })],
    ['MAINPID=0 ignored', 'MAINPID=0', msg({ ignored: ['MAINPID=0'] })],
    ['MAINPID=-1 ignored', 'MAINPID=-1', msg({ ignored: ['MAINPID=-1'] })],
    ['MAINPID too large ignored', 'MAINPID=99999999999', msg({ ignored: ['MAINPID=99999999999'] })],
    ['ERRNO=-3 ignored', 'ERRNO=-3', msg({ ignored: ['ERRNO=-3'] })],
    ['ERRNO=EWHAT ignored', 'ERRNO=EWHAT', msg({ ignored: ['ERRNO=EWHAT'] })],
    ['empty datagram', '', msg({})],
    ['binary garbage', Buffer.from([0xff, 0xfe, 0x80, 0x0a, 0x01]), msg({ ignored: ['\xff\xfe\x80', '\x01'] })],
  ])('%s', (_name, datagram, expected) => {
    const r = parseNotify(typeof datagram === 'string' ? Buffer.from(datagram, 'latin1') : datagram);
    expect(r).toEqual({ ok: true, message: expected });
  });

  test('a status that is not UTF-8 is dropped (the old one stays), the rest acted on', () => {
    const r = parseNotify(Buffer.concat([Buffer.from('READY=1\nSTATUS=bad '), Buffer.from([0xc3, 0x28])]));
    expect(r.ok && r.message.ready).toBe(true);
    expect(r.ok && 'status' in r.message).toBe(false);
  });

  test.each<[string, Buffer, boolean, 'oversized' | 'embedded-nul']>([
    ['longer than 4096 bytes', Buffer.alloc(NOTIFY_DATAGRAM_MAX + 1, 'A'), false, 'oversized'],
    ['truncated by the kernel', Buffer.from('READY=1'), true, 'oversized'],
    ['an embedded NUL', Buffer.from('READY=1\0STATUS=x'), false, 'embedded-nul'],
    ['two trailing NULs', Buffer.from('READY=1\0\0'), false, 'embedded-nul'],
  ])('dropped whole: %s', (_name, datagram, truncated, reason) => {
    expect(parseNotify(datagram, truncated)).toEqual({ ok: false, reason });
  });

  test('exactly 4096 bytes is still read', () => {
    const d = Buffer.alloc(NOTIFY_DATAGRAM_MAX, 'A');
    d.write('READY=1\n');
    expect(parseNotify(d)).toMatchObject({ ok: true, message: { ready: true } });
  });
});
