import { describe, expect, test } from 'vitest';
import { Getopt, problemMessage, progName, type GetoptResult } from '../../../src/lib/sgetopt.js';

/** Every result getopt gives for argv, then where the operands start. */
function parse(argv: readonly string[], spec: string): { results: GetoptResult[]; optind: number } {
  const getopt = new Getopt(argv, spec);
  const results: GetoptResult[] = [];
  for (let r = getopt.next(); r !== null; r = getopt.next()) {
    results.push(r);
    if (r.kind === 'problem') break;
  }
  return { results, optind: getopt.optind };
}

const opt = (o: string, arg?: string): GetoptResult => ({ kind: 'option', opt: o, arg });
const problem = (p: string, missingArgument = false): GetoptResult => ({ kind: 'problem', problem: p, missingArgument });

describe('Getopt', () => {
  test.each<[string, string[], string, GetoptResult[], number]>([
    ['no options', ['p', 'child'], 'nx', [], 1],
    ['nothing at all', ['p'], 'nx', [], 1],
    ['separate flags', ['p', '-n', '-x', 'f'], 'nx', [opt('n'), opt('x')], 3],
    ['bundled flags', ['p', '-nx', 'f'], 'nx', [opt('n'), opt('x')], 2],
    ['argument attached', ['p', '-m100', 'c'], 'm:', [opt('m', '100')], 2],
    ['argument apart', ['p', '-m', '100', 'c'], 'm:', [opt('m', '100')], 3],
    ['flag then argument in one word', ['p', '-nm5', 'c'], 'nm:', [opt('n'), opt('m', '5')], 2],
    ['argument that looks like an option', ['p', '-m', '-n', 'c'], 'nm:', [opt('m', '-n')], 3],
    ['empty argument apart', ['p', '-m', '', 'c'], 'm:', [opt('m', '')], 3],
    ['"--" ends options and is dropped', ['p', '-n', '--', '-x'], 'nx', [opt('n')], 3],
    ['"--anything" is dropped like "--"', ['p', '--foo', 'c'], 'nx', [], 2],
    ['"-" alone is an operand', ['p', '-', 'c'], 'nx', [], 1],
    ['stops at the first operand', ['p', 'c', '-n'], 'nx', [], 1],
    ['unknown letter', ['p', '-y', 'c'], 'nx', [problem('y')], 1],
    ['unknown letter in a bundle', ['p', '-ny', 'c'], 'nx', [opt('n'), problem('y')], 1],
    ['colon is never a letter', ['p', '-:', 'c'], 'm:', [problem(':')], 1],
    ['missing argument', ['p', '-m'], 'm:', [problem('m', true)], 2],
    ['missing argument after a flag', ['p', '-nm'], 'nm:', [opt('n'), problem('m', true)], 2],
  ])('%s', (_name, argv, spec, results, optind) => {
    expect(parse(argv, spec)).toEqual({ results, optind });
  });

  test('each Getopt starts afresh (fused chain links)', () => {
    const argv = ['p', '-n', 'c'];
    expect(parse(argv, 'n')).toEqual(parse(argv, 'n'));
  });
});

describe('problemMessage', () => {
  test.each<[string, string, boolean, string]>([
    ['/usr/bin/softlimit', 'x', false, 'softlimit: illegal option -- x\n'],
    ['setlock', 'y', false, 'setlock: illegal option -- y\n'],
    ['softlimit', 'm', true, 'softlimit: option requires an argument -- m\n'],
    ['', 'x', false, ': illegal option -- x\n'],
  ])('%s %s', (argv0, p, missing, text) => {
    expect(problemMessage(argv0, { kind: 'problem', problem: p, missingArgument: missing }).toString('latin1')).toBe(text);
  });

  test('a multibyte letter is reported by its first byte, as C does', () => {
    const message = problemMessage('svc', { kind: 'problem', problem: 'é', missingArgument: false });
    expect(message).toEqual(Buffer.concat([Buffer.from('svc: illegal option -- '), Buffer.from([0xc3, 0x0a])]));
  });

  test.each([
    ['/a/b/c', 'c'],
    ['c', 'c'],
    ['dir/', ''],
    [undefined, ''],
  ])('progName(%s)', (argv0, name) => {
    expect(progName(argv0)).toBe(name);
  });
});
