// Lines' fast path (whole short lines in bulk) against the byte-by-byte model of C's buffers it
// stands in for: the same input, cut into the same reads, must leave the same files with the same
// names (the fake clock ticks once per reading, so the stamps also count the clock readings).
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { parseScript } from '../../../../src/lib/multilog/script.js';
import { fakeIO } from './fake-io.js';

const root = mkdtempSync(join(tmpdir(), 'dt-multilog-fast-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;

/** A small deterministic generator (xorshift32), so a failure can be run again. */
function random(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

/** Lines of every kind the paths treat apart: empty, short, near and past a head's 1000 bytes, unfinished. */
function input(seed: number, total: number): Buffer {
  const r = random(seed);
  const parts: Buffer[] = [];
  let size = 0;
  while (size < total) {
    const kind = r(20);
    const len = kind === 0 ? 0 : kind === 1 ? 970 + r(60) : kind === 2 ? 1000 + r(3000) : kind < 6 ? r(8) : 20 + r(120);
    const line = Buffer.alloc(len + 1, 0x61 + r(26));
    line[len] = 0x0a;
    parts.push(line);
    size += line.length;
  }
  const all = Buffer.concat(parts);
  return r(2) === 0 ? all.subarray(0, all.length - 1 - r(5)) : all;
}

/** The input cut into reads: as C's 1024, a pipe's page, our 128 KiB, or at random. */
function cuts(seed: number, length: number): number[] {
  const r = random(seed * 7 + 3);
  const style = seed % 4;
  const out: number[] = [];
  for (let at = 0; at < length; ) {
    const n = style === 0 ? 1024 : style === 1 ? 4096 : style === 2 ? 1 << 17 : 1 + r(9000);
    out.push(Math.min(n, length - at));
    at += n;
  }
  return out;
}

async function logged(args: string[], data: Buffer, reads: number[], modelOnly: boolean): Promise<Record<string, string>> {
  const cwd = join(root, String(serial++));
  mkdirSync(cwd);
  const engine = await Multilog.open(parseScript(args), fakeIO(), { cwd, modelOnly });
  let at = 0;
  for (const n of reads) {
    await engine.push(data.subarray(at, at + n));
    at += n;
  }
  await engine.end();
  engine.release();
  const files: Record<string, string> = {};
  for (const dir of readdirSync(cwd)) {
    for (const name of readdirSync(join(cwd, dir))) {
      if (name === 'lock') continue;
      files[`${dir}/${name}`] = readFileSync(join(cwd, dir, name), 'latin1');
    }
  }
  return files;
}

const scripts: Array<[string, string[]]> = [
  ['stamped, rotating often', ['t', 's4096', 'n100', './d']],
  ['unstamped, rotating often', ['s2500', 'n100', './d']],
  ['stamped, large size', ['t', 's200000', 'n100', './d']],
  ['two directories of different sizes', ['t', 's9000', 'n100', './a', 's5000', './b']],
];

describe('the fast path writes what the model writes', () => {
  test.each(scripts)('%s', async (_name, args) => {
    for (let seed = 1; seed <= 8; seed++) {
      const data = input(seed, 60000 + seed * 5000);
      const reads = cuts(seed, data.length);
      const fast = await logged(args, data, reads, false);
      const model = await logged(args, data, reads, true);
      expect(Object.keys(fast).length, `seed ${seed}`).toBeGreaterThan(1);
      expect(fast, `seed ${seed}`).toEqual(model);
    }
  });
});
