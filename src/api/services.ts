// A scan directory's services as svscan sees them: every entry not starting with a dot that is a
// directory after following symlinks, one service per directory (two links to one directory count
// once), and a log service when <service>/log exists.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, systemError } from './errors.js';

/** What stat says of <service>/log: there, absent, or unreadable (svscan then skips the service). */
type LogProbe = Stats | 'absent' | 'error';

export interface ServiceEntry {
  /** The entry's name in the scan directory. */
  readonly name: string;
  /** The service directory: `scandir/name`. */
  readonly dir: string;
  /** `scandir/name/log` when the service has a log service (svscan pipes the service into it). */
  readonly log: string | null;
}

function keep(name: string, st: Stats | null, seen: Set<string>): boolean {
  if (name.startsWith('.') || st === null || !st.isDirectory()) return false;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

function entry(scandir: string, name: string, log: LogProbe): ServiceEntry {
  const dir = join(scandir, name);
  return { name, dir, log: log === 'absent' ? null : join(dir, 'log') };
}

const probe = (err: unknown): LogProbe => (errnoCode(err) === 'ENOENT' ? 'absent' : 'error');

const byName = (a: ServiceEntry, b: ServiceEntry): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

// svscan skips an entry it cannot stat (a dangling symlink, say).
const statOrNull = (path: string): Promise<Stats | null> => stat(path).catch(() => null);
const statOrNullSync = (path: string): Stats | null => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

/**
 * Lists the services svscan would start in `scandir`, sorted by name.
 * @throws {@link DaemontoolsError} `ERR_SYSTEM` when `scandir` cannot be read.
 */
export async function listServices(scandir: string): Promise<ServiceEntry[]> {
  let names: string[];
  try {
    names = await readdir(scandir);
  } catch (err) {
    throw systemError(undefined, `${scandir}: unable to read directory`, err);
  }
  const stats = await Promise.all(names.map((name) => (name.startsWith('.') ? null : statOrNull(join(scandir, name)))));
  const seen = new Set<string>();
  const found = names.filter((name, i) => keep(name, stats[i] ?? null, seen));
  const logs = await Promise.all(found.map((name) => stat(join(scandir, name, 'log')).catch(probe)));
  return found
    .map((name, i) => [name, logs[i]!] as const)
    .filter(([, log]) => log !== 'error')
    .map(([name, log]) => entry(scandir, name, log))
    .sort(byName);
}

/** {@link listServices}, synchronously. */
export function listServicesSync(scandir: string): ServiceEntry[] {
  let names: string[];
  try {
    names = readdirSync(scandir);
  } catch (err) {
    throw systemError(undefined, `${scandir}: unable to read directory`, err);
  }
  const seen = new Set<string>();
  const out: ServiceEntry[] = [];
  for (const name of names) {
    if (!keep(name, name.startsWith('.') ? null : statOrNullSync(join(scandir, name)), seen)) continue;
    let log: LogProbe;
    try {
      log = statSync(join(scandir, name, 'log'));
    } catch (err) {
      log = probe(err);
    }
    if (log !== 'error') out.push(entry(scandir, name, log));
  }
  return out.sort(byName);
}
