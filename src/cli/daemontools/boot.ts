// `daemontools install-boot`: puts the boot integration for one init system in place (a systemd
// unit, an inittab line, an OpenRC service, an rc.d script), filled in with where our programs
// are and which directory svscan watches, and says what to run to enable it.
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { SERVICE_DIR } from '../../lib/svscanboot.js';

export type InitSystem = 'systemd' | 'inittab' | 'openrc' | 'rcd';

export const INIT_SYSTEMS: readonly InitSystem[] = ['systemd', 'inittab', 'openrc', 'rcd'];

export interface BootOptions {
  readonly init: InitSystem;
  /** Where the file system to install into is mounted ('/' normally; a temporary root in tests). */
  readonly root: string;
  readonly bindir: string;
  readonly scandir: string;
  readonly dryRun: boolean;
  readonly platform: NodeJS.Platform;
}

/** A file written (or to be written), and the commands that enable it. */
export interface BootPlan {
  readonly target: string;
  readonly content: string;
  readonly mode: number;
  readonly note: string;
  readonly enable: readonly string[];
}

const PACKAGE_ROOT = join(__dirname, '..', '..', '..');
export const BOOT_DIR = join(PACKAGE_ROOT, 'boot');

const TEMPLATES: Readonly<Record<InitSystem, string>> = {
  systemd: 'daemontools.service',
  inittab: 'inittab',
  openrc: 'openrc/daemontools',
  rcd: 'rc.d/daemontools',
};

/** djb's /service, except on Debian-like systems, whose daemontools packages use /etc/service. */
export function defaultScanDir(root: string): string {
  return existsSync(join(root, 'etc', 'debian_version')) ? '/etc/service' : '/service';
}

/** The init system this machine boots with, as far as the files under `root` tell. */
export function detectInit(root: string, platform: NodeJS.Platform): InitSystem | null {
  if (platform === 'freebsd' || platform === 'netbsd' || platform === 'openbsd') return 'rcd';
  if (existsSync(join(root, 'run', 'systemd', 'system'))) return 'systemd';
  if (existsSync(join(root, 'sbin', 'openrc-run'))) return 'openrc';
  if (existsSync(join(root, 'etc', 'inittab'))) return 'inittab';
  return null;
}

/** A directory on PATH whose svscan is ours (an npm -g link), else our own bin/. */
export function defaultBinDir(path = process.env.PATH ?? ''): string {
  const ours = join(PACKAGE_ROOT, 'bin');
  let real: string;
  try {
    real = realpathSync(join(ours, 'svscan'));
  } catch {
    return ours;
  }
  for (const dir of path.split(delimiter)) {
    if (!dir.startsWith('/')) continue;
    try {
      if (realpathSync(join(dir, 'svscan')) === real) return dir;
    } catch {
      // Not here.
    }
  }
  return ours;
}

export function render(init: InitSystem, bindir: string, scandir: string): string {
  return readFileSync(join(BOOT_DIR, TEMPLATES[init]), 'utf8').replaceAll('@BINDIR@', bindir).replaceAll('@SCANDIR@', scandir);
}

function rcdDir(platform: NodeJS.Platform): string {
  return platform === 'netbsd' ? '/etc/rc.d' : '/usr/local/etc/rc.d';
}

/** The new /etc/inittab: our SV entry appended, or put in place of another svscanboot's command. */
export function editInittab(current: string, line: string): { text: string; note: string } {
  const lines = current.split('\n');
  const at = lines.findIndex((l) => l.startsWith('SV:'));
  if (at === -1) {
    const body = current === '' || current.endsWith('\n') ? current : `${current}\n`;
    return { text: `${body}${line}\n`, note: 'appended the SV entry' };
  }
  if (lines[at] === line) return { text: current, note: 'the SV entry is already in place' };
  // Only the command changes, not the action: init then leaves the running svscanboot (and the
  // services under it) alone and starts ours the next time that one exits.
  lines.splice(at, 1, `#${lines[at]}`, line);
  return { text: lines.join('\n'), note: 'replaced the command of the existing SV entry (the old line is kept, commented out)' };
}

/** The scan directory the installed files use: svscanboot's own for the inittab line. */
export function scanDirFor(options: BootOptions): string {
  return options.init === 'inittab' ? SERVICE_DIR : options.scandir;
}

export function plan(options: BootOptions): BootPlan {
  const { init, root, bindir, platform } = options;
  const scandir = scanDirFor(options);
  const content = render(init, bindir, scandir);
  switch (init) {
    case 'systemd':
      return {
        target: join(root, 'etc/systemd/system/daemontools.service'),
        content,
        mode: 0o644,
        note: 'systemd unit',
        enable: ['systemctl daemon-reload', 'systemctl enable --now daemontools.service'],
      };
    case 'inittab': {
      const target = join(root, 'etc/inittab');
      const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
      const edit = editInittab(current, content.trimEnd());
      return { target, content: edit.text, mode: 0o644, note: edit.note, enable: ['telinit q'] };
    }
    case 'openrc':
      return {
        target: join(root, 'etc/init.d/daemontools'),
        content,
        mode: 0o755,
        note: 'OpenRC service',
        enable: ['rc-update add daemontools default', 'rc-service daemontools start'],
      };
    case 'rcd':
      return {
        target: join(root, rcdDir(platform), 'daemontools'),
        content,
        mode: 0o755,
        note: 'rc.d script',
        enable: ['echo \'daemontools_enable="YES"\' >> /etc/rc.conf', 'service daemontools start'],
      };
  }
}

/** Writes the plan's file atomically and creates the scan directory; returns what to tell the user. */
export function install(options: BootOptions): string {
  const p = plan(options);
  const scan = join(options.root, scanDirFor(options));
  const lines: string[] = [];
  if (options.dryRun) {
    lines.push(`would write ${p.target} (${p.note}):`, ...p.content.trimEnd().split('\n').map((l) => `  ${l}`));
    if (!existsSync(scan)) lines.push(`would create ${scan}`);
  } else {
    mkdirSync(dirname(p.target), { recursive: true });
    const tmp = `${p.target}.new`;
    writeFileSync(tmp, p.content, { mode: p.mode });
    chmodSync(tmp, p.mode);
    renameSync(tmp, p.target);
    lines.push(`wrote ${p.target} (${p.note})`);
    if (!existsSync(scan)) {
      mkdirSync(scan, { recursive: true, mode: 0o755 });
      lines.push(`created ${scan}`);
    }
  }
  lines.push('to enable it, run:', ...p.enable.map((c) => `  ${c}`));
  return `${lines.join('\n')}\n`;
}
