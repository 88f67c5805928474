// The program table's sets: which programs end the moment their main returns (cli/main.ts).
import { describe, expect, test } from 'vitest';
import { ENDS_AT_RETURN, LONG_RUNNING, TOOLS } from '../../../src/cli/tools.js';

describe('ENDS_AT_RETURN', () => {
  test.each([...ENDS_AT_RETURN])('%s is a program of its own, never long-running nor a chain link', (name) => {
    expect(TOOLS[name]?.kind).toBe('main');
    expect(LONG_RUNNING.has(name)).toBe(false);
  });

  test.each(['envdir', 'envuidgid', 'setuidgid', 'softlimit', 'setlock', 'pgrphack', 'supervise', 'svscan', 'multilog', 'daemontools'])(
    '%s leaves its ending to Node (a chain may end in a program run in-process; the others keep work pending)',
    (name) => {
      expect(ENDS_AT_RETURN.has(name)).toBe(false);
    },
  );
});
