// C svscan's rules, one by one, against a scan directory and supervisors that exist only in memory
// (the directory listed by a survey, as every host lists it: src/lib/scan/survey.ts).
import { describe, expect, test } from 'vitest';
import { constants as osConstants } from 'node:os';
import { DESCRIPTOR_COST, DESCRIPTOR_RESERVE, Scanner, type DirStat, type ScanHost } from '../../../../src/lib/scan/scanner.js';
import { SURVEY_SKIP, writeSurvey, type Survey } from '../../../../src/lib/scan/survey.js';
import { FakeSupervisors, type FakeSupervisor } from './fake-supervisors.js';

function enoent(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT', syscall: 'stat', path });
}
function eacces(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EACCES: ${path}`), { code: 'EACCES', syscall: 'stat', path });
}

type Node = DirStat | NodeJS.ErrnoException;

/** A node as a survey records it: a stat, or the errno of the error stat(2) failed with. */
const surveyed = (node: Node): DirStat | { errno: number } =>
  node instanceof Error ? { errno: (osConstants.errno as Record<string, number>)[node.code!]! } : node;

class FakeHost extends FakeSupervisors implements ScanHost<FakeSupervisor> {
  /** Paths relative to the scan directory, as stat(2) would find them (symlinks already followed). */
  readonly fs = new Map<string, Node>();
  readdirError: NodeJS.ErrnoException | undefined;
  pipeError: NodeJS.ErrnoException | undefined;
  readonly openFds = new Set<number>();
  private nextFd = 10;
  private nextIno = 100n;

  dir(path: string, ino = this.nextIno++): this {
    this.fs.set(path, { dev: 1n, ino, isDirectory: true });
    return this;
  }

  file(path: string): this {
    this.fs.set(path, { dev: 1n, ino: this.nextIno++, isDirectory: false });
    return this;
  }

  remove(path: string): void {
    for (const key of [...this.fs.keys()]) if (key === path || key.startsWith(`${path}/`)) this.fs.delete(key);
  }

  /** The top-level paths of `fs` listed as the addon's survey lists them: each with its stat, or the errno it failed with. */
  survey(): Survey {
    if (this.readdirError) throw this.readdirError;
    const names = [...this.fs.keys()].filter((p) => !p.includes('/'));
    return writeSurvey(names.map((name) => ({ name, stat: name.charCodeAt(0) === SURVEY_SKIP ? undefined : surveyed(this.fs.get(name)!) })));
  }

  stat(path: string): DirStat {
    const node = this.fs.get(path) ?? enoent(path);
    if (node instanceof Error) throw node;
    return node;
  }

  pipe(): [number, number] {
    if (this.pipeError) throw this.pipeError;
    const fds: [number, number] = [this.nextFd++, this.nextFd++];
    for (const fd of fds) this.openFds.add(fd);
    return fds;
  }

  close(fd: number): void {
    this.openFds.delete(fd);
  }
}

function scanOnce(host: FakeHost): Scanner<FakeSupervisor> {
  const scanner = new Scanner(host);
  scanner.scan();
  return scanner;
}

describe('which entries become services', () => {
  test.each([
    ['a plain directory', (h: FakeHost) => h.dir('a'), ['a']],
    ['a dot-directory (ignored)', (h: FakeHost) => h.dir('.hidden'), []],
    ['a regular file (ignored)', (h: FakeHost) => h.file('README'), []],
    ['two directories', (h: FakeHost) => h.dir('a').dir('b'), ['a', 'b']],
    ['a directory and a symlink to it (one service, by device and inode)', (h: FakeHost) => h.dir('a', 7n).dir('link', 7n), ['a']],
    ['a service with log/ (the service, then its logger)', (h: FakeHost) => h.dir('a').dir('a/log'), ['a', 'a/log']],
    ['a file named log (C starts a logger there all the same)', (h: FakeHost) => h.dir('a').file('a/log'), ['a', 'a/log']],
  ])('%s', (_name, build, expected) => {
    const host = new FakeHost();
    build(host);
    scanOnce(host);
    expect(host.paths()).toEqual(expected);
    expect(host.problems).toEqual([]);
  });
});

test('each supervisor is named as C svscan would have started it (`supervise a`, `supervise log`)', () => {
  const host = new FakeHost().dir('a').dir('a/log');
  scanOnce(host);
  const [main, log] = host.started;
  expect(main!.spec).toEqual({ dir: 'a', path: 'a', stdout: 11 });
  expect(log!.spec).toEqual({ dir: 'log', path: 'a/log', stdin: 10 });
});

test('going down, the loggers\' input ends: only the write ends close, once, and dropping the entry closes the read end', () => {
  const host = new FakeHost().dir('a').dir('a/log').dir('b');
  const scanner = scanOnce(host);
  expect([...host.openFds]).toEqual([10, 11]);
  scanner.endLogInput();
  scanner.endLogInput();
  expect([...host.openFds]).toEqual([10]);
  host.started.forEach((s) => s.end());
  host.remove('a');
  scanner.scan();
  expect(host.openFds.size).toBe(0);
});

test('a service without log/ keeps its stdout and gets no pipe', () => {
  const host = new FakeHost().dir('a');
  scanOnce(host);
  expect(host.started[0]!.spec).toEqual({ dir: 'a', path: 'a' });
  expect(host.openFds.size).toBe(0);
});

describe('what svscan warns about and skips', () => {
  test.each([
    [
      'an entry it cannot stat (a dangling symlink)',
      (h: FakeHost) => h.fs.set('dangling', enoent('dangling')),
      [],
      ['stat', 'dangling'],
    ],
    [
      'a log/ it cannot stat (not ENOENT): the whole service is skipped',
      (h: FakeHost) => h.dir('a').fs.set('a/log', eacces('a/log')),
      [],
      ['stat', 'a/log'],
    ],
    [
      'a pipe it cannot create',
      (h: FakeHost) => {
        h.dir('a').dir('a/log').pipeError = Object.assign(new Error('EMFILE'), { code: 'EMFILE' });
      },
      [],
      ['pipe', 'a'],
    ],
  ])('%s', (_name, build, started, [kind, subject]) => {
    const host = new FakeHost();
    build(host);
    scanOnce(host);
    expect(host.paths()).toEqual(started);
    expect(host.problems).toHaveLength(1);
    const problem = host.problems[0]!;
    expect(problem.kind).toBe(kind);
    expect('path' in problem ? problem.path : 'name' in problem ? problem.name : undefined).toBe(subject);
  });

  test('an unreadable scan directory starts nothing and forgets nothing', () => {
    const host = new FakeHost().dir('a');
    const scanner = scanOnce(host);
    host.last('a').end();
    host.readdirError = Object.assign(new Error('EACCES'), { code: 'EACCES' });
    scanner.scan();
    expect(host.problems.map((p) => p.kind)).toEqual(['readdir']);
    expect(scanner.size).toBe(1);
    host.readdirError = undefined;
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'a']);
  });
});

describe('supervisors that end', () => {
  test('one that ended (svc -x) is started again on the next scan, not before', () => {
    const host = new FakeHost().dir('a').dir('b');
    const scanner = scanOnce(host);
    host.last('a').end();
    expect(host.paths()).toEqual(['a', 'b']);
    expect(scanner.running('main').map((s) => s.spec.path)).toEqual(['b']);
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'b', 'a']);
  });

  test('a running one is left alone by later scans', () => {
    const host = new FakeHost().dir('a').dir('a/log');
    const scanner = scanOnce(host);
    scanner.scan();
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'a/log']);
  });

  test('a logger that ended is started again on the same pipe; the service is not touched', () => {
    const host = new FakeHost().dir('a').dir('a/log');
    const scanner = scanOnce(host);
    const first = host.last('a/log').spec;
    host.last('a/log').end();
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'a/log', 'a/log']);
    expect(host.last('a/log').spec).toEqual(first);
  });

  test('one that could not start (lock held elsewhere) is tried again on every scan', () => {
    const host = new FakeHost().dir('a').dir('a/log');
    host.refuse.add('a');
    const scanner = scanOnce(host);
    expect(host.paths()).toEqual(['a/log']);
    scanner.scan();
    expect(host.paths()).toEqual(['a/log']);
    host.refuse.delete('a');
    scanner.scan();
    expect(host.paths()).toEqual(['a/log', 'a']);
  });

  test('a renamed directory is the same service: restarted under its new name', () => {
    const host = new FakeHost().dir('a', 5n);
    const scanner = scanOnce(host);
    host.remove('a');
    host.dir('renamed', 5n);
    scanner.scan();
    expect(host.paths()).toEqual(['a']);
    host.last('a').end();
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'renamed']);
  });
});

describe('directories that vanish', () => {
  test('the supervisors keep running, are not restarted, and the entry and its pipe go once both end', () => {
    const host = new FakeHost().dir('a').dir('a/log');
    const scanner = scanOnce(host);
    expect(host.openFds.size).toBe(2);
    host.remove('a');
    scanner.scan();
    expect(scanner.size).toBe(1);
    expect(scanner.running('main')).toHaveLength(1);
    host.last('a').end();
    scanner.scan();
    expect(scanner.size).toBe(1); // the logger still runs: the pipe stays
    expect(host.openFds.size).toBe(2);
    host.last('a/log').end();
    scanner.scan();
    expect(scanner.size).toBe(0);
    expect(host.openFds.size).toBe(0);
    expect(host.paths()).toEqual(['a', 'a/log']);
  });

  test('a directory that comes back as a new directory is a new service', () => {
    const host = new FakeHost().dir('a');
    const scanner = scanOnce(host);
    host.last('a').end();
    host.remove('a');
    scanner.scan();
    host.dir('a');
    scanner.scan();
    expect(host.paths()).toEqual(['a', 'a']);
  });
});

test("no table limit: past C svscan's 1,000 entries every service starts, without a warning", () => {
  const count = 10_000;
  const host = new FakeHost();
  for (let i = 0; i < count; i++) host.dir(`s${String(i).padStart(5, '0')}`);
  const scanner = scanOnce(host);
  expect(host.started).toHaveLength(count);
  expect(host.problems).toEqual([]);
  expect(scanner.size).toBe(count);
});

test('a frozen scanner starts nothing more', () => {
  const host = new FakeHost().dir('a');
  const scanner = scanOnce(host);
  host.last('a').end();
  host.dir('b');
  scanner.freeze();
  scanner.scan();
  expect(host.paths()).toEqual(['a']);
});

test('the scanner is told which supervisor ended, and in which slot', () => {
  const host = new FakeHost().dir('a').dir('a/log');
  const ended: string[] = [];
  const scanner = new Scanner(host, (s, slot) => ended.push(`${slot}:${s.spec.path}`));
  scanner.scan();
  host.last('a/log').end();
  host.last('a').end();
  expect(ended).toEqual(['log:a/log', 'main:a']);
});

describe('descriptors', () => {
  const logged = (host: FakeHost, name: string): FakeHost => host.dir(name).dir(`${name}/log`);
  test.each([
    // [what, limit over the reserve and what is open, services, logged, started names]
    ['room for all', 2 * DESCRIPTOR_COST.logged, ['a', 'b'], ['a', 'b']],
    ['room for one logged service: the second waits, whole', 2 * DESCRIPTOR_COST.logged - 1, ['a', 'b'], ['a']],
    ['no room: nothing is half started', DESCRIPTOR_COST.logged - 1, ['a'], []],
  ] as const)('%s', (_what, spare, names, startedNames) => {
    const host = new FakeHost();
    for (const name of names) logged(host, name);
    // What is open is taken as the more of the count and the table's estimate: here the count.
    host.room = { limit: 10000, open: 10000 - DESCRIPTOR_RESERVE - spare };
    new Scanner(host).scan();
    expect([...new Set(host.started.map((s) => s.spec.path.split('/')[0]))]).toEqual(startedNames);
    expect(host.started.length).toBe(2 * startedNames.length);
    const refused = names.filter((n) => !startedNames.includes(n as never));
    expect(host.problems.map((p) => [p.kind, 'name' in p ? p.name : ''])).toEqual(refused.map((n) => ['descriptors', n]));
    expect(host.openFds.size).toBe(2 * startedNames.length);
  });

  test('a running service restarts whatever is left; a refused one is tried again next scan, once warned per scan', () => {
    const host = logged(new FakeHost(), 'a');
    host.room = { limit: 10000, open: 10000 - DESCRIPTOR_RESERVE - DESCRIPTOR_COST.logged };
    const scanner = new Scanner(host);
    scanner.scan();
    expect(host.started).toHaveLength(2);
    logged(host, 'b');
    host.room = { limit: 10000, open: 10000 }; // nothing left at all
    host.started[0]!.end(); // a's service ended (svc -t of a supervisor gone, say): it is started again
    scanner.scan();
    scanner.scan();
    expect(host.started.map((s) => s.spec.path)).toEqual(['a', 'a/log', 'a']);
    expect(host.problems.map((p) => p.kind)).toEqual(['descriptors', 'descriptors']);
    host.room = { limit: 10000, open: 0 };
    scanner.scan();
    expect(host.started.map((s) => s.spec.path).slice(3)).toEqual(['b', 'b/log']);
  });

  test('a host that cannot tell limits nothing', () => {
    const host = logged(logged(new FakeHost(), 'a'), 'b');
    new Scanner(host).scan();
    expect(host.started).toHaveLength(4);
  });
});
