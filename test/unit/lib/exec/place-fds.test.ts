// placeFds: whatever the numbers, every target ends up with what its source held, and nothing
// but the targets is left changed (spares are closed).
import { describe, expect, test } from 'vitest';
import type { FdOp } from '../../../../src/native/binding.js';
import { placeFds, type FdMove } from '../../../../src/lib/exec/place-fds.js';

/** Runs `ops` on a table where descriptor N holds "N"; returns what each descriptor holds after. */
function run(ops: readonly FdOp[], open: readonly number[]): Map<number, string> {
  const table = new Map(open.map((fd) => [fd, String(fd)]));
  for (const op of ops) {
    if (op[0] === 'dup2') {
      const what = table.get(op[1]);
      if (what === undefined) throw new Error(`dup2 from closed ${op[1]}`);
      table.set(op[2], what);
    } else if (op[0] === 'close') table.delete(op[1]);
  }
  return table;
}

describe('placeFds', () => {
  test.each<[string, FdMove[]]>([
    ['nothing', []],
    ['disjoint numbers', [[40, 7], [41, 8]]],
    ['onto itself', [[7, 7]]],
    ['a chain: 8 goes to 7 before 7 is overwritten', [[7, 3], [8, 7]]],
    ['a swap', [[7, 8], [8, 7]]],
    ['a cycle of three', [[3, 4], [4, 5], [5, 3]]],
    ['one source, two targets', [[9, 0], [9, 1]]],
    ['a cycle beside a plain move', [[4, 5], [5, 4], [30, 0]]],
  ])('%s', (_name, moves) => {
    const open = [...new Set(moves.flat())];
    const ops = placeFds(moves);
    const after = run(ops, open);
    for (const [from, to] of moves) expect(after.get(to)).toBe(String(from));
    // Only the targets changed; every other descriptor holds what it held (or is closed if a spare).
    const targets = new Set(moves.map(([, to]) => to));
    for (const fd of open) if (!targets.has(fd)) expect(after.get(fd)).toBe(String(fd));
    expect([...after.keys()].filter((fd) => !open.includes(fd))).toEqual([]);
  });
});
