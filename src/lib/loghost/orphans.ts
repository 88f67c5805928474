// The orphan host: while svscan is away, one Node process hosts every logger stub it left, as
// svscan's log host did (server.ts, multilog.ts), instead of each stub becoming a Node multilog of
// its own (~40 MB each). svscan's pipe keeper (native/keeper.c) starts it at svscan's death with
// svscan's credentials, environment and cwd, the read ends of the log pipes and svscan's own
// listening socket, which the keeper held: the stubs that lost their host connect to that same
// name again and wait in its backlog until this host takes them in. Each one's input is settled by
// its ledger first (settle-input.ts). A new svscan adopting a logger asks for it at the socket a
// lost logger listens at (rehost.ts): the engine finishes its line, and the stub is sent on to that
// svscan (HOST_MOVE), same pid. Once no stub is left, this process ends. Linux only.
import { closeSync, fstatSync, statSync } from 'node:fs';
import type { Server } from 'node:net';
import type { NativeBinding } from '../../native/binding.js';
import { inheritableFds } from '../proc/state.js';
import { hostMultilog } from './multilog.js';
import { awaitHost } from './rehost.js';
import { startLogHost } from './server.js';

/** With no stub left (or none come) for this long, the orphan host ends. */
export const IDLE_MS = 2000;

/**
 * The log pipes the keeper handed on (each inherited descriptor that is a pipe), by `dev:ino`; our
 * copies are closed: only which pipes they are is kept, to know a logger of that svscan's by.
 * Node's own descriptors are close-on-exec; what the keeper handed on is not (one fcntl each: with
 * 1,000 pipes, reading each one's fdinfo cost a tenth of a second before the first stub).
 */
export function inheritedPipes(n: NativeBinding, except: number): Set<string> {
  const pipes = new Set<string>();
  for (const fd of inheritableFds(n)) {
    if (fd < 3 || fd === except) continue;
    try {
      const st = fstatSync(fd);
      if (!st.isFIFO()) continue;
      pipes.add(`${st.dev}:${st.ino}`);
      closeSync(fd);
    } catch {
      // gone, or not ours to look at
    }
  }
  return pipes;
}

/**
 * Hosts the stubs that connect to `listenFd` whose stdin is one of `pipes` (a logger svscan
 * started reads one of its log pipes; the record check in server.ts does the rest); `onHosted` is
 * told of each. Resolves once no stub is left.
 */
export function hostOrphans(n: NativeBinding, listenFd: number, pipes: ReadonlySet<string>, onHosted?: () => void): Promise<void> {
  return new Promise((resolve) => {
    let hosted = 0;
    let server: Server | null = null;
    let idle: NodeJS.Timeout | undefined;
    const maybeEnd = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        // A connection still being taken in counts as a stub not left yet.
        server?.getConnections((err, count) => {
          if (hosted > 0 || (!err && count > 0)) return;
          server?.close();
          resolve();
        });
      }, IDLE_MS);
    };
    server = startLogHost(n, hostMultilog, {
      listenFd,
      admit: (pid) => {
        try {
          const st = statSync(`/proc/${pid}/fd/0`);
          return pipes.has(`${st.dev}:${st.ino}`);
        } catch {
          return false;
        }
      },
      onHosted: (pid, logger) => {
        hosted++;
        clearTimeout(idle);
        onHosted?.();
        // A new svscan asks for the logger where a lost logger waits to be asked (rehost.ts).
        const asked = awaitHost(n, (host) => logger.handBack?.(host), pid);
        return () => {
          asked?.close();
          hosted--;
          if (hosted === 0) maybeEnd();
        };
      },
    });
    if (server === null) return resolve();
    server.ref(); // this process is for the stubs: it lives while it listens
    maybeEnd();
  });
}
