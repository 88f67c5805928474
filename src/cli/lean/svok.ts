// The lean start of svok: scripts/lean.cjs makes dist/cli/lean-svok.cjs of this and of only what it
// reaches, which the launcher runs in place of dist/cli/launch.cjs.
import { startDirect } from '../main.js';
import { main } from '../svok.js';

startDirect(main);
