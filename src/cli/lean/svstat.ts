// The lean start of svstat: scripts/lean.cjs makes dist/cli/lean-svstat.cjs of this and of only what it
// reaches, which the launcher runs in place of dist/cli/launch.cjs.
import { startDirect } from '../main.js';
import { main } from '../svstat.js';

startDirect(main);
