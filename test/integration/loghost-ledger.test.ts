// The logger stub's ledger: before writing a chunk of input out, the host notes its size and each
// log directory's `current` size; if it dies before taking the chunk out of the pipe, the stub,
// running on alone, drops the chunk only if every `current` grew (it was written). A stand-in host
// writes the ledger by hand and dies, so each case is deterministic.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

const hostScript = (multilog: string, cwd: string, ledgerText: string, inBin: string): string => `
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
      fs.writeSync(copy, ${JSON.stringify(ledgerText)} + '\\0', 0, 'latin1');
      const bin = / d=([0-9]+):([0-9]+)/.exec(text);
      if (${JSON.stringify(inBin)}) fs.writeSync(n.pidfdGetfd(n.pidfdOpen(child.pid), Number(bin[2])), ${JSON.stringify(inBin)});
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

/** The whole log, finished files in order and then current. */
function logged(main: string): string {
  const files = readdirSync(main).filter((f) => f.startsWith('@')).sort();
  return [...files, 'current'].map((f) => readFileSync(join(main, f), 'latin1')).join('');
}

test.skipIf(process.platform !== 'linux').each([
  ['a chunk written (current grew): its 6 bytes dropped', '6 1 0 0\n5 ./main/current\n', '', 'earlier...second\nthird\n'],
  ['a chunk not written (current as it was): nothing dropped', '6 1 0 0\n11 ./main/current\n', '', 'earlier...first\nsecond\nthird\n'],
  ['done with: nothing dropped', '0 0 0 0\n', '', 'earlier...first\nsecond\nthird\n'],
  ['a chunk in the bin (taken out already): nothing dropped', '6 1 0 0\n5 ./main/current\n', 'first\n', 'earlier...first\nsecond\nthird\n'],
  ['done with, a held line head: taken in first', '0 0 0 4\nhead', '', 'earlier...headfirst\nsecond\nthird\n'],
  ['a chunk written that left a head held: dropped, the new head first', '6 1 2 3\n5 ./main/current\nh0h1x', '', 'earlier...h1xsecond\nthird\n'],
  ['a chunk not written: the old head first, the chunk read again', '6 1 2 3\n11 ./main/current\nh0h1x', '', 'earlier...h0first\nsecond\nthird\n'],
])('host died, ledger: %s', async (_name, ledgerText, inBin, expected) => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-'));
  const main = join(dir, 'main');
  mkdirSync(main);
  writeFileSync(join(main, 'current'), 'earlier...', { mode: 0o644 }); // 10 bytes, incomplete
  const r = spawnSync(process.execPath, ['-e', hostScript(ours('multilog'), dir, ledgerText, inBin)], { encoding: 'latin1' });
  expect(r.signal).toBe('SIGKILL');
  const text = await until('the rest logged', () => {
    try {
      const body = logged(main);
      return body.includes('third') ? body : undefined;
    } catch {
      return undefined;
    }
  });
  expect(text).toBe(expected);
});
