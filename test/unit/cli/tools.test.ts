// The program table's sets: which programs end the moment their main returns (cli/main.ts), and
// which are the links that the links' start (src/cli/lean/links.ts) runs without the table.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ENDS_AT_RETURN, LONG_RUNNING, tools } from '../../../src/cli/tools.js';
import { ROOT } from '../../helpers/paths.js';

const TOOLS = tools();

describe('ENDS_AT_RETURN', () => {
  test.each([...ENDS_AT_RETURN])('%s is a program of its own, never long-running nor a chain link', (name) => {
    expect(TOOLS[name]?.kind).toBe('main');
    expect(LONG_RUNNING.has(name)).toBe(false);
  });

  test.each(['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack', 'supervise', 'svscan', 'multilog', 'daemontools'])(
    '%s leaves its ending to Node (a chain may end in a program run in-process; the others keep work pending)',
    (name) => {
      expect(ENDS_AT_RETURN.has(name)).toBe(false);
    },
  );
});

test("the links' start names every link of the table, each from its own module", () => {
  const text = readFileSync(join(ROOT, 'src', 'cli', 'lean', 'links.ts'), 'utf8');
  const imported = [...text.matchAll(/^import \{ link as (\w+) \} from '\.\.\/(\w+)\.js';$/gm)];
  expect(imported.every(([, name, file]) => name === file)).toBe(true);
  const links = Object.keys(TOOLS).filter((name) => TOOLS[name]!.kind === 'link');
  expect(imported.map(([, name]) => name).sort()).toEqual(links.sort());
  const handed = /startLinks\(\{ ([\w, ]+) \}/.exec(text)?.[1]?.split(', ') ?? [];
  expect(handed.sort()).toEqual(links.sort());
});
