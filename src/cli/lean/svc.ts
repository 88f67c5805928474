// The lean start of svc: scripts/lean.cjs makes dist/cli/lean-svc.cjs of this and of only what it
// reaches, which the launcher runs in place of dist/cli/launch.cjs.
import { startDirect } from '../main.js';
import { main } from '../svc.js';

startDirect(main);
