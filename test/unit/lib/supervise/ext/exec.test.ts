import { describe, expect, test } from 'vitest';
import { DEFAULTS } from '../../../../../src/lib/supervise/ext/files.js';
import { freeFd, IpcReader, isIpcReady, isS6Ready, NO_READINESS_EXEC, readinessExec, withEnv } from '../../../../../src/lib/supervise/ext/exec.js';

describe('what a dialect adds to ./run', () => {
  test('no dialect: nothing at all (the exec-state rule)', () => {
    expect(readinessExec(DEFAULTS, { pipeWrite: 9, socketAddress: '@x', ipcFd: 8 }, [0, 1, 2])).toBe(NO_READINESS_EXEC);
  });

  test.each([
    ['s6 on fd 5', { ...DEFAULTS, readiness: { dialect: 's6' as const, fd: 5 } }, { pipeWrite: 12 }, { fds: [['dup2', 12, 5]], env: {} }],
    ['s6, the pipe already on fd 5', { ...DEFAULTS, readiness: { dialect: 's6' as const, fd: 5 } }, { pipeWrite: 5 }, { fds: [['cloexec', 5, false]], env: {} }],
    ['sd-notify', { ...DEFAULTS, readiness: { dialect: 'sd-notify' as const } }, { socketAddress: '@daemontools/notify/1' }, { fds: [], env: { NOTIFY_SOCKET: '@daemontools/notify/1' } }],
    ['sd-notify with a watchdog', { ...DEFAULTS, readiness: { dialect: 'sd-notify' as const }, watchdogMs: 30000 }, { socketAddress: '/run/n.sock' },
      { fds: [], env: { NOTIFY_SOCKET: '/run/n.sock', WATCHDOG_USEC: '30000000' } }],
    ['ipc on the first free descriptor', { ...DEFAULTS, readiness: { dialect: 'ipc' as const } }, { ipcFd: 20 },
      { fds: [['dup2', 20, 4]], env: { NODE_CHANNEL_FD: '4', NODE_CHANNEL_SERIALIZATION_MODE: 'json' }, ipcChildFd: 4 }],
  ])('%s', (_name, config, handles, expected) => {
    expect(readinessExec(config, handles, [0, 1, 2, 3, 5])).toEqual(expected);
  });

  test('a missing handle is a supervisor bug', () => {
    expect(() => readinessExec({ ...DEFAULTS, readiness: { dialect: 'ipc' } }, {}, [])).toThrow(/no channel/);
  });

  test('free descriptors', () => {
    expect([freeFd([]), freeFd([0, 1, 2]), freeFd([0, 1, 2, 3, 4, 6])]).toEqual([3, 3, 5]);
  });
});

test('withEnv replaces names, keeps the order and the other bytes', () => {
  const env = [Buffer.from('A=1'), Buffer.from([0x42, 0x3d, 0xe9]), Buffer.from('NOTIFY_SOCKET=/old'), Buffer.from('C')];
  expect(withEnv(env, { NOTIFY_SOCKET: '@new' }).map((b) => b.toString('latin1'))).toEqual(['A=1', 'B=\xe9', 'C', 'NOTIFY_SOCKET=@new']);
  expect(withEnv(env, {})).toEqual(env);
});

test('ready messages', () => {
  expect([isIpcReady('ready'), isIpcReady({ ready: true }), isIpcReady('READY')]).toEqual([true, false, false]);
  expect([isS6Ready(Buffer.from('x\n')), isS6Ready(Buffer.from('ready'))]).toEqual([true, false]);
});

describe('the IPC channel', () => {
  // The integration's path: a Unix stream socket on a descriptor of the child's, named by
  // NODE_CHANNEL_FD; the child is plain Node calling process.send, the reader gets the raw bytes.
  test('process.send("ready") in a Node child reads as ready; its other messages do not', async () => {
    const { spawn } = await import('node:child_process');
    const { createServer, connect } = await import('node:net');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { IpcReader } = await import('../../../../../src/lib/supervise/ext/exec.js');
    const dir = mkdtempSync(join(tmpdir(), 'dt-ipc-'));
    const path = join(dir, 's');
    const got: boolean[] = [];
    const reader = new IpcReader();
    let raw = '';
    let ended!: Promise<unknown>;
    const server = createServer((sock) => {
      ended = new Promise((r) => sock.once('close', r));
      sock.on('data', (d: Buffer) => {
        raw += d.toString();
        got.push(reader.feed(d));
      });
    });
    await new Promise<void>((r) => server.listen(path, r));
    const client = connect(path);
    await new Promise((r) => client.once('connect', r));
    const code = "process.send({ cmd: 'NODE_X' }); process.send('hello'); process.send({ ready: true }); process.send('ready', () => process.disconnect())";
    const child = spawn(process.execPath, ['-e', code], {
      stdio: ['ignore', 'inherit', 'inherit', client],
      env: { ...process.env, NODE_CHANNEL_FD: '3', NODE_CHANNEL_SERIALIZATION_MODE: 'json' },
    });
    const status = await new Promise((r) => child.once('exit', r));
    // Once our end is gone too, the server side has read everything.
    client.destroy();
    await ended;
    server.close();
    rmSync(dir, { recursive: true, force: true });
    expect(status).toBe(0);
    expect(raw.split('\n').filter(Boolean)).toHaveLength(4);
    expect(got.includes(true)).toBe(true);
    expect(new IpcReader().feed(raw.split('\n').slice(0, 3).join('\n') + '\n')).toBe(false);
  });

  test('lines split across reads, garbage, an oversized line', () => {
    const r = new IpcReader(16);
    expect(r.feed('"rea')).toBe(false);
    expect(r.feed('dy"\n')).toBe(true);
    expect(r.feed('not json\n{"a":1}\n')).toBe(false);
    expect(r.feed('"' + 'x'.repeat(40))).toBe(false);
    expect(r.feed('"\n"ready"\n')).toBe(true);
  });
});
