// Which pipe a restarted svscan takes back for a service and logger that outlived the old one,
// and who is restarted when it cannot: every combination of survivors, pipes and open failures.
import { describe, expect, test } from 'vitest';
import { takeBack, type PipeProbe } from '../../../../src/lib/scan/adopt-pipe.js';
import { errnoError } from '../../../../src/lib/errors.js';

const SERVICE = 100;
const LOGGER = 200;

/** A fake /proc: `pipes` maps "pid/fd" to a pipe name; `refused` pipes fail to open with EACCES. */
function probe(pipes: Record<string, string>, refused: readonly string[] = []): PipeProbe & { signals: string[] } {
  const signals: string[] = [];
  return {
    signals,
    pipeLink: (pid, fd) => pipes[`${pid}/${fd}`] ?? null,
    openPipe(link) {
      if (refused.includes(link)) throw errnoError('EACCES', 'open', link);
      return link === 'P' ? [10, 11] : [20, 21];
    },
    kill: (pid, sig) => void signals.push(`${pid} ${sig}`),
  };
}

const TERM = (pid: number): string[] => [`${pid} SIGTERM`, `${pid} SIGCONT`];

describe('taken back', () => {
  test.each<[string, number, number, Record<string, string>, readonly [number, number]]>([
    ['both survived on one pipe: the logger stdin', SERVICE, LOGGER, { '100/1': 'P', '200/0': 'P' }, [10, 11]],
    ['the logger alone survived', 0, LOGGER, { '200/0': 'P' }, [10, 11]],
    ['the service alone survived: its stdout, read again', SERVICE, 0, { '100/1': 'Q' }, [20, 21]],
    ['the service sent its stdout elsewhere: the logger stdin still', SERVICE, LOGGER, { '200/0': 'P' }, [10, 11]],
    ['two different pipes: the logger one', SERVICE, LOGGER, { '100/1': 'Q', '200/0': 'P' }, [10, 11]],
    ['the logger stdin is no pipe: the service stdout', SERVICE, LOGGER, { '100/1': 'Q' }, [20, 21]],
  ])('%s', (_name, service, logger, pipes, ends) => {
    const p = probe(pipes);
    expect(takeBack(service, logger, p)).toEqual({ kind: 'kept', read: ends[0], write: ends[1] });
    expect(p.signals).toEqual([]);
  });
});

describe('nothing to take back: svscan makes a new pipe, nobody is restarted', () => {
  test.each<[string, number, number, Record<string, string>]>([
    ['neither survived', 0, 0, {}],
    ['the survivors hold no pipe', SERVICE, LOGGER, {}],
    ['a service with its stdout elsewhere, its logger dead', SERVICE, 0, {}],
  ])('%s', (_name, service, logger, pipes) => {
    const p = probe(pipes);
    expect(takeBack(service, logger, p)).toBeNull();
    expect(p.signals).toEqual([]);
  });
});

describe('lost: every survivor is restarted (TERM, CONT) onto the new pipe', () => {
  test.each<[string, number, number, Record<string, string>, string[], string[]]>([
    ['both survived, the pipe refused', SERVICE, LOGGER, { '100/1': 'P', '200/0': 'P' }, ['P'], [...TERM(SERVICE), ...TERM(LOGGER)]],
    ['the service alone, its pipe refused', SERVICE, 0, { '100/1': 'Q' }, ['Q'], TERM(SERVICE)],
    ['the logger alone, its pipe refused', 0, LOGGER, { '200/0': 'P' }, ['P'], TERM(LOGGER)],
  ])('%s', (_name, service, logger, pipes, refused, signals) => {
    const p = probe(pipes, refused);
    expect(takeBack(service, logger, p)).toMatchObject({ kind: 'lost', error: { code: 'EACCES' } });
    expect(p.signals).toEqual(signals);
  });

  test('the logger pipe refused but the service one opens: kept', () => {
    const p = probe({ '100/1': 'Q', '200/0': 'P' }, ['P']);
    expect(takeBack(SERVICE, LOGGER, p)).toEqual({ kind: 'kept', read: 20, write: 21 });
    expect(p.signals).toEqual([]);
  });

  test('a survivor gone before its signal is no error', () => {
    const p = probe({ '200/0': 'P' }, ['P']);
    p.kill = () => {
      throw errnoError('ESRCH', 'kill');
    };
    expect(takeBack(0, LOGGER, p)).toMatchObject({ kind: 'lost', restarted: [LOGGER] });
  });
});
