// Runs the daemontools command from dist/ (until bin/daemontools exists), colours left to the test.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/paths.js';

export const CLI = join(ROOT, 'dist', 'cli', 'daemontools.js');

export function daemontools(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...env, NO_COLOR: '' } });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** A running `daemontools` whose output is collected; `until` resolves once the output matches. */
export function startDaemontools(args: readonly string[], viaTerminal = false): {
  child: ChildProcess;
  output(): string;
  until(pattern: RegExp, ms?: number): Promise<void>;
  pid(): Promise<number>;
} {
  let text = '';
  const waiters: Array<() => void> = [];
  // Through script(1) the command gets a terminal; sh writes its own pid first, then becomes node.
  const child = viaTerminal
    ? spawn('script', ['-qfec', `sh -c 'echo "pid $$"; exec ${process.execPath} ${CLI} ${args.join(' ')}'`, '/dev/null'], {
        env: { ...process.env, NO_COLOR: '', TERM: 'xterm' },
      })
    : spawn('sh', ['-c', `echo "pid $$"; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"`, 'sh', ...args], {
        env: { ...process.env, NO_COLOR: '' },
      });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    text += chunk;
    for (const w of waiters.splice(0)) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
  const until = (pattern: RegExp, ms = 10000): Promise<void> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} in output:\n${text}`)), ms);
      const check = (): void => {
        if (pattern.test(text)) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    child,
    output: () => text,
    until,
    pid: async () => {
      await until(/pid \d+/);
      return Number(/pid (\d+)/.exec(text)![1]);
    },
  };
}
