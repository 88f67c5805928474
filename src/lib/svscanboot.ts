// What svscanboot (a shell script in daemontools 0.76, as Debian ships it) runs: `svc -dx` on
// every service and log directory, then `svscan /etc/service 2>&1 | readproctitle service errors:
// ....` (400 dots), both with nothing but the fixed PATH in the environment.
import { lstatSync, readdirSync } from 'node:fs';

export const BOOT_PATH = '/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin';
/** Debian's service directory (upstream's script uses /service). */
export const SERVICE_DIR = '/etc/service';
export const TITLE_ARGS: readonly string[] = ['service', 'errors:', '.'.repeat(400)];

/** Names in `dir` a shell's `*` matches (no leading dot), sorted by bytes as dash sorts them. */
function starMatches(dir: string): string[] {
  let names: Buffer[];
  try {
    names = readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return [];
  }
  return names
    .filter((n) => n[0] !== 0x2e)
    .sort(Buffer.compare)
    .map((n) => n.toString());
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The arguments `svc -dx DIR/* DIR/*\/log` gets from dash: each pattern's matches sorted, or the
 * pattern itself when nothing matches.
 */
export function svcArguments(dir: string): string[] {
  const services = starMatches(dir).map((n) => `${dir}/${n}`);
  // dash sorts each word's matches as whole paths: "a-b/log" comes before "a/log".
  const logs = services
    .map((s) => `${s}/log`)
    .filter(exists)
    .sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  return [
    '-dx',
    ...(services.length > 0 ? services : [`${dir}/*`]),
    ...(logs.length > 0 ? logs : [`${dir}/*/log`]),
  ];
}

/** The first PATH entry holding a regular file `name`, as dash's command lookup finds it. */
export function findCommand(name: string, path: string, isRegularFile: (file: string) => boolean): string | null {
  for (const dir of path.split(':')) {
    const file = `${dir === '' ? '.' : dir}/${name}`;
    if (isRegularFile(file)) return file;
  }
  return null;
}

/** GNU env's complaint when it cannot run a program; quotes follow the locale's charset. */
export function envFailure(program: string, code: string, utf8: boolean): { text: string; status: number } {
  const quoted = utf8 ? `\u2018${program}\u2019` : `'${program}'`;
  if (code === 'ENOENT') return { text: `env: ${quoted}: No such file or directory\n`, status: 127 };
  if (code === 'EACCES') return { text: `env: ${quoted}: Permission denied\n`, status: 126 };
  return { text: `env: ${quoted}: ${code}\n`, status: 126 };
}

/** Whether GNU programs run with `env` would write UTF-8 (LC_ALL, then LC_CTYPE, then LANG). */
export function localeIsUtf8(env: NodeJS.ProcessEnv, installed: (name: string) => boolean): boolean {
  const name = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (!/\.utf-?8(@|$)/i.test(name)) return false;
  return /^C\./i.test(name) || installed(name);
}
