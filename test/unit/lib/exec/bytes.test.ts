import { describe, expect, test } from 'vitest';
import { argvBytes, asText, envBytes, mayHideBytes, textBytes } from '../../../../src/lib/exec/bytes.js';

const nul = (...args: string[]): string => args.map((a) => `${a}\0`).join('');

describe('argvBytes', () => {
  test.each<[string, string[], string | null, string[]]>([
    ['ASCII, found at the end of the command line', ['envdir', 'e', 'prog'], nul('node', 'main.js', 'envdir', 'e', 'prog'), ['envdir', 'e', 'prog']],
    ['bytes that are not UTF-8 come back exactly', ['envdir', 'e', 'a\ufffdb'], nul('node', 'main.js', 'envdir', 'e', 'a\xffb'), ['envdir', 'e', 'a\xffb']],
    ['UTF-8 text becomes its bytes', ['x', 'café'], nul('node', 'x', 'caf\xc3\xa9'), ['x', 'caf\xc3\xa9']],
    ['a fused chain: the tail of a longer command line', ['fghack', 'p', '\ufffd'], nul('node', 'm', 'envdir', 'e', 'fghack', 'p', '\xe9'), ['fghack', 'p', '\xe9']],
    ['no command line: each argument as UTF-8', ['x', 'é'], null, ['x', '\xc3\xa9']],
    ['a command line that does not match: each argument as UTF-8', ['x', 'a', 'b'], nul('node', 'x', 'a', 'c'), ['x', 'a', 'b']],
    ['an empty argument', ['x', ''], nul('node', 'x', ''), ['x', '']],
    ['no arguments', ['x'], nul('node', 'x'), ['x']],
  ])('%s', (_name, argv, cmdline, expected) => {
    expect(argvBytes(argv, cmdline)).toEqual(expected);
  });
});

test('text and bytes round-trip', () => {
  expect(textBytes('é')).toBe('\xc3\xa9');
  expect(asText('\xc3\xa9')).toBe('é');
  expect(envBytes(['A=\xff'])).toEqual([Buffer.from([0x41, 0x3d, 0xff])]);
});

describe('mayHideBytes', () => {
  // What Node makes of each byte sequence in argv: invalid UTF-8 becomes U+FFFD, valid UTF-8 its text.
  test.each<[string, string, boolean]>([
    ['ASCII', 'prog', false],
    ['valid UTF-8 text', 'café \u{1f600} \ufeff \ufffe', false],
    ['a stray byte, as Node reads it', 'a\ufffdb', true],
    ['an overlong form or a surrogate, as Node reads it', '\ufffd\ufffd', true],
  ])('%s', (_name, arg, expected) => {
    expect(mayHideBytes(arg)).toBe(expected);
  });
});

test('textBytes: ASCII is its own bytes, other text its UTF-8', () => {
  expect(textBytes('prog -x')).toBe('prog -x');
  expect(textBytes('a\x7fb')).toBe('a\x7fb');
  expect(textBytes('\x80')).toBe('\xc2\x80');
  expect(textBytes('\u{1f600}')).toBe('\xf0\x9f\x98\x80');
});
