// The scanner over a host's survey (one listing a scan, src/lib/scan/survey.ts): what the
// comparison of one listing with the last adds to C svscan's rules (scanner.test.ts): a scan that
// finds the directory as the last one left it, with nothing ended or failed since, stops there.
import { describe, expect, test } from 'vitest';
import { DESCRIPTOR_COST, DESCRIPTOR_RESERVE, Scanner, type DirStat, type ScanHost } from '../../../../src/lib/scan/scanner.js';
import { FakeSupervisors, type FakeSupervisor } from './fake-supervisors.js';
import { readSurvey, writeSurvey, SURVEY_SKIP, type Survey } from '../../../../src/lib/scan/survey.js';

const ENOENT = 2;
const EACCES = 13;

type Node = DirStat | { errno: number };

/** A scan directory in memory, listed by survey(); stat() is only for what the scanner asks besides (NAME/log). */
class SurveyHost extends FakeSupervisors implements ScanHost<FakeSupervisor> {
  readonly fs = new Map<string, Node>();
  surveyError: Error | undefined;
  surveys = 0;
  stats: string[] = [];
  private nextIno = 100;
  private nextFd = 10;

  dir(path: string, ino = this.nextIno++): this {
    this.fs.set(path, { dev: 1, ino, isDirectory: true });
    return this;
  }

  file(path: string): this {
    this.fs.set(path, { dev: 1, ino: this.nextIno++, isDirectory: false });
    return this;
  }

  remove(path: string): void {
    for (const key of [...this.fs.keys()]) if (key === path || key.startsWith(`${path}/`)) this.fs.delete(key);
  }

  survey(): Survey {
    this.surveys++;
    if (this.surveyError) throw this.surveyError;
    const names = [...this.fs.keys()].filter((p) => !p.includes('/'));
    return writeSurvey(names.map((name) => ({ name, stat: name.charCodeAt(0) === SURVEY_SKIP ? undefined : this.fs.get(name) })));
  }

  stat(path: string): DirStat {
    this.stats.push(path);
    const node = this.fs.get(path);
    if (node === undefined || 'errno' in node) throw Object.assign(new Error(path), { code: node === undefined ? 'ENOENT' : 'EACCES' });
    return node;
  }

  pipe(): [number, number] {
    return [this.nextFd++, this.nextFd++];
  }

  close(): void {}
}

describe('which entries become services', () => {
  test.each([
    ['a plain directory', (h: SurveyHost) => h.dir('a'), ['a']],
    ['a dot-directory (ignored, never stated)', (h: SurveyHost) => h.dir('.hidden'), []],
    ['a regular file (ignored)', (h: SurveyHost) => h.file('README'), []],
    ['a directory and a symlink to it (one service, by device and inode)', (h: SurveyHost) => h.dir('a', 7).dir('link', 7), ['a']],
    ['a service with log/ (the service, then its logger)', (h: SurveyHost) => h.dir('a').dir('a/log'), ['a', 'a/log']],
  ])('%s', (_name, build, expected) => {
    const host = new SurveyHost();
    build(host);
    new Scanner(host).scan();
    expect(host.paths()).toEqual(expected);
    expect(host.problems).toEqual([]);
    // Only the new services' log/ is stated on its own: each entry's stat came with the listing.
    expect(host.stats.every((p) => p.endsWith('/log'))).toBe(true);
  });
});

describe('a scan that finds nothing new', () => {
  test('stops at the comparison: nothing stated, nothing started, idle', () => {
    const host = new SurveyHost().dir('a').dir('a/log').dir('b');
    const scanner = new Scanner(host);
    expect(scanner.scan()).toBe(true);
    expect(scanner.idle).toBe(false);
    const stats = host.stats.length;
    for (let i = 0; i < 3; i++) {
      expect(scanner.scan()).toBe(true);
      expect(scanner.idle).toBe(true);
    }
    expect(host.stats).toHaveLength(stats);
    expect(host.paths()).toEqual(['a', 'a/log', 'b']);
  });

  test.each([
    ['a new directory: started', (h: SurveyHost) => h.dir('c', 102), ['a', 'b', 'c']],
    ['a directory renamed (same inode): nothing new to start', (h: SurveyHost) => {
      h.remove('b');
      h.dir('b2', 101);
    }, ['a', 'b']],
    ['a supervisor that ended: started again', (h: SurveyHost) => h.last('a').end(), ['a', 'b', 'a']],
  ])('%s', (_name, change, expected) => {
    const host = new SurveyHost().dir('a', 100).dir('b', 101);
    const scanner = new Scanner(host);
    scanner.scan();
    scanner.scan();
    change(host);
    scanner.scan();
    expect(scanner.idle).toBe(false);
    expect(host.paths()).toEqual(expected);
    scanner.scan();
    expect(scanner.idle).toBe(true);
  });

  test('a vanished directory: its supervisors keep running, and the entry goes once both have ended', () => {
    const host = new SurveyHost().dir('a').dir('a/log');
    const scanner = new Scanner(host);
    scanner.scan();
    host.remove('a');
    scanner.scan();
    scanner.scan();
    expect(scanner.idle).toBe(true);
    expect(scanner.size).toBe(1);
    host.last('a').end();
    host.last('a/log').end();
    scanner.scan();
    expect(scanner.size).toBe(0);
    expect(host.paths()).toEqual(['a', 'a/log']);
  });

  test.each([
    ['an entry it cannot stat: warned on every scan, as C', (h: SurveyHost) => h.fs.set('dangling', { errno: ENOENT }), 'stat'],
    ['a supervisor that cannot start: tried on every scan', (h: SurveyHost) => h.dir('a').refuse.add('a'), null],
    [
      'too few descriptors: tried and warned on every scan',
      (h: SurveyHost) => {
        h.dir('a').dir('a/log');
        h.room = { limit: 10000, open: 10000 - DESCRIPTOR_RESERVE - DESCRIPTOR_COST.logged + 1 };
      },
      'descriptors',
    ],
  ] as const)('never idle after a problem: %s', (_name, build, kind) => {
    const host = new SurveyHost();
    build(host);
    const scanner = new Scanner(host);
    for (let i = 0; i < 3; i++) {
      scanner.scan();
      expect(scanner.idle).toBe(false);
    }
    expect(host.problems.map((p) => p.kind)).toEqual(kind === null ? [] : [kind, kind, kind]);
  });

  test('a stat error comes back as the errno, with the name', () => {
    const host = new SurveyHost().dir('a');
    host.fs.set('denied', { errno: EACCES });
    new Scanner(host).scan();
    expect(host.problems).toEqual([{ kind: 'stat', path: 'denied', error: expect.objectContaining({ code: 'EACCES', syscall: 'stat', path: 'denied' }) }]);
    expect(host.paths()).toEqual(['a']);
  });

  test('an unreadable directory: a readdir warning, nothing forgotten, and the next good scan is a whole one', () => {
    const host = new SurveyHost().dir('a');
    const scanner = new Scanner(host);
    scanner.scan();
    host.surveyError = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    expect(scanner.scan()).toBe(false);
    expect(host.problems.map((p) => p.kind)).toEqual(['readdir']);
    host.surveyError = undefined;
    host.last('a').end();
    scanner.scan();
    expect(scanner.idle).toBe(false);
    expect(host.paths()).toEqual(['a', 'a']);
  });

  test('a frozen scanner neither surveys nor starts', () => {
    const host = new SurveyHost().dir('a');
    const scanner = new Scanner(host);
    scanner.scan();
    scanner.freeze();
    host.last('a').end();
    expect(scanner.scan()).toBe(false);
    expect(host.surveys).toBe(1);
    expect(host.paths()).toEqual(['a']);
  });
});

test.each([
  ['a small device and inode (numbers)', 1, 2],
  ['an inode past 2^53 (exact, as a bigint)', 1, 2n ** 60n + 1n],
  ['a device past 2^53', 2n ** 63n, 5],
])('survey round trip: %s', (_what, dev, ino) => {
  const listing = writeSurvey([
    { name: 'a', stat: { dev, ino, isDirectory: true } },
    { name: '.x', stat: undefined },
    { name: 'gone', stat: { errno: ENOENT } },
    { name: 'file', stat: { dev, ino, isDirectory: false } },
  ]);
  const read = new Map(readSurvey(listing).map((e) => [e.name, e.stat]));
  expect(read.get('a')).toEqual({ dev, ino, isDirectory: true });
  expect(read.has('.x')).toBe(true);
  expect(read.get('.x')).toBeUndefined();
  expect(read.get('gone')).toMatchObject({ code: 'ENOENT', syscall: 'stat', path: 'gone' });
  expect(read.get('file')).toMatchObject({ isDirectory: false });
});

test('a listing is read in byte order of the names, as readdirSync gives them, whatever the directory order', () => {
  const dir = { dev: 1, ino: 1, isDirectory: true };
  const listing = writeSurvey(['s10', 'b', 's09', 'a', 'ab', 'B'].map((name) => ({ name, stat: dir })));
  expect(readSurvey(listing).map((e) => e.name)).toEqual(['B', 'a', 'ab', 'b', 's09', 's10']);
});
