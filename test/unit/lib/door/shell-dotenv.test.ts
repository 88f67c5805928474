// Shell quoting read back by /bin/sh itself, the word splitter, and .env files by dotenv's rules.
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { parseDotenv } from '../../../../src/lib/door/dotenv.js';
import { quote, quoteAll, splitWords } from '../../../../src/lib/door/shell.js';

const HOSTILE = ['plain', 'two words', "it's", '"double"', '$HOME', '`id`', 'back\\slash', 'new\nline', '', '*', '~user', 'a;b|c&d', "'", "''", '-n', '\t', 'é'];

describe('quote', () => {
  test('sh reads every word back exactly', () => {
    const r = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${quoteAll(HOSTILE)}`], { encoding: 'utf8' });
    expect(r.stdout.split('\0').slice(0, -1)).toEqual(HOSTILE);
  });
  test.each([
    ['app.js', 'app.js'],
    ['--port=3000', '--port=3000'],
    ['a b', "'a b'"],
    ["it's", `'it'\\''s'`],
    ['', "''"],
  ])('%j -> %s', (word, quoted) => expect(quote(word)).toBe(quoted));
});

describe('splitWords', () => {
  test.each([
    ['--port 3000 --verbose', ['--port', '3000', '--verbose']],
    [`a 'b c' "d \\"e\\"" f\\ g`, ['a', 'b c', 'd "e"', 'f g']],
    ['  ', []],
    ["'open", null],
  ])('%j', (line, words) => expect(splitWords(line)).toEqual(words));
  test('reads back what quoteAll wrote', () => expect(splitWords(quoteAll(HOSTILE.filter((w) => w !== '')))).toEqual(HOSTILE.filter((w) => w !== '')));
});

describe('parseDotenv', () => {
  // The cases dotenv's README and tests document.
  test.each<[string, string, Record<string, string>]>([
    ['basic', 'BASIC=basic', { BASIC: 'basic' }],
    ['comments and blank lines skipped', '# comment\n\nA=1\n  # indented\n', { A: '1' }],
    ['empty value', 'EMPTY=', { EMPTY: '' }],
    ['single quotes kept literal', "SQ='a \\n b'", { SQ: 'a \\n b' }],
    ['double quotes expand \\n', 'DQ="a\\nb"', { DQ: 'a\nb' }],
    ['backticks', 'BT=`say "hi" \'there\'`', { BT: `say "hi" 'there'` }],
    ['inline comment', 'IC=value # comment', { IC: 'value' }],
    ['hash inside quotes kept', 'HQ="a # b"', { HQ: 'a # b' }],
    ['unquoted trimmed', 'TR=   some value   ', { TR: 'some value' }],
    ['quoted spaces kept', "QS='  x  '", { QS: '  x  ' }],
    ['export prefix', 'export EX=1', { EX: '1' }],
    ['colon form', 'CO: yes', { CO: 'yes' }],
    ['keys with dots and dashes', 'a.b-c=1', { 'a.b-c': '1' }],
    ['multiline double quoted', 'ML="line one\nline two"\nNEXT=n', { ML: 'line one\nline two', NEXT: 'n' }],
    ['CRLF', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
    ['later wins', 'A=1\nA=2', { A: '2' }],
    ['escaped quote inside', 'EQ="a\\"b"', { EQ: 'a\\"b' }],
    ['garbage lines skipped', 'not a line\nOK=1', { OK: '1' }],
    ['unclosed quote is a plain value', 'UQ="abc', { UQ: '"abc' }],
    ['equals in value', 'URL=postgres://u:p@h/db?x=1', { URL: 'postgres://u:p@h/db?x=1' }],
    ['dollar kept', 'D=$HOME', { D: '$HOME' }],
  ])('%s', (_name, text, vars) => expect(Object.fromEntries(parseDotenv(text))).toEqual(vars));
});
