import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import {
  DEFAULTS,
  formatWarning,
  parseExtensions,
  readExtensions,
  type ExtensionConfig,
  type ExtensionFile,
  type Found,
} from '../../../../../src/lib/supervise/ext/files.js';
import { parseSignal } from '../../../../../src/lib/supervise/ext/signals.js';

type Files = Partial<Record<ExtensionFile, string | Found>>;

function parse(files: Files, maxFd?: number) {
  return parseExtensions(
    (file) => {
      const f = files[file];
      if (f === undefined) return { kind: 'absent' };
      if (typeof f !== 'string') return f;
      return { kind: 'file', bytes: Buffer.from(f, 'latin1'), executable: file === 'finish' };
    },
    maxFd === undefined ? {} : { maxFd },
  );
}

const on = (over: Partial<ExtensionConfig>): ExtensionConfig => ({ ...DEFAULTS, enabled: true, ...over });

describe('each file, well formed', () => {
  test.each<[string, Files, ExtensionConfig]>([
    ['nothing: C behaviour', {}, DEFAULTS],
    ['notification-fd 3', { 'notification-fd': '3\n' }, on({ readiness: { dialect: 's6', fd: 3 } })],
    ['notification-fd without newline, rest of file ignored', { 'notification-fd': '7\ncomment' }, on({ readiness: { dialect: 's6', fd: 7 } })],
    ['notify-socket (empty)', { 'notify-socket': '' }, on({ readiness: { dialect: 'sd-notify' } })],
    ['notify-socket (a newline)', { 'notify-socket': '\n' }, on({ readiness: { dialect: 'sd-notify' } })],
    ['notify-ipc', { 'notify-ipc': '' }, on({ readiness: { dialect: 'ipc' } })],
    ['watchdog with notify-socket', { 'notify-socket': '', watchdog: '10\n' }, on({ readiness: { dialect: 'sd-notify' }, watchdogMs: 10000 })],
    ['watchdog 0: off', { 'notify-socket': '', watchdog: '0\n' }, on({ readiness: { dialect: 'sd-notify' } })],
    ['timeout-ready', { 'notify-ipc': '', 'timeout-ready': '1500\n' }, on({ readiness: { dialect: 'ipc' }, readyTimeoutMs: 1500 })],
    ['down-signal HUP', { 'down-signal': 'HUP\n' }, on({ downSignal: 'SIGHUP' })],
    ['down-signal SIGQUIT', { 'down-signal': 'SIGQUIT' }, on({ downSignal: 'SIGQUIT' })],
    ['down-signal in lower case', { 'down-signal': 'usr1\n' }, on({ downSignal: 'SIGUSR1' })],
    ['down-signal as a number', { 'down-signal': '2\n' }, on({ downSignal: 'SIGINT' })],
    ['timeout-kill', { 'timeout-kill': '3000\n' }, on({ killTimeoutMs: 3000 })],
    ['timeout-kill 0: never', { 'timeout-kill': '0\n' }, on({})],
    ['finish, default timeout 5000', { finish: '#!/bin/sh\n' }, on({ finish: { timeoutMs: 5000 } })],
    ['finish with timeout-finish', { finish: '#!/bin/sh\n', 'timeout-finish': '200\n' }, on({ finish: { timeoutMs: 200 } })],
    ['timeout-finish 0: runs forever', { finish: '#!/bin/sh\n', 'timeout-finish': '0\n' }, on({ finish: { timeoutMs: null } })],
    ['timeout-finish without finish: nothing', { 'timeout-finish': '100\n' }, DEFAULTS],
    ['backoff', { backoff: '1 60\n' }, on({ backoff: { minMs: 1000, maxMs: 60000 } })],
    ['backoff MIN = MAX, tabs', { backoff: '5\t5' }, on({ backoff: { minMs: 5000, maxMs: 5000 } })],
    ['permanent-failure', { 'permanent-failure': '60 5\n' }, on({ permanentFailure: { windowMs: 60000, count: 5 } })],
    ['max-death-tally', { 'max-death-tally': '10\n' }, on({ maxDeathTally: 10 })],
    ['max-death-tally 0', { 'max-death-tally': '0\n' }, on({ maxDeathTally: 0 })],
  ])('%s', (_name, files, config) => {
    const r = parse(files);
    expect(r.warnings).toEqual([]);
    expect(r.config).toEqual(config);
  });
});

describe('malformed: warned about once, counted as absent', () => {
  test.each<[string, Files, Partial<ExtensionConfig>, ExtensionFile, RegExp]>([
    ['notification-fd not a number', { 'notification-fd': 'three\n' }, {}, 'notification-fd', /not an unsigned number/],
    ['notification-fd negative', { 'notification-fd': '-4\n' }, {}, 'notification-fd', /not an unsigned number/],
    ['notification-fd with a space', { 'notification-fd': ' 4\n' }, {}, 'notification-fd', /not an unsigned number/],
    ['notification-fd 1 (stdout)', { 'notification-fd': '1\n' }, {}, 'notification-fd', /stdin, stdout, stderr/],
    ['notification-fd empty', { 'notification-fd': '' }, {}, 'notification-fd', /not an unsigned number/],
    ['notify-socket with content', { 'notify-socket': '/run/x.sock\n' }, {}, 'notify-socket', /should be empty/],
    ['notify-socket a directory', { 'notify-socket': { kind: 'other', what: 'a directory' } }, {}, 'notify-socket', /not a regular file/],
    ['watchdog without notify-socket', { 'notification-fd': '3', watchdog: '5' }, { readiness: { dialect: 's6', fd: 3 } }, 'watchdog', /needs the sd-notify dialect/],
    ['watchdog not a number', { 'notify-socket': '', watchdog: '5s' }, { readiness: { dialect: 'sd-notify' } }, 'watchdog', /not an unsigned number of seconds/],
    ['timeout-ready without a dialect', { 'timeout-ready': '100' }, {}, 'timeout-ready', /no readiness dialect/],
    ['down-signal unknown', { 'down-signal': 'FOO\n' }, {}, 'down-signal', /not a signal/],
    ['down-signal 0', { 'down-signal': '0\n' }, {}, 'down-signal', /not a signal/],
    ['timeout-kill negative', { 'timeout-kill': '-1' }, {}, 'timeout-kill', /not an unsigned number of milliseconds/],
    ['timeout-kill too large for a timer', { 'timeout-kill': '99999999999' }, {}, 'timeout-kill', /more than 2147483647/],
    ['finish not executable', { finish: { kind: 'file', bytes: Buffer.from('x'), executable: false } }, {}, 'finish', /not executable/],
    ['backoff MIN > MAX', { backoff: '10 5\n' }, {}, 'backoff', /MIN 10 is more than MAX 5/],
    ['backoff one number', { backoff: '10\n' }, {}, 'backoff', /two unsigned numbers/],
    ['backoff MIN 0', { backoff: '0 5\n' }, {}, 'backoff', /at least 1/],
    ['backoff negative', { backoff: '-1 5\n' }, {}, 'backoff', /not an unsigned number/],
    ['permanent-failure three numbers', { 'permanent-failure': '60 5 1' }, {}, 'permanent-failure', /two unsigned numbers/],
    ['permanent-failure COUNT 0', { 'permanent-failure': '60 0' }, {}, 'permanent-failure', /at least 1/],
    ['permanent-failure COUNT above the tally', { 'permanent-failure': '60 20', 'max-death-tally': '10' }, { maxDeathTally: 10, enabled: true }, 'permanent-failure', /more than the 10 deaths/],
    ['max-death-tally not a number', { 'max-death-tally': 'many' }, {}, 'max-death-tally', /not an unsigned number/],
  ])('%s', (_name, files, config, file, text) => {
    const r = parse(files);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.file).toBe(file);
    expect(r.warnings[0]!.text).toMatch(text);
    expect(r.config).toEqual({ ...DEFAULTS, ...config, enabled: config.enabled ?? config.readiness !== undefined });
  });

  test('max-death-tally above 4096 is kept at 4096, with a warning', () => {
    const r = parse({ 'max-death-tally': '10000' });
    expect(r.config.maxDeathTally).toBe(4096);
    expect(r.warnings.map((w) => w.file)).toEqual(['max-death-tally']);
  });

  test('notification-fd above the descriptor limit', () => {
    expect(parse({ 'notification-fd': '2000' }, 1023).config.readiness).toBeNull();
    expect(parse({ 'notification-fd': '1000' }, 1023).config.readiness).toEqual({ dialect: 's6', fd: 1000 });
  });
});

describe('more than one readiness dialect', () => {
  test.each<[Files, string, ExtensionFile[]]>([
    [{ 'notification-fd': '3', 'notify-socket': '' }, 's6', ['notify-socket']],
    [{ 'notification-fd': '3', 'notify-socket': '', 'notify-ipc': '' }, 's6', ['notify-socket', 'notify-ipc']],
    [{ 'notify-socket': '', 'notify-ipc': '' }, 'sd-notify', ['notify-ipc']],
    // A malformed notification-fd is absent, so it chooses nothing.
    [{ 'notification-fd': 'x', 'notify-ipc': '' }, 'ipc', ['notification-fd']],
  ])('%j: %s, the others warned about', (files, dialect, warned) => {
    const r = parse(files);
    expect(r.config.readiness?.dialect).toBe(dialect);
    expect(r.warnings.map((w) => w.file)).toEqual(warned);
  });
});

test('signal names: with or without SIG, any case, numbers', () => {
  expect(['HUP', 'SIGHUP', 'sighup', 'Hup', '1'].map(parseSignal)).toEqual(Array(5).fill('SIGHUP'));
  expect(['', 'SIG', 'HUPP', '0', '9999', 'SIG 1', '1 '].map(parseSignal)).toEqual(Array(7).fill(null));
});

describe('reading a real directory', () => {
  const root = mkdtempSync(join(tmpdir(), 'dt-ext-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('files read from disk, the FIFO refused without blocking, the warning in djb words', () => {
    const dir = join(root, 'svc');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notify-socket'), '');
    writeFileSync(join(dir, 'watchdog'), '30\n');
    writeFileSync(join(dir, 'finish'), '#!/bin/sh\n');
    chmodSync(join(dir, 'finish'), 0o755);
    execFileSync('mkfifo', [join(dir, 'down-signal')]);
    mkdirSync(join(dir, 'backoff'));
    const r = readExtensions(dir);
    expect(r.config).toEqual(on({ readiness: { dialect: 'sd-notify' }, watchdogMs: 30000, finish: { timeoutMs: 5000 } }));
    expect(r.warnings.map((w) => formatWarning('supervise', dir, w))).toEqual([
      `supervise: warning: ${dir}/down-signal: ignored: not a regular file (a FIFO)\n`,
      `supervise: warning: ${dir}/backoff: ignored: not a regular file (a directory)\n`,
    ]);
    expect(formatWarning('supervise', '.', r.warnings[0]!)).toBe('supervise: warning: down-signal: ignored: not a regular file (a FIFO)\n');
  });

  test('an ordinary C service directory: nothing switched on, nothing said', () => {
    const dir = join(root, 'plain');
    mkdirSync(dir);
    writeFileSync(join(dir, 'run'), '#!/bin/sh\nexec sleep 100\n');
    expect(readExtensions(dir)).toEqual({ config: DEFAULTS, warnings: [] });
  });
});
