// The start of the six chain links: scripts/bundle.cjs makes their start-up bundle of this and of
// only what it reaches (scripts/lean.cjs), which the launcher's loader compiles with its code cache.
import { startChain } from '../chain-host.js';
import { startLinks } from '../main.js';
import { link as envdir } from '../envdir.js';
import { link as envuidgid } from '../envuidgid.js';
import { link as pgrphack } from '../pgrphack.js';
import { link as setlock } from '../setlock.js';
import { link as setuidgid } from '../setuidgid.js';
import { link as softlimit } from '../softlimit.js';

startLinks({ envdir, envuidgid, setuidgid, softlimit, setlock, pgrphack }, startChain);
