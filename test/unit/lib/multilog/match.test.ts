// djb's match() on the cases of rts.tests and a few more.
import { describe, expect, test } from 'vitest';
import { match } from '../../../../src/lib/multilog/match.js';
import { MATCH_CASES } from './match-cases.js';


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
