// The model of C multilog's 512-byte directory buffer and c_write: where `current` is rotated.
import { describe, expect, test } from 'vitest';
import { LogStream } from '../../../../src/lib/multilog/stream.js';

const SIZE = 4096;

/** Appends and puts a line of `length` bytes as C does: buffer_put of the text, then PUTC '\n'. */
function line(s: LogStream, length: number, fill = 0x78): void {
  s.append(Buffer.alloc(length - 1, fill), 0, length - 1);
  s.put(length - 1);
  s.appendByte(0x0a);
  s.putc();
}

function put(s: LogStream, text: Buffer): void {
  s.append(text, 0, text.length);
  s.put(text.length);
}

describe('LogStream', () => {
  test('the buffer hands c_write 500 bytes at a time; within 2000 bytes of the limit, the first newline-ended write rotates', () => {
    const s = new LogStream(SIZE, 0);
    for (let i = 0; i < 21; i++) line(s, 100);
    // Four full buffers (2000 bytes) went to c_write; nothing rotated yet.
    expect(s.rotations).toEqual([]);
    expect(s.bytes).toBe(2000);
    s.flush();
    expect(s.rotations).toEqual([2100]);
    expect(s.bytes).toBe(0);
  });

  test('near the limit a write is cut after its last newline and rotates there', () => {
    const s = new LogStream(SIZE, 0);
    put(s, Buffer.concat([Buffer.alloc(3000, 0x78), Buffer.from('\n'), Buffer.alloc(1000, 0x79)]));
    expect(s.rotations).toEqual([3001]);
    expect(s.bytes).toBe(1000);
  });

  test('without newlines a file is cut at the size limit', () => {
    const s = new LogStream(SIZE, 0);
    put(s, Buffer.alloc(8500, 0x78));
    // 8192 straight through (two full files' worth), 308 left in the buffer
    expect(s.rotations).toEqual([4096]);
    s.flush();
    expect(s.rotations).toEqual([4096, 8192]);
    expect(s.bytes).toBe(308);
  });

  test('a resumed current that is already full rotates before the first write', () => {
    const s = new LogStream(SIZE, 5000);
    line(s, 10);
    s.flush();
    expect(s.rotations).toEqual([0]);
    expect(s.bytes).toBe(10);
  });

  test('SIGALRM rotates only a non-empty current, after flushing', () => {
    const s = new LogStream(SIZE, 0);
    s.forceRotate();
    expect(s.rotations).toEqual([]);
    line(s, 10);
    s.forceRotate();
    expect(s.rotations).toEqual([10]);
    s.forceRotate();
    expect(s.rotations).toEqual([10]);
  });

  test('PUTC runs: a full buffer is flushed before the next byte', () => {
    const s = new LogStream(SIZE, 0);
    s.append(Buffer.alloc(1300, 0x78), 0, 1300);
    s.putRun(1300);
    expect(s.bytes).toBe(1024);
    s.flush();
    expect(s.bytes).toBe(1300);
  });

  test('keeps the bytes in order across growth; clear() starts afresh', () => {
    const s = new LogStream(SIZE, 0, 16, 16);
    s.mirror(Buffer.from('0123456789\nabcdef'));
    s.appendInput(0, 11);
    s.append(Buffer.from('--'), 0, 2);
    s.appendInput(11, 17);
    s.put(19);
    s.flush();
    expect(s.out.subarray(0, s.length).toString()).toBe('0123456789\n--abcdef');
    s.clear();
    expect(s.length).toBe(0);
    expect(s.rotations).toEqual([]);
  });
});
