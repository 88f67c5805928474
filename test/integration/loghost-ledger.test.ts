// The logger stub's ledger: a host that dies after writing input out but before taking it out of
// the pipe has noted the count there, and the stub, running on alone, drops exactly that many
// bytes first. A stand-in host writes the ledger by hand and dies, so the case is deterministic.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { ours, ROOT } from '../helpers/paths.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => T | undefined, ms = 10000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const hostScript = (multilog: string, cwd: string, pending: number): string => `
  const net = require('node:net');
  const fs = require('node:fs');
  const { native } = require(${JSON.stringify(join(ROOT, 'dist/native/index.js'))});
  const n = native();
  const server = net.createServer((socket) => {
    let text = '';
    socket.on('data', (d) => {
      text += d.toString('latin1');
      if (!text.includes('\\n')) return;
      const ledger = Number(/ p=([0-9]+)/.exec(text)[1]);
      const copy = n.pidfdGetfd(n.pidfdOpen(child.pid), ledger);
      const count = Buffer.alloc(8);
      count.writeBigUInt64LE(${pending}n);
      fs.writeSync(copy, count, 0, 8, 0);
      process.kill(process.pid, 'SIGKILL');
    });
  });
  server.listen('\\0daemontools-host/' + process.pid);
  const [r, w] = n.pipe();
  fs.writeSync(w, 'first\\nsecond\\nthird\\n');
  const child = n.spawn(${JSON.stringify(multilog)}, ['multilog', './main'], Object.entries(process.env).map(([k, v]) => k + '=' + v),
    { ignore: [], mask: [], rlimits: [], fds: [['dup2', r, 0]], cwd: ${JSON.stringify(cwd)} });
  n.close(r);
  n.close(w);
`;

test.skipIf(process.platform !== 'linux')('a stub whose host died after writing 6 bytes out drops those 6, then logs the rest on its own', async () => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  const r = spawnSync(process.execPath, ['-e', hostScript(ours('multilog'), dir, 6)], { encoding: 'latin1' });
  expect(r.signal).toBe('SIGKILL');
  const current = join(dir, 'main', 'current');
  const text = await until('the rest logged, current complete', () => {
    try {
      const body = readFileSync(current, 'latin1');
      return body.includes('third') ? body : undefined;
    } catch {
      return undefined;
    }
  });
  expect(text).toBe('second\nthird\n');
});
