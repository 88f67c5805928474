// One held copy per open file description: copies of the same description are shared (and closed
// when the last user lets go), copies of another description of the same file, or of another file,
// are not. Real descriptors, real kcmp.
import { closeSync, fstatSync, openSync } from 'node:fs';
import { expect, test } from 'vitest';
import { SharedCopies } from '../../../../src/lib/loghost/shared-copies.js';
import { native } from '../../../../src/native/index.js';

const n = native();
const isOpen = (fd: number): boolean => {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
};
const copies = (): SharedCopies =>
  new SharedCopies({
    sameFile: (a, b) => n.sameFile(a, b),
    identity: (fd) => `${fstatSync(fd).dev}:${fstatSync(fd).ino}`,
    close: (fd) => closeSync(fd),
  });
/** Our own descriptor copied as the host copies a stub's: the same open file description. */
function dupOf(fd: number): number {
  const pidfd = n.pidfdOpen(process.pid);
  try {
    return n.pidfdGetfd(pidfd, fd);
  } finally {
    closeSync(pidfd);
  }
}

test.skipIf(process.platform !== 'linux').each([
  { kind: 'a copy of the same description', second: (first: number) => dupOf(first), shared: true },
  { kind: 'another open of the same file', second: () => openSync('/dev/null', 'w'), shared: false },
  { kind: 'another file', second: () => openSync('/dev/zero', 'r'), shared: false },
])('$kind: shared $shared', ({ second, shared }) => {
  const table = copies();
  const original = openSync('/dev/null', 'w');
  const a = table.take(dupOf(original));
  const fresh = second(original);
  const b = table.take(fresh);
  expect(b === a).toBe(shared);
  expect(isOpen(fresh)).toBe(!shared);
  table.release(a);
  expect(isOpen(b)).toBe(true); // the other user still holds it
  table.release(b);
  expect(isOpen(a)).toBe(false);
  expect(isOpen(b)).toBe(false);
  closeSync(original);
});

test('without kcmp each copy stays its own', () => {
  const table = new SharedCopies({
    sameFile: () => {
      throw Object.assign(new Error('ENOSYS'), { code: 'ENOSYS' });
    },
    identity: () => 'one file',
    close: (fd) => closeSync(fd),
  });
  const [x, y] = [openSync('/dev/null', 'r'), openSync('/dev/null', 'r')];
  expect([table.take(x), table.take(y)]).toEqual([x, y]);
  table.release(x);
  table.release(y);
  expect([isOpen(x), isOpen(y)]).toEqual([false, false]);
});
