// scripts/lean.cjs on small module trees: what it keeps and drops, how it renames what two modules
// (or a module and a local) share, how it merges Node's modules and rewrites a lazy require, and
// what makes it refuse. Each script is run, so a wrong rename or order shows as a wrong result.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../../helpers/paths.js';

type Lean = {
  programFor(entries: string[]): { ts: unknown; program: unknown };
  leanScript(program: unknown, ts: unknown, entry: string, dirs: { srcDir: string; distDir: string; outDir: string }): string;
};
const { programFor, leanScript } = createRequire(__filename)(join(ROOT, 'scripts', 'lean.cjs')) as Lean;

const base = mkdtempSync(join(tmpdir(), 'dt-lean-script-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let trees = 0;

/** Writes `files` (paths under src/) into a new tree and makes the lean script of src/entry.ts. */
function lean(files: Record<string, string>): { script: string; outDir: string; run: () => { out: string; err: string; code: number | null } } {
  const tree = join(base, `t${trees++}`);
  const srcDir = join(tree, 'src');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(srcDir, name)), { recursive: true });
    writeFileSync(join(srcDir, name), text);
  }
  const entry = join(srcDir, 'entry.ts');
  const { ts, program } = programFor([entry]);
  const outDir = join(tree, 'dist', 'cli');
  const script = leanScript(program, ts, entry, { srcDir, distDir: join(tree, 'dist'), outDir });
  return {
    script,
    outDir,
    run: () => {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(join(outDir, 'lean.cjs'), script);
      const r = spawnSync(process.execPath, [join(outDir, 'lean.cjs')], { encoding: 'utf8' });
      return { out: r.stdout, err: r.stderr, code: r.status };
    },
  };
}

const print = "import { writeSync } from 'node:fs';\n";

describe('what a lean script holds', () => {
  test('only the declarations the entry reaches, in the order Node would run their modules', () => {
    const { script, run } = lean({
      'lib/size.ts': 'export const SIZE = 4;\nexport function unusedHelper(): number { return 1; }\n',
      'lib/buf.ts': "import { SIZE } from './size.js';\nexport const BUF = new Uint8Array(SIZE);\nexport class NeverUsed {}\n",
      'entry.ts': `${print}import { BUF } from './lib/buf.js';\nwriteSync(1, String(BUF.length));\n`,
    });
    expect(run()).toEqual({ out: '4', err: '', code: 0 });
    expect(script).not.toMatch(/unusedHelper|NeverUsed/);
  });

  test('a name two modules share, or a local shares with one, gets a suffix; each use still finds its own', () => {
    const { script, run } = lean({
      'a.ts': "export const NAME = 'a';\nexport const count = 1;\n",
      'b.ts': "import { NAME as other, count as total } from './a.js';\nexport const NAME = 'b';\nexport function g(): string { const count = 5; return NAME + other + (count + total); }\n",
      'entry.ts': `${print}import { g } from './b.js';\nwriteSync(1, g());\n`,
    });
    expect(run()).toEqual({ out: 'ba6', err: '', code: 0 });
    expect(script).toMatch(/count\$2/);
  });

  test("Node's modules are required once each, whoever imports them, under one name per binding", () => {
    const { script, run } = lean({
      'a.ts': "import { sep } from 'node:path';\nimport * as fs from 'node:fs';\nexport const a = (): string => sep + typeof fs.readFileSync;\n",
      'b.ts': "import { sep as s, join } from 'node:path';\nexport const b = (): string => join('x', 'y') + s;\n",
      'entry.ts': `${print}import { a } from './a.js';\nimport { b } from './b.js';\nwriteSync(1, a() + b());\n`,
    });
    expect(run()).toEqual({ out: '/functionx/y/', err: '', code: 0 });
    expect(script.match(/require\("node:path"\)/g)).toHaveLength(1);
    expect(script.match(/require\("node:fs"\)/g)).toHaveLength(1);
  });

  test('a relative require left in kept code names the compiled module from the script’s directory', () => {
    const { script } = lean({
      'lib/rare.ts': "export function rare(): unknown { return require('./elsewhere.js'); }\n",
      'entry.ts': "import { rare } from './lib/rare.js';\nif (process.argv.length > 5) rare();\n",
    });
    expect(script).toContain('require("../lib/elsewhere.js")');
  });

  test("a module's run-as-main guard is left out, and a re-export is followed to its module", () => {
    const { run } = lean({
      'a.ts': "export const word = (): string => 'ok';\nif (require.main === module) process.exit(3);\n",
      'b.ts': "export { word } from './a.js';\n",
      'entry.ts': `${print}import { word } from './b.js';\nwriteSync(1, word());\n`,
    });
    expect(run()).toEqual({ out: 'ok', err: '', code: 0 });
  });

  test("a kept module's __dirname is its compiled directory, worked out from the script's", () => {
    const here = (name: string): string => `export const ${name} = (): string => __dirname;\n`;
    const { outDir, run } = lean({
      'lib/deep/a.ts': here('deep'),
      'native/b.ts': here('sibling'),
      'cli/c.ts': here('same'),
      'd.ts': here('parent'),
      'entry.ts': `${print}import { deep } from './lib/deep/a.js';\nimport { sibling } from './native/b.js';\nimport { same } from './cli/c.js';\nimport { parent } from './d.js';\nwriteSync(1, [deep(), sibling(), same(), parent()].join('\\n'));\n`,
    });
    const dist = dirname(outDir);
    expect(run()).toEqual({ out: [join(dist, 'lib', 'deep'), join(dist, 'native'), outDir, dist].join('\n'), err: '', code: 0 });
  });

  test('types, interfaces and type-only imports leave nothing behind', () => {
    const { script, run } = lean({
      'types.ts': 'export interface Shape { n: number }\nexport type Name = string;\n',
      'entry.ts': `${print}import type { Shape, Name } from './types.js';\nconst s: Shape = { n: 2 };\nconst name: Name = 'z';\nwriteSync(1, name + s.n);\n`,
    });
    expect(run()).toEqual({ out: 'z2', err: '', code: 0 });
    expect(script).not.toMatch(/interface|Shape/);
  });
});

describe('what it refuses', () => {
  test.each([
    ['__filename in kept code', { 'a.ts': 'export const here = (): string => __filename;\n' }, /uses __filename/],
    ['a top-level statement with effects outside the entry', { 'a.ts': "export const here = (): string => 'x';\nconsole.log('loaded');\n" }, /not a declaration/],
  ])('%s', (_what, files, message) => {
    expect(() => lean({ ...files, 'entry.ts': "import { here } from './a.js';\nhere();\n" })).toThrow(message);
  });
});
