// The wire formats have one definition per language: native/record.h and native/stub_protocol.h
// for C, src/lib/exec/captured.ts and src/lib/loghost/protocol.ts for TypeScript. A program built
// against the C headers (test/fixtures/wire.c) says what they define, writes a record, and reads
// ledgers TypeScript wrote and writes back what it read: both sides must agree byte for byte.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FIELD, FLAG_SET, parseCaptured, RECORD_VERSION, recordField, STATE_VAR } from '../../src/lib/exec/captured.js';
import { decodeLedger, encodeLedger, HOST, hostSocket, LEDGER_NAME, RECORD_END, REHOST_LETTER, REHOST_VAR, STUB, type Ledger } from '../../src/lib/loghost/protocol.js';

const WIRE = join(__dirname, '..', 'fixtures', 'bin', 'wire');
const wire = (args: string[], input?: Buffer): Buffer => execFileSync(WIRE, args, { input });

describe('the C headers name what TypeScript names', () => {
  const names = new Map(
    wire(['names'])
      .toString('latin1')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)] as const),
  );
  const byte = (b: number): string => String(b);
  test.each([
    ['RECORD_VAR', STATE_VAR],
    ['RECORD_VERSION', RECORD_VERSION],
    ['FIELD_IGNORED', ` ${FIELD.ignored}=`],
    ['FIELD_MASK', ` ${FIELD.mask}=`],
    ['FIELD_LIMITS', ` ${FIELD.limits}=`],
    ['FIELD_FDS', ` ${FIELD.fds}=`],
    ['FIELD_ARGS', ` ${FIELD.args}=`],
    ['FIELD_LEDGER', ` ${FIELD.ledger}=`],
    ['FIELD_BIN', ` ${FIELD.bin}=`],
    ['FIELD_HELD', ` ${FIELD.held}=`],
    ['FIELD_HOSTLESS', ` ${FIELD.hostless}=${FLAG_SET}`],
    ['FIELD_SIGNALS_HELD', ` ${FIELD.signalsHeld}=${FLAG_SET}`],
    ['STUB_HOST_SOCKET', hostSocket(1234).slice(1)],
    ['STUB_LEDGER_NAME', LEDGER_NAME],
    ['STUB_RECORD_END', byte(RECORD_END)],
    ['STUB_ALARM', byte(STUB.alarm)],
    ['STUB_TERM', byte(STUB.term)],
    ['STUB_CONTINUED', byte(STUB.continued)],
    ['HOST_MESSAGE_LEN', '2'],
    ['HOST_EXIT', byte(HOST.exit)],
    ['HOST_REFUSE', byte(HOST.refuse)],
    ['HOST_MOVE', byte(HOST.move)],
    ['REHOST_VAR', REHOST_VAR],
    ['REHOST_TERM', REHOST_LETTER.SIGTERM],
    ['REHOST_ALRM', REHOST_LETTER.SIGALRM],
  ])('%s', (name, ts) => {
    expect(names.get(name)).toBe(ts);
  });
});

test('a record C writes reads back field by field in TypeScript', () => {
  const out = wire(['record', '1,13', '10', '0:u:u,7:300:400', '0:0:0,1:0:1', '65', '66:67', '68']).toString('latin1');
  expect(out.endsWith(String.fromCharCode(RECORD_END))).toBe(true);
  const record = out.slice(0, -1);
  expect(parseCaptured(record, 99n)).toEqual({
    ignored: [1, 13],
    blocked: [10],
    rlimits: new Map([
      [0, [99n, 99n]],
      [7, [300n, 400n]],
    ]),
    fds: [
      { fd: 0, cloexec: false, nonblock: false },
      { fd: 1, cloexec: false, nonblock: true },
    ],
  });
  expect(
    [FIELD.args, FIELD.ledger, FIELD.bin, FIELD.held, FIELD.hostless, FIELD.signalsHeld].map((f) => recordField(record, f)),
  ).toEqual(['6869', '65', '66:67', '68', FLAG_SET, FLAG_SET]);
});

describe('a ledger TypeScript writes, C reads and writes back as it read it', () => {
  const b = (s: string): Buffer => Buffer.from(s, 'latin1');
  test.each<[string, Ledger]>([
    ['nothing in hand', { taken: 0, files: [], before: b(''), after: b('') }],
    ['a line head held after a write', { taken: 0, files: [], before: b(''), after: b('half a li') }],
    ['a chunk for two directories', { taken: 4096, files: [{ size: 0, path: '/l/a/current' }, { size: 123456789, path: './b/current' }], before: b(''), after: b('') }],
    ['paths with spaces, held bytes of any value', { taken: 17, files: [{ size: 5, path: 'a dir/ with  spaces/current' }], before: b('x\n\0 y'), after: b('\xff\n\n') }],
  ])('%s', (_what, ledger) => {
    const written = encodeLedger(ledger);
    const back = wire(['ledger'], written);
    expect(back.equals(written), back.toString('latin1')).toBe(true);
    expect(decodeLedger(back)).toEqual(ledger);
  });

  test.each([
    ['empty', ''],
    ['a field missing', '1 0 0\n'],
    ['a sign', '-1 0 0 0\n'],
    ['a file line without its newline', '1 1 0 0\n5 /current'],
    ['fewer held bytes than it says', '0 0 2 3\nabcd'],
    ['a size that is no number', '1 1 0 0\nx /current\n'],
  ])('neither side takes %s for a ledger', (_what, text) => {
    expect(wire(['ledger'], Buffer.from(text, 'latin1')).toString()).toBe('not a ledger');
    expect(decodeLedger(Buffer.from(text, 'latin1'))).toBeNull();
  });
});
