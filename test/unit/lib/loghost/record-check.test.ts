// A stub's record against its process as the kernel shows it: a true record holds (TERM, ALRM and
// CONT aside, which the stub itself catches and blocks), every false claim is caught.
import { describe, expect, test } from 'vitest';
import { recordMismatch } from '../../../../src/lib/loghost/record-check.js';
import type { ProcState } from '../../../../src/lib/proc/state.js';

const INF = 2n ** 64n - 1n;
const state: ProcState = {
  ignored: [1, 13],
  blocked: [10],
  rlimits: new Map([
    [0, [INF, INF]],
    [7, [300n, 400n]],
  ]),
  // 64 and 65: the stub's own socket and ledger, close-on-exec.
  fds: [
    { fd: 0, cloexec: false },
    { fd: 1, cloexec: false },
    { fd: 2, cloexec: false },
    { fd: 7, cloexec: false },
    { fd: 64, cloexec: true },
    { fd: 65, cloexec: true },
  ],
};
const TRUE = '1 i=1,13 m=10 r=0:u:u,7:300:400 f=0:0:0,1:0:1,2:0:0,7:0:0 p=65 d=66:67';

describe('recordMismatch', () => {
  test.each<[string, string, string | null]>([
    ['the truth', TRUE, null],
    ['TERM ignored before the stub caught it', TRUE.replace('i=1,13', 'i=1,13,15'), null],
    ['TERM and ALRM blocked at its start', TRUE.replace('m=10', 'm=10,14,15'), null],
    ['no record', 'hello', 'no record'],
    ['an ignored signal it does not ignore', TRUE.replace('i=1,13', 'i=1,2,13'), 'ignored signals'],
    ['a signal it blocks left out', TRUE.replace('m=10', 'm='), 'signal mask'],
    ['a higher limit', TRUE.replace('7:300:400', '7:300:u'), 'limit 7'],
    ['every limit unlimited', TRUE.replace('0:u:u,7:300:400', '0:u:u,7:u:u'), 'limit 7'],
    ['a limit the kernel has not', TRUE.replace('r=0:u:u', 'r=0:u:u,99:1:1'), 'limit 99'],
    ['a descriptor it does not have', TRUE.replace('7:0:0', '7:0:0,9:0:0'), 'descriptors'],
    ['one of its own, close-on-exec', TRUE.replace('7:0:0', '7:0:0,64:0:0'), 'descriptors'],
    ['one it has left out', TRUE.replace(',7:0:0', ''), 'descriptors'],
    ['a descriptor said close-on-exec', TRUE.replace('7:0:0', '7:1:0'), 'descriptors'],
  ])('%s', (_name, record, why) => expect(recordMismatch(record, state, INF)).toBe(why));

  // The stub blocks TERM, ALRM and CONT from before it sends its record until after: a host may
  // read /proc in between (it wakes on the record).
  test.each<[string, Partial<ProcState>, string | null]>([
    ['read while the stub still blocks TERM, ALRM and CONT', { blocked: [10, 14, 15, 18] }, null],
    ['CONT caught by the stub though the program was given it ignored', { ignored: [1, 13] }, null],
    ['another signal blocked besides', { blocked: [10, 14, 15, 18, 2] }, 'signal mask'],
  ])('%s', (_name, kernel, why) => {
    const record = kernel.ignored ? TRUE.replace('i=1,13', 'i=1,13,18') : TRUE;
    expect(recordMismatch(record, { ...state, ...kernel }, INF)).toBe(why);
  });
});
