import { expect, test } from 'vitest';
import { pipeWriteCopies } from '../../../src/lib/fghack.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test.each<[string, number[], number[]]>([
  ['stdio open: the pipe is 3,4; 3 is reused', [0, 1, 2], range(3, 33)],
  ['stdin closed: the pipe is 0,3', [1, 2], [0, ...range(3, 32)]],
  ['a hole above stdio', [0, 1, 2, 4, 7], [3, 5, 6, ...range(8, 35)]],
  ['nothing open', [], range(0, 30)],
])('%s', (_name, open, copies) => {
  expect(pipeWriteCopies((fd) => open.includes(fd))).toEqual(copies);
});
