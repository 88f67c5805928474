import { describe, expect, test } from 'vitest';
import { ExecContext } from '../../../../src/lib/exec/context.js';
import type { CapturedState } from '../../../../src/lib/exec/captured.js';
import type { NativeBinding } from '../../../../src/native/binding.js';

const captured = { rlimits: new Map(), fds: [] } as unknown as CapturedState;

const enosys = (syscall: string): Error => Object.assign(new Error(`ENOSYS: ${syscall}`), { code: 'ENOSYS', syscall });

/** An addon that logs the credential calls; `alone` says whether it has the per-thread ones. */
function recording(alone: boolean, fail?: string): { n: NativeBinding; calls: string[] } {
  const calls: string[] = [];
  const call = (name: string) => (id: number) => {
    if (name === fail) throw Object.assign(new Error(`EPERM: ${name}`), { code: 'EPERM', syscall: name });
    if (!alone && name.endsWith('Thread')) throw enosys(name);
    calls.push(`${name} ${id}`);
  };
  const n = { setgid: call('setgid'), setuid: call('setuid'), setgidThread: call('setgidThread'), setuidThread: call('setuidThread') };
  return { n: n as unknown as NativeBinding, calls };
}

describe('ExecContext ids', () => {
  test('where the system allows, this thread takes them alone, and the others follow only when asked', () => {
    const { n, calls } = recording(true);
    const ctx = new ExecContext(captured, []);
    ctx.takeGid(n, 7);
    ctx.takeUid(n, 9);
    expect(calls).toEqual(['setgidThread 7', 'setuidThread 9']);
    ctx.threadsFollow(n);
    expect(calls.slice(2)).toEqual(['setgid 7', 'setuid 9']);
    ctx.threadsFollow(n); // once is enough
    expect(calls).toHaveLength(4);
  });

  test('nothing taken, nothing to follow', () => {
    const { n, calls } = recording(true);
    new ExecContext(captured, []).threadsFollow(n);
    expect(calls).toEqual([]);
  });

  test('without per-thread calls (ENOSYS), the process takes them at once', () => {
    const { n, calls } = recording(false);
    const ctx = new ExecContext(captured, []);
    ctx.takeGid(n, 7);
    ctx.takeUid(n, 9);
    ctx.threadsFollow(n);
    expect(calls).toEqual(['setgid 7', 'setuid 9']);
  });

  test('a refusal is thrown as the system gave it, and nothing is left to follow', () => {
    const { n, calls } = recording(true, 'setgidThread');
    const ctx = new ExecContext(captured, []);
    expect(() => ctx.takeGid(n, 7)).toThrow(expect.objectContaining({ code: 'EPERM', syscall: 'setgidThread' }));
    ctx.threadsFollow(n);
    expect(calls).toEqual([]);
  });
});
