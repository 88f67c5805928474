// Which of our long-running programs work yet: each is tried once on a tiny case, and a failure
// becomes the reason its figures print as `n/a (reason)`.
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, tempDir } from './cleanup.mjs';
import { reasonOf, run } from './procs.mjs';
import { OURS_BIN, flavours, makeService, oursEnv, startSupervise, startTree } from './services.mjs';

async function withInput(dir, text, fn) {
  const file = join(dir, 'input');
  writeFileSync(file, text);
  const fd = openSync(file, 'r');
  try {
    return await fn(fd);
  } finally {
    closeSync(fd);
  }
}

async function probeFilter(dir, prog, args, check) {
  const r = await withInput(dir, 'probe\n', (fd) => run(`${OURS_BIN}/${prog}`, args, { cwd: dir, env: oursEnv(), stdin: fd, timeoutMs: 10000 }));
  if (r.code === 0 && check(r)) return null;
  return reasonOf(r.stderr, r.code ?? r.signal);
}

async function probeLong(label, fn) {
  const dir = tempDir(label);
  try {
    await fn(dir);
    return null;
  } catch (err) {
    return err.message;
  } finally {
    cleanup(dir);
  }
}

/** {tai64n, multilog, supervise, svscan: boolean, why: {prog: reason}} for our programs. */
export async function probeOurs() {
  const dir = tempDir('probe');
  const why = {};
  why.tai64n = await probeFilter(dir, 'tai64n', [], (r) => /^@[0-9a-f]{24} probe\n$/.test(r.stdout));
  why.multilog = await probeFilter(dir, 'multilog', ['t', './log'], () => {
    try {
      return /^@[0-9a-f]{24} probe\n$/.test(readFileSync(join(dir, 'log', 'current'), 'utf8'));
    } catch {
      return false;
    }
  });
  why.supervise = await probeLong('probe-supervise', async (base) => {
    makeService(join(base, 's'));
    await startSupervise('ours', join(base, 's'), 8000);
  });
  why.svscan = await probeLong('probe-svscan', async (base) => {
    const ours = flavours({ svscan: true, multilog: false, why: {} }).ours;
    await startTree(ours, base, 1, { timeoutMs: 15000, logged: false });
  });
  cleanup(dir);
  const available = { why };
  for (const [prog, reason] of Object.entries(why)) available[prog] = reason === null;
  return available;
}
