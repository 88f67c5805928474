// The wire formats have one definition per language: native/record.h, native/stub_protocol.h and
// native/gate_protocol.h for C, src/lib/exec/captured.ts, src/lib/loghost/protocol.ts and
// src/lib/supervise/gate-protocol.ts for TypeScript. A program built against the C headers
// (test/fixtures/wire.c) says what they define, writes a record and a gate's report, and reads
// ledgers TypeScript wrote and writes back what it read: both sides must agree byte for byte.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { descriptorPair, FIELD, FLAG_SET, parseCaptured, RECORD_NO, RECORD_SEP, RECORD_UNLIMITED, RECORD_VERSION, RECORD_YES, recordField, STATE_VAR } from '../../src/lib/exec/captured.js';
import { PROFILE_PORTABLE, PROFILE_VAR } from '../../src/native/platform.js';
import { decodeReport, gateArgv, GATE_NAME, GATE_OPEN, GATE_REPORT_LEN } from '../../src/lib/supervise/gate-protocol.js';
import { decodeLedger, encodeLedger, HOST, hostSocket, LEDGER_NAME, RECORD_END, REHOST_LETTER, REHOST_SEP, REHOST_VAR, rehostValue, STUB, type Ledger } from '../../src/lib/loghost/protocol.js';

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
    ['RECORD_ITEM_SEP', RECORD_SEP.item],
    ['RECORD_PART_SEP', RECORD_SEP.part],
    ['RECORD_UNLIMITED', RECORD_UNLIMITED],
    ['RECORD_YES', RECORD_YES],
    ['RECORD_NO', RECORD_NO],
    ['RECORD_ARG_SEP', Buffer.from('\0').toString('hex')],
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
    ['REHOST_SEP', REHOST_SEP],
    ['REHOST_TERM', REHOST_LETTER.SIGTERM],
    ['REHOST_ALRM', REHOST_LETTER.SIGALRM],
    ['PROFILE_VAR', PROFILE_VAR],
    ['PROFILE_PORTABLE', PROFILE_PORTABLE],
    ['GATE_NAME', GATE_NAME],
    ['GATE_OPEN', byte(GATE_OPEN)],
    ['GATE_REPORT_LEN', String(GATE_REPORT_LEN)],
    ...(['gate', 'report', 'file', 'argv'] as const).map((part): [string, string] => {
      // Where gateArgv puts each of GATE, REPORT, FILE and ARGV[0], by the C header's position.
      const argv = gateArgv(10, 11, '/f', ['a0', 'a1']);
      const at = { gate: '10', report: '11', file: '/f', argv: 'a0' }[part];
      return [`GATE_ARG_${part.toUpperCase()}`, String(argv.indexOf(at))];
    }),
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
  expect(descriptorPair(recordField(record, FIELD.bin))).toEqual([66, 67]);
});

test.each([['', null], ['66', null], ['66:', null], ['66:67:68', null], ['-1:2', null], ['66:67', [66, 67]]])(
  'a bin value %j reads as %j',
  (value, pair) => {
    expect(descriptorPair(value)).toEqual(pair);
  },
);

test('the rehost value is the host, the separator, the letters', () => {
  expect(rehostValue(42, [REHOST_LETTER.SIGTERM, REHOST_LETTER.SIGALRM])).toBe(`42${REHOST_SEP}TA`);
});

test.each([0, 2, 13, 126])('the gate reports errno %d as TypeScript reads it', (errno) => {
  const report = wire(['gate-report', String(errno)]);
  expect(report.length).toBe(GATE_REPORT_LEN);
  expect(decodeReport(report)).toBe(errno);
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
