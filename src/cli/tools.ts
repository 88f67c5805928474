// The seventeen programs and how each is run: a chain link (runs in-process and hands on to the
// next program) or a main program. Modules load lazily so a hot path loads only what it needs.
import type { Link } from '../lib/exec/chain.js';

export type Main = (argv: readonly string[]) => number | Promise<number>;
export type Tool = { readonly kind: 'link'; load(): Link } | { readonly kind: 'main'; load(): Main };

const link = (path: string): Tool => ({ kind: 'link', load: () => (require(path) as { link: Link }).link });
const main = (path: string): Tool => ({ kind: 'main', load: () => (require(path) as { main: Main }).main });

export const TOOLS: Readonly<Record<string, Tool>> = {
  envdir: link('./envdir.js'),
  envuidgid: link('./envuidgid.js'),
  setuidgid: link('./setuidgid.js'),
  softlimit: link('./softlimit.js'),
  setlock: link('./setlock.js'),
  pgrphack: link('./pgrphack.js'),
  fghack: main('./fghack.js'),
  tai64n: main('./tai64n.js'),
  tai64nlocal: main('./tai64nlocal.js'),
  multilog: main('./multilog.js'),
  supervise: main('./supervise.js'),
  svc: main('./svc.js'),
  svok: main('./svok.js'),
  svstat: main('./svstat.js'),
  svscan: main('./svscan.js'),
  svscanboot: main('./svscanboot.js'),
  readproctitle: main('./readproctitle.js'),
};

export const PROGRAMS: readonly string[] = Object.keys(TOOLS);
