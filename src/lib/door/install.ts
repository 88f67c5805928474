// `daemontools add`'s checks and writes: every refusal is decided before anything is written; a
// definition is built under a dot-name (svscan skips those) and renamed into place whole, then
// activated by one symlink, itself made under a dot-name and renamed into the scan directory, so
// svscan never sees a half-written service.
import { accessSync, chownSync, constants, existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { definition, envProblem, instances, type Definition, type ServiceSpec } from './definition.js';

export interface Account {
  readonly uid: number;
  readonly gid: number;
}

export interface AddRequest {
  readonly spec: ServiceSpec;
  readonly instances: number;
  readonly port?: number;
  /** Where definitions live (djb's /var/svc.d). */
  readonly svdir: string;
  /** The directory svscan watches. */
  readonly scandir: string;
  /** Check that the program exists (false: --no-check). */
  readonly check: boolean;
}

/** What the checks need from the system, passed in. */
export interface AddWorld {
  lookupUser(name: string): Account | null;
  /** The PATH a program name is looked up in. */
  readonly path: string;
}

/** A service ready to write: its definition, where it goes, and the link that activates it. */
export interface Planned {
  readonly dir: string;
  readonly link: string;
  readonly definition: Definition;
}

/** add refused: nothing was written. */
export class AddRefused extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}

export function nameProblem(name: string): string | null {
  if (name === '') return 'a service needs a name';
  if (name.includes('/')) return `${JSON.stringify(name)}: a service name cannot hold a /`;
  if (name.startsWith('.')) return `${JSON.stringify(name)}: a service name cannot start with a dot (svscan skips those)`;
  if (name.includes('\n') || name.includes('\0')) return `${JSON.stringify(name)}: a service name cannot hold a newline or NUL`;
  return null;
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the program `file` would be found: a path from `cwd`, or a name on PATH. */
export function findProgram(file: string, cwd: string, path: string): string | null {
  if (file.includes('/')) {
    const full = resolve(cwd, file);
    return executable(full) ? full : null;
  }
  for (const dir of path.split(':')) {
    const full = join(dir === '' ? '.' : dir, file);
    if (executable(isAbsolute(full) ? full : resolve(cwd, full))) return full;
  }
  return null;
}

const taken = (path: string): boolean => {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
};

/** The services a request makes, after every check; throws {@link AddRefused} listing each problem. */
export function planAdd(request: AddRequest, world: AddWorld): Planned[] {
  const { spec } = request;
  const problems: string[] = [];
  const specs = instances(spec, request.instances, request.port);
  for (const s of specs) {
    const p = nameProblem(s.name);
    if (p) problems.push(p);
  }
  if (spec.command.length === 0 || spec.command[0] === '') problems.push('no command given (daemontools add NAME -- COMMAND [ARGS...])');
  else if (request.check && findProgram(spec.command[0]!, spec.cwd, world.path) === null) {
    problems.push(`${spec.command[0]}: not found${spec.command[0]!.includes('/') ? ` (from ${spec.cwd})` : ' on PATH'}, or not executable (--no-check to add it all the same)`);
  }
  if (spec.user !== undefined && world.lookupUser(spec.user) === null) problems.push(`unknown user: ${spec.user}`);
  if (world.lookupUser(spec.logUser) === null) problems.push(`unknown log user: ${spec.logUser}`);
  for (const [k, v] of spec.env) {
    const p = envProblem(k, v);
    if (p) problems.push(p);
  }
  let scanOk = false;
  try {
    scanOk = statSync(request.scandir).isDirectory();
  } catch {
    // Reported below.
  }
  if (!scanOk) problems.push(`the scan directory ${request.scandir} does not exist (is svscan set up? --scandir names another)`);
  if (existsSync(request.svdir) && !statSync(request.svdir).isDirectory()) problems.push(`${request.svdir} is not a directory`);
  const planned = specs.map((s) => ({ dir: join(request.svdir, s.name), link: join(request.scandir, s.name), definition: definition(s) }));
  for (const p of planned) {
    if (nameProblem(p.definition.name)) continue;
    if (taken(p.dir)) problems.push(`${p.definition.name} exists already: ${p.dir}`);
    else if (scanOk && taken(p.link)) problems.push(`${p.definition.name} exists already: ${p.link}`);
  }
  if (problems.length > 0) throw new AddRefused(problems);
  return planned;
}

/** The files a plan writes, as `--dry-run` shows them. */
export function describePlan(planned: readonly Planned[]): string {
  const out: string[] = [];
  for (const p of planned) {
    for (const e of p.definition.entries) {
      const path = join(p.dir, e.path);
      const mode = e.mode.toString(8).padStart(4, '0');
      if (e.kind === 'dir') out.push(`${path}/  (directory, mode ${mode}${e.owner ? `, owner ${e.owner}` : ''})`);
      else out.push(`${path}  (mode ${mode})${e.content === '' ? '  (empty)' : `\n${e.content.replace(/\0/g, '\\0').replace(/\n$/, '').replace(/^/gm, '  | ')}`}`);
    }
    out.push(`${p.link} -> ${p.dir}`);
  }
  return `${out.join('\n')}\n`;
}

function writeOne(p: Planned, world: AddWorld): void {
  const parent = join(p.dir, '..');
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${p.definition.name}.add-${process.pid}`);
  mkdirSync(tmp, 0o755);
  try {
    for (const e of p.definition.entries) {
      const path = join(tmp, e.path);
      if (e.kind === 'dir') {
        mkdirSync(path, e.mode);
        const account = e.owner === undefined ? null : world.lookupUser(e.owner);
        if (account && (account.uid !== process.getuid?.() || account.gid !== process.getgid?.())) chownSync(path, account.uid, account.gid);
      } else writeFileSync(path, e.content, { mode: e.mode, flag: 'wx' });
    }
    renameSync(tmp, p.dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const tmpLink = join(p.link, '..', `.${p.definition.name}.add-${process.pid}`);
  symlinkSync(resolve(p.dir), tmpLink);
  try {
    renameSync(tmpLink, p.link);
  } catch (err) {
    rmSync(tmpLink, { force: true });
    throw err;
  }
}

/** Writes and activates each planned service, in order. */
export function writePlan(planned: readonly Planned[], world: AddWorld): void {
  for (const p of planned) writeOne(p, world);
}
