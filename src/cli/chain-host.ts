// Wires the chain runner to this package: our bin directory, our tools, the addon.
import { native, PACKAGE_ROOT } from '../native/index.js';
import { rawArgv } from './raw-argv.js';
import { ExecContext } from '../lib/exec/context.js';
import { defaultBinDir, runChain, type ChainHost, type Dispatch, type Link } from '../lib/exec/chain.js';
import { fusable, tools } from './tools.js';
import { processSlot } from '../native/process-slot.js';

/** The context, once read: one for the process (a lean start's copy of this module and dist/'s share it). */
const kept = processSlot('exec-context', (): { context?: ExecContext } => ({}));

/** This process's exec context (read once from the launcher's record). */
export function execContext(): ExecContext {
  kept.context ??= ExecContext.fromProcess(native());
  return kept.context;
}

/**
 * The chain's host: this package, with `dispatch` running a program of ours that is no link, and
 * `link` giving each link program of ours (by default, from the tools table).
 */
export function chainHost(dispatch: Dispatch, link: (name: string) => Link | undefined = linkOf): ChainHost {
  const n = native();
  return { native: n, binDir: defaultBinDir(PACKAGE_ROOT, n), isTool: fusable, link, dispatch };
}

function linkOf(name: string): Link | undefined {
  const tool = tools()[name];
  return tool?.kind === 'link' ? (tool.load() as Link) : undefined;
}

/**
 * Runs link program `name`; `dispatch` (main.ts's run) runs a program of ours the chain ends in,
 * and `link` gives each link (by default, from the tools table).
 */
export async function startChain(name: string, argv: readonly string[], dispatch: Dispatch, link: (name: string) => Link | undefined = linkOf): Promise<number> {
  return runChain(link(name)!, argv, execContext(), chainHost(dispatch, link), rawArgv(argv));
}
