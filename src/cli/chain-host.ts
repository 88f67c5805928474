// Wires the chain runner to this package: our bin directory, our tools, the addon.
import { native, PACKAGE_ROOT } from '../native/index.js';
import { rawArgv } from './raw-argv.js';
import { ExecContext } from '../lib/exec/context.js';
import { defaultBinDir, runChain, type ChainHost, type Dispatch, type Link } from '../lib/exec/chain.js';
import { fusable, TOOLS } from './tools.js';

let context: ExecContext | undefined;

/** This process's exec context (read once from the launcher's record). */
export function execContext(): ExecContext {
  context ??= ExecContext.fromProcess(native());
  return context;
}

/** The chain's host: this package, with `dispatch` running a program of ours that is no link. */
export function chainHost(dispatch: Dispatch): ChainHost {
  const n = native();
  return { native: n, binDir: defaultBinDir(PACKAGE_ROOT, n), isTool: fusable, link: linkOf, dispatch };
}

function linkOf(name: string): Link | undefined {
  const tool = TOOLS[name];
  return tool?.kind === 'link' ? (tool.load() as Link) : undefined;
}

/** Runs link program `name`; `dispatch` (main.ts's run) runs a program of ours the chain ends in. */
export async function startChain(name: string, argv: readonly string[], dispatch: Dispatch): Promise<number> {
  return runChain(linkOf(name)!, argv, execContext(), chainHost(dispatch), rawArgv(argv));
}
