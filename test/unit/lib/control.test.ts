import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Command, isCommandLetter, parseSvcArgs, sendCommands, SVC_OPTIONS } from '../../../src/lib/control.js';

describe('parseSvcArgs', () => {
  // Expectations checked against C svc, which writes exactly these bytes to supervise/control.
  test.each<[string, string[], string, string[]]>([
    ['one letter', ['-u', 'a'], 'u', ['a']],
    ['every letter, in svc order', ['-udopchaitkx', 'a'], 'udopchaitkx', ['a']],
    ['order as given', ['-xkt', '-d', 'a'], 'xktd', ['a']],
    ['repeats dropped, first place kept', ['-tuut', '-d', '-u', 'a'], 'tud', ['a']],
    ['no options: nothing to send', ['a', 'b'], '', ['a', 'b']],
    ['options end at the first directory', ['-u', 'a', '-d'], 'u', ['a', '-d']],
    ['"--" ends the options', ['-u', '--', '-d'], 'u', ['-d']],
    ['"-" is a directory', ['-u', '-', 'a'], 'u', ['-', 'a']],
    ['no directories at all', ['-u'], 'u', []],
  ])('%s', (_name, args, commands, dirs) => {
    expect(parseSvcArgs(['svc', ...args])).toEqual({ ok: true, commands, dirs });
  });

  test.each<[string, string[], string]>([
    ['unknown letter', ['-z', 'a'], 'z'],
    ['unknown letter after good ones', ['-uz', 'a'], 'z'],
    ['a multibyte letter', ['-é'], 'é'],
  ])('%s is a problem', (_name, args, letter) => {
    const parsed = parseSvcArgs(['svc', ...args]);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.problem).toBe(letter);
  });
});

describe('Command', () => {
  test('names the eleven letters svc accepts', () => {
    expect(Object.values(Command).sort().join('')).toBe([...SVC_OPTIONS].sort().join(''));
  });

  test.each([...SVC_OPTIONS])('%s is a command letter', (letter) => {
    expect(isCommandLetter(letter)).toBe(true);
  });

  test.each(['', 'z', 'U', 'ud', '\0'])('%j is not', (text) => {
    expect(isCommandLetter(text)).toBe(false);
  });
});

describe('sendCommands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dt-control-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = (name: string): string => {
    const path = join(dir, name);
    execFileSync('mkfifo', [path]);
    return path;
  };

  test('writes the letters to a FIFO someone reads', () => {
    const path = fifo('control');
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      sendCommands(path, 'dx');
      const buf = Buffer.alloc(16);
      expect(buf.toString('latin1', 0, readSync(reader, buf))).toBe('dx');
    } finally {
      closeSync(reader);
    }
  });

  test('ENXIO when nobody reads the FIFO', () => {
    expect(() => sendCommands(fifo('unread'), 'u')).toThrow(expect.objectContaining({ code: 'ENXIO', syscall: 'open' }));
  });

  test('ENOENT when there is no FIFO', () => {
    expect(() => sendCommands(join(dir, 'missing'), 'u')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  test('a regular file in the FIFO\'s place is written over, as C svc does', () => {
    const path = join(dir, 'plain');
    writeFileSync(path, 'old!');
    sendCommands(path, 'ud');
    expect(readFileSync(path, 'latin1')).toBe('udd!');
  });
});
