// A log stream's room after a burst: kept while the stream is in use, given back once a whole
// sweep went by without a read, never while output waits to be written, and nothing lost.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Multilog } from '../../../../src/lib/multilog/engine.js';
import { IdleRoom, idleRoom, KEEP_ROOM, type Roomy } from '../../../../src/lib/multilog/room.js';
import { parseScript } from '../../../../src/lib/multilog/script.js';
import { LogStream } from '../../../../src/lib/multilog/stream.js';
import { fakeIO } from './fake-io.js';

const root = mkdtempSync(join(tmpdir(), 'dt-multilog-room-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** `n` lines of 100 bytes, numbered from `from`. */
function lines(from: number, n: number): Buffer {
  let text = '';
  for (let i = from; i < from + n; i++) text += `${String(i).padStart(8, '0')} ${'x'.repeat(90)}\n`;
  return Buffer.from(text, 'latin1');
}

/** A stream after a read of `chunk` whose bytes all went to its output. */
function fed(stream: LogStream, chunk: Buffer): void {
  stream.mirror(chunk);
  stream.appendInput(0, chunk.length);
  stream.put(chunk.length);
  stream.flush();
}

describe('IdleRoom', () => {
  const roomy = (room: number, holdsOutput = false): Roomy & { room: number } => {
    const r = {
      room,
      used: true,
      release: () => {
        if (holdsOutput) return 0;
        const freed = r.room;
        r.room = 0;
        return freed;
      },
    };
    return r;
  };

  test.each([
    ['used before every sweep (a sustained stream): kept', [true, true, true, true], KEEP_ROOM * 8, 0],
    ['idle for one whole sweep: let go, one give-back', [false, false], 0, 1],
    ['used, then idle: let go at the first sweep that finds it unused', [true, true, false, false, false], 0, 1],
  ])('%s', (_what, usedBefore, room, giveBacks) => {
    let given = 0;
    const sweeper = new IdleRoom(() => given++, 60_000);
    const stream = roomy(KEEP_ROOM * 8);
    sweeper.track(stream);
    for (const used of usedBefore) {
      if (used) stream.used = true;
      sweeper.sweep();
    }
    expect(stream.room).toBe(room);
    expect(given).toBe(giveBacks);
    expect(sweeper.size).toBe(room === 0 ? 0 : 1);
  });

  test('a stream holding output not yet written keeps its room and stays watched', () => {
    let given = 0;
    const sweeper = new IdleRoom(() => given++, 60_000);
    const stream = roomy(KEEP_ROOM * 8, true);
    sweeper.track(stream);
    sweeper.sweep();
    sweeper.sweep();
    expect(stream.room).toBe(KEEP_ROOM * 8);
    expect(given).toBe(0);
    expect(sweeper.size).toBe(1);
  });

  test('many streams let go in one sweep get one give-back', () => {
    let given = 0;
    const sweeper = new IdleRoom(() => given++, 60_000);
    const streams = Array.from({ length: 100 }, () => roomy(KEEP_ROOM * 4));
    for (const s of streams) sweeper.track(s);
    sweeper.sweep();
    sweeper.sweep();
    expect(streams.every((s) => s.room === 0)).toBe(true);
    expect(given).toBe(1);
  });
});

describe('LogStream room', () => {
  test('a line at a time stays under KEEP_ROOM and is never watched; a burst grows it past, and an idle sweep takes it back to empty', () => {
    const small = new LogStream(99999, 0);
    fed(small, lines(0, 1));
    expect(small.room).toBeLessThanOrEqual(KEEP_ROOM);
    const big = new LogStream(1_000_000, 0);
    fed(big, lines(0, 640));
    const grown = big.room;
    expect(grown).toBeGreaterThan(64_000 * 2);
    // The output is still held: no sweep may take it.
    idleRoom.sweep();
    idleRoom.sweep();
    expect(big.room).toBe(grown);
    expect(big.out.subarray(0, big.length)).toEqual(lines(0, 640));
    big.clear();
    idleRoom.sweep();
    expect(big.room).toBe(0);
    expect(small.room).toBeGreaterThan(0);
    // The next burst grows it again, and its bytes are all there.
    fed(big, lines(640, 700));
    expect(big.out.subarray(0, big.length)).toEqual(lines(640, 700));
    big.clear();
    idleRoom.sweep();
    idleRoom.sweep();
    expect(big.room).toBe(0);
  });

  test('read into between sweeps (a sustained stream), it keeps its room: no regrowth', () => {
    const s = new LogStream(10_000_000, 0);
    fed(s, lines(0, 640));
    const arena = s.out;
    for (let i = 0; i < 5; i++) {
      s.clear();
      fed(s, lines(0, 640));
      idleRoom.sweep();
    }
    expect(s.out).toBe(arena);
    s.clear();
    idleRoom.sweep();
    expect(s.room).toBe(0);
  });
});

describe('an engine whose streams are swept between bursts', () => {
  test.each([
    ['t', ['t', './d']],
    ['plain', ['./d']],
    ['two directories, rotating', ['s100000', './d', './e']],
  ])('%s: every line arrives once, in order', async (_what, args) => {
    const cwd = join(root, String(Math.random()).slice(2));
    mkdirSync(cwd);
    const engine = await Multilog.open(parseScript(args), fakeIO(), { cwd });
    const sent: Buffer[] = [];
    let n = 0;
    // Bursts of read-sized chunks and single lines, each followed by a quiet time (two sweeps).
    for (const [chunks, size] of [[3, 640], [1, 1], [2, 655], [5, 1], [1, 640]] as const) {
      for (let c = 0; c < chunks; c++) {
        const chunk = lines(n, size);
        n += size;
        sent.push(chunk);
        await engine.push(chunk);
      }
      idleRoom.sweep();
      idleRoom.sweep();
    }
    // Every stream has let its room go by now.
    expect(idleRoom.size).toBe(0);
    await engine.end();
    engine.release();
    const all = Buffer.concat(sent).toString('latin1');
    for (const dir of args.filter((a) => a.startsWith('./'))) {
      const names = readdirSync(join(cwd, dir)).filter((f) => f.startsWith('@')).sort();
      const text = [...names, 'current'].map((f) => readFileSync(join(cwd, dir, f), 'latin1')).join('');
      const body = args[0] === 't' ? text.replace(/^@[0-9a-f]{24} /gm, '') : text;
      expect(body).toBe(all);
    }
  });
});
