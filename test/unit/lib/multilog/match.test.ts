// djb's match() as rts.tests exercises it (plus a few more); the answers are C multilog's, taken
// with `multilog '-*' '+PATTERN' e` (test/integration/multilog-golden.test.ts checks them live).
import { describe, expect, test } from 'vitest';
import { match } from '../../../../src/lib/multilog/match.js';

export const MATCH_CASES: ReadonlyArray<readonly [pattern: string, line: string, matches: boolean]> = [
  ['one', 'one', true],
  ['one', '', false],
  ['one', 'on', false],
  ['one', 'onf', false],
  ['one', 'one*', false],
  ['one', 'onetwo', false],
  ['', '', true],
  ['', 'x', false],
  ['*', '', true],
  ['*', 'x', true],
  ['*', '*', true],
  ['*', 'one', true],
  ['one*', 'one', true],
  ['one*', 'one*', true],
  ['one*', 'onetwo', true],
  ['one*', '', false],
  ['one*', 'x', false],
  ['one*', 'on', false],
  ['one*', 'onf', false],
  ['* one', ' one', true],
  ['* one', 'x one', true],
  ['* one', '* one', true],
  ['* one', 'xy one', true],
  ['* one', 'one', false],
  ['* one', ' two', false],
  ['* one', '  one', false],
  ['* one', 'xy one ', false],
  ['* * one', '  one', true],
  ['* * one', 'x  one', true],
  ['* * one', ' y one', true],
  ['* * one', 'x y one', true],
  ['* * one', 'one', false],
  ['* * one', ' one', false],
  ['* * one', '   one', false],
  ['**', 'a*b', true],
  ['**', 'ab', false],
  ['a*', 'a', true],
  ['*a', 'bab', false],
  ['*a*', 'xay', true],
];

describe('match', () => {
  test.each(MATCH_CASES)('%j against %j: %s', (pattern, line, expected) => {
    expect(match(Buffer.from(pattern), Buffer.from(line), line.length)).toBe(expected);
  });

  test('looks only at the given window of the buffer', () => {
    const buf = Buffer.from('xxone yy');
    expect(match(Buffer.from('one'), buf, 3, 2)).toBe(true);
    expect(match(Buffer.from('one*'), buf, 4, 2)).toBe(true);
    expect(match(Buffer.from('one'), buf, 4, 2)).toBe(false);
  });

  test('compares bytes, not characters', () => {
    const line = Buffer.from([0xc3, 0xa9, 0x41]);
    expect(match(Buffer.from([0x2a, 0x41]), line, 3)).toBe(true);
    expect(match(Buffer.from('é*'), line, 3)).toBe(true);
  });
});
