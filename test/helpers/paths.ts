// Where the programs under test live: ours in bin/, C daemontools' in /usr/bin, fixtures in test/fixtures/bin.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
/** Our programs: bin/, or another build of them laid out as an install has it (the run
 * test/integration/launcher-musl.test.ts makes against the musl-static launcher sets this). */
export const OUR_BIN = process.env.DAEMONTOOLS_TEST_BIN ?? join(ROOT, 'bin');
export const C_BIN = '/usr/bin';
export const FIXTURE_BIN = join(ROOT, 'test', 'fixtures', 'bin');

export const ours = (prog: string): string => join(OUR_BIN, prog);
export const theirs = (prog: string): string => join(C_BIN, prog);
export const fixture = (name: string): string => join(FIXTURE_BIN, name);

/** C daemontools is installed (CI installs it; a developer may not have it). */
export const HAVE_C = existsSync(join(C_BIN, 'svscan')) && existsSync(join(C_BIN, 'envdir'));
export const IS_ROOT = process.getuid?.() === 0;
