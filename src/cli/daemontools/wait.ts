// `daemontools wait`: s6-svwait's job. Returns once every service is up, ready, down, or exited
// (down with ./finish done), waking only when supervise announces a change; 1 on timeout.
import { DaemontoolsError } from '../../api/errors.js';
import { waitFor } from '../../api/watch.js';
import { EXIT_OK } from '../../lib/exit-codes.js';
import { describe, EXIT_FAILURE, EXIT_PARTIAL, PROG, type Out } from './actions.js';

export const WAIT_STATES = ['up', 'ready', 'down', 'exit'] as const;
export type WaitState = (typeof WAIT_STATES)[number];

const WORDS: Readonly<Record<WaitState, string>> = { up: 'up', ready: 'ready', down: 'down', exit: 'exited' };

/** 0 once every directory is in `state`; 1 on timeout, naming those that were not; 111 on an error. */
export async function waitServices(dirs: readonly string[], state: WaitState, timeoutSeconds: number | undefined, io: Out): Promise<number> {
  const timeout = timeoutSeconds === undefined ? undefined : Math.round(timeoutSeconds * 1000);
  const late: string[] = [];
  let failed = false;
  await Promise.all(
    dirs.map(async (dir) => {
      try {
        await waitFor(dir, state, timeout === undefined ? {} : { timeout });
      } catch (err) {
        if (err instanceof DaemontoolsError && err.code === 'ERR_TIMEOUT') late.push(dir);
        else {
          failed = true;
          io.err(`${PROG}: fatal: unable to wait for ${dir}: ${describe(err)}\n`);
        }
      }
    }),
  );
  for (const dir of dirs.filter((d) => late.includes(d))) io.err(`${PROG}: timed out after ${timeoutSeconds} seconds: ${dir} is not ${WORDS[state]}\n`);
  if (failed) return EXIT_FAILURE;
  return late.length > 0 ? EXIT_PARTIAL : EXIT_OK;
}
