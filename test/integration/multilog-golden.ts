// Runs multilog (C's and ours) with the same arguments and input in the same directory, one after
// the other, and takes what it left: the directory tree (stamps in names numbered in order, stamps
// in contents set aside), stderr and the exit status. Input comes from a file, so that C reads it
// 1024 bytes at a time every time, and so cuts `current` at the same places every time.
import { spawnSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ours, theirs } from '../helpers/paths.js';

export const SIDES = ['c', 'ours'] as const;
export type Side = (typeof SIDES)[number];
export const multilogOf = (side: Side): string => (side === 'c' ? theirs('multilog') : ours('multilog'));

const STAMP = /@[0-9a-f]{24}/g;

export interface Entry {
  readonly mode: string;
  readonly content: string;
}
export type Tree = Record<string, Entry>;

export interface Outcome {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderr: string;
  readonly tree: Tree;
}

export interface Case {
  readonly args: readonly string[];
  /** A shell script that execs multilog ("$0") itself, for arguments that are not UTF-8 (args is then unused). */
  readonly shell?: string;
  readonly input: Buffer | string;
  /** Puts files in place before each side runs (the work directory is empty). */
  readonly prepare?: (work: string) => void;
  /** Runs after the program, before the tree is taken (e.g. drops a lock). */
  readonly after?: (work: string) => void;
}

export class GoldenSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'dt-multilog-'));
  readonly work = join(this.dir, 'work');

  run(side: Side, c: Case): Outcome {
    rmSync(this.work, { recursive: true, force: true });
    mkdirSync(this.work);
    c.prepare?.(this.work);
    const inputFile = join(this.dir, 'input');
    writeFileSync(inputFile, c.input);
    const fd = openSync(inputFile, 'r');
    try {
      const [file, args] = c.shell === undefined ? [multilogOf(side), c.args] : ['/bin/sh', ['-c', c.shell, multilogOf(side)]];
      const r = spawnSync(file, args, {
        cwd: this.work,
        stdio: [fd, 'ignore', 'pipe'],
        timeout: 60_000,
        maxBuffer: 1 << 26,
      });
      if (r.error) throw r.error;
      c.after?.(this.work);
      return {
        status: r.status,
        signal: r.signal,
        stderr: normalize(r.stderr.toString('latin1').split(this.dir).join('$T')),
        tree: snapshot(this.work),
      };
    } finally {
      closeSync(fd);
    }
  }

  /** Both sides: C first, then ours, in the same place. */
  both(c: Case): { c: Outcome; ours: Outcome } {
    return { c: this.run('c', c), ours: this.run('ours', c) };
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function normalize(text: string): string {
  return text.replace(STAMP, '@STAMP');
}

/** Every file under `root`: stamped names numbered in sorted order per directory, stamps in contents normalised. */
export function snapshot(root: string): Tree {
  const tree: Tree = {};
  const walk = (dir: string, rel: string): void => {
    const names = readdirSync(dir).sort();
    const stamped = names.filter((n) => /^@[0-9a-f]{24}/.test(n));
    for (const name of names) {
      const path = join(dir, name);
      const st = lstatSync(path);
      const i = stamped.indexOf(name);
      const key = rel + (i >= 0 ? name.replace(/^@[0-9a-f]{24}/, `@${String(i).padStart(4, '0')}`) : name);
      if (st.isDirectory()) {
        tree[`${key}/`] = { mode: (st.mode & 0o7777).toString(8), content: '' };
        walk(path, `${key}/`);
      } else {
        tree[key] = { mode: (st.mode & 0o7777).toString(8), content: normalize(readFileSync(path, 'latin1')) };
      }
    }
  };
  walk(root, '');
  return tree;
}

/** Deterministic input of lines of every sort of length (empty, short, around 1000, long). */
export function mixedInput(seed: number, total: number, endWithNewline = true): Buffer {
  let state = seed;
  const rnd = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const out = Buffer.alloc(total);
  let i = 0;
  while (i < total) {
    const r = rnd();
    const len =
      r < 0.1 ? 0 : r < 0.6 ? Math.floor(rnd() * 100) : r < 0.8 ? 960 + Math.floor(rnd() * 60) : r < 0.95 ? Math.floor(rnd() * 3000) : Math.floor(rnd() * 20000);
    for (let k = 0; k < len && i < total; k++) out[i++] = 32 + Math.floor(rnd() * 90);
    if (i < total) out[i++] = 10;
  }
  if (!endWithNewline && out[total - 1] === 10) out[total - 1] = 0x41;
  return out;
}
