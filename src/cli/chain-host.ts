// Wires the chain runner to this package: our bin directory, our tools, the addon.
import { native, PACKAGE_ROOT } from '../native/index.js';
import { rawArgv } from './raw-argv.js';
import { ExecContext } from '../lib/exec/context.js';
import { defaultBinDir, runChain, type ChainHost, type Link } from '../lib/exec/chain.js';
import { fusable, TOOLS } from './tools.js';

let context: ExecContext | undefined;

/** This process's exec context (read once from the launcher's record). */
export function execContext(): ExecContext {
  context ??= ExecContext.fromProcess(native());
  return context;
}

export function chainHost(): ChainHost {
  return { native: native(), binDir: defaultBinDir(PACKAGE_ROOT), isTool: fusable };
}

function linkOf(name: string): Link | undefined {
  const tool = TOOLS[name];
  return tool?.kind === 'link' ? (tool.load() as Link) : undefined;
}

export async function startChain(name: string, argv: readonly string[]): Promise<number> {
  const first = linkOf(name)!;
  const { run } = require('./main.js') as typeof import('./main.js');
  return runChain(first, argv, execContext(), chainHost(), linkOf, run, rawArgv(argv));
}
