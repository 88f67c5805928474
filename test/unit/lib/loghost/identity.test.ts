// Acting as a hosted logger for file operations: a file made under asIdentity gets that logger's
// owner and its umask's mode, whether it runs as us (only the umask changes) or as another user
// (root only), and this thread is ours again afterwards.
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { asIdentity, readIdentity, type Identity } from '../../../../src/lib/loghost/identity.js';
import { native } from '../../../../src/native/index.js';

const n = native();
const dir = mkdtempSync(join(tmpdir(), 'identity-'));
chmodSync(dir, 0o777); // another user makes files in it too
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const root = process.geteuid?.() === 0;
const me = (): Identity => ({ ...readIdentity(process.pid), umask: 0o027 });
const nobody = (): Identity => ({ ...me(), uid: 65534, gid: 65534, groups: [65534] });

const made = (name: string): { uid: number; mode: number } => {
  const st = statSync(join(dir, name));
  return { uid: st.uid, mode: st.mode & 0o777 };
};

const cases = [
  { name: 'as us', run: true, id: me, uid: () => process.geteuid!() },
  { name: 'as another user', run: root, id: nobody, uid: () => 65534 },
];

test.skipIf(process.platform !== 'linux').each(cases)('$name: owner and umask the logger\'s, ours again after', ({ name, run, id, uid }) => {
  if (!run) return;
  const before = process.umask();
  asIdentity(n, id(), () => writeFileSync(join(dir, name), 'x', { mode: 0o666 }));
  expect(made(name)).toEqual({ uid: uid(), mode: 0o640 });
  expect(process.umask()).toBe(before);
  writeFileSync(join(dir, `${name} after`), 'x');
  expect(made(`${name} after`).uid).toBe(process.geteuid!());
});

test.skipIf(process.platform !== 'linux' || !root)('as us inside another user: the inner one is us', () => {
  asIdentity(n, nobody(), () => asIdentity(n, me(), () => writeFileSync(join(dir, 'nested'), 'x', { mode: 0o666 })));
  expect(made('nested')).toEqual({ uid: process.geteuid!(), mode: 0o640 });
});
