// What the launcher reads from bin/ at a start (scripts/install-bin.cjs writes both files): the
// node it runs (bin/.launch's first line) and a program's Node flags (bin/.node-flags).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.js';

/** The node executable the launcher runs. */
export const launchedNode = (): string => readFileSync(join(ROOT, 'bin', '.launch'), 'utf8').split('\n')[0] || process.execPath;

/** The Node flags the launcher gives `program` (none without a line of its own). */
export function nodeFlagsOf(program: string): string[] {
  const line = readFileSync(join(ROOT, 'bin', '.node-flags'), 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[0] === program);
  return line ? line.split(' ').slice(1).filter(Boolean) : [];
}
