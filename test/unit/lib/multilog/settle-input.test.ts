// Settling a logger's input by a dead host's ledger (settle-input.ts): a chunk still in the pipe
// that reached every `current` is taken out (into the bin), one that did not, or that is in the
// bin already, is kept; the line head that goes with the outcome is returned; the ledger is left
// saying that head alone and the bin empty, so settling again changes nothing.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { native } from '../../../../src/native/index.js';
import { decodeLedger } from '../../../../src/lib/multilog/ledger.js';
import { settleInput } from '../../../../src/lib/multilog/settle-input.js';

const root = mkdtempSync(join(tmpdir(), 'dt-settle-unit-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const INPUT = 'first\nsecond\nthird\n';

test.skipIf(process.platform !== 'linux').each([
  // [what, ledger, bin holds, current grew, input left, head returned]
  ['a chunk written: dropped', '6 1 0 0\n5 ./main/current\n', '', true, 'second\nthird\n', ''],
  ['a chunk not written: kept', '6 1 0 0\n5 ./main/current\n', '', false, INPUT, ''],
  ['a chunk for no directory: dropped', '6 0 0 0\n', '', false, 'second\nthird\n', ''],
  ['a chunk in the bin already: kept', '6 1 0 0\n5 ./main/current\n', 'first\n', true, INPUT, ''],
  ['done with, a head held: the head', '0 0 0 4\nhead', '', false, INPUT, 'head'],
  ['written, with heads: dropped, the new head', '6 1 2 3\n5 ./main/current\nh0h1x', '', true, 'second\nthird\n', 'h1x'],
  ['not written, with heads: kept, the old head', '6 1 2 3\n5 ./main/current\nh0h1x', '', false, INPUT, 'h0'],
  ['a new stub\'s zeros: nothing', '\0\0\0\0\0\0\0\0', '', true, INPUT, ''],
])('%s', (_what, ledgerText, inBin, grew, left, head) => {
  const n = native();
  const [inRead, inWrite] = n.pipe();
  const [binRead, binWrite] = n.pipe();
  n.fcntl(inRead, n.constants.F_SETFL, n.fcntl(inRead, n.constants.F_GETFL) | n.constants.O_NONBLOCK);
  n.fcntl(binRead, n.constants.F_SETFL, n.fcntl(binRead, n.constants.F_GETFL) | n.constants.O_NONBLOCK);
  const path = join(root, `ledger-${Math.random()}`);
  const ledger = openSync(path, 'w+');
  try {
    writeSync(ledger, Buffer.from(ledgerText, 'latin1'), 0, ledgerText.length, 0);
    writeSync(inWrite, INPUT);
    if (inBin) writeSync(binWrite, inBin);
    const asked: string[] = [];
    const kept = { ledger, bin: [binRead, binWrite] as const };
    const got = settleInput(n, inRead, kept, (f) => (asked.push(f.path), grew));
    expect(got.toString('latin1')).toBe(head);
    const buf = Buffer.alloc(100);
    const rest = readSync(inRead, buf, 0, 100, null);
    expect(buf.subarray(0, rest).toString('latin1')).toBe(left);
    // The ledger says the head alone, the bin is empty: a second settle finds nothing to do.
    expect(decodeLedger(readFileSync(path))).toEqual(
      ledgerText.startsWith('\0') ? null : { taken: 0, files: [], before: Buffer.alloc(0), after: Buffer.from(head, 'latin1') },
    );
    expect(() => readSync(binRead, buf, 0, 100, null)).toThrow(/EAGAIN/);
  } finally {
    for (const fd of [inRead, inWrite, binRead, binWrite]) n.close(fd);
    closeSync(ledger);
  }
});
