// pm2's ecosystem file turned into `daemontools add` requests: each app of `apps` becomes a
// service spec. Keys with a daemontools equivalent are mapped; the log keys all become the one
// multilog log (said in a note); every other key is listed as having no equivalent, never
// silently dropped. Pure: the file is loaded by the caller (src/cli/daemontools/import.ts).
import { basename, extname, resolve } from 'node:path';
import type { ServiceSpec } from './definition.js';
import { splitWords } from './shell.js';

/** One app, ready for planAdd. */
export interface ImportedApp {
  readonly spec: ServiceSpec;
  readonly instances: number;
  readonly port?: number;
  /** How a pm2 key was carried over where it is not one to one. */
  readonly notes: readonly string[];
  /** Keys with no daemontools equivalent (yet), with why. */
  readonly unsupported: readonly string[];
}

export interface ImportContext {
  /** The ecosystem file's directory: relative cwd and script paths are read from it. */
  readonly baseDir: string;
  /** `--env NAME`: env_NAME is laid over env. */
  readonly envName?: string;
  readonly cpus: number;
  /** The log user when an app names none (the caller). */
  readonly defaultUser: string;
}

export class EcosystemError extends Error {}

/** Keys that the readiness and restart-policy work will carry; until then, no equivalent. */
const NOT_YET: Record<string, string> = {
  listen_timeout: 'no equivalent yet: timeout-ready restarts a service not ready in time, pm2 only waits',
  restart_delay: 'no equivalent yet: supervise waits 1 s between starts (backoff grows from MIN)',
};

/** pm2's defaults for the keys of its restart policy. */
const PM2_MIN_UPTIME_MS = 1000;
const PM2_MAX_RESTARTS = 16;
/** pm2's exponential backoff stops growing at 15 s. */
const PM2_BACKOFF_MAX_S = 15;

const wholeNumber = (v: unknown, what: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new EcosystemError(`${what}: ${JSON.stringify(v)} is not a whole number`);
  return n;
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A pm2 duration in milliseconds: a number of ms, or a string such as "500ms", "30s", "2m", "1h". */
export function durationMs(v: unknown, what: string): number {
  if (typeof v === 'number') return wholeNumber(v, what);
  const m = /^\s*([0-9]+)\s*(ms|s|m|h|d)?\s*$/.exec(String(v));
  if (!m) throw new EcosystemError(`${what}: ${JSON.stringify(v)} is not a duration (milliseconds, or a number with ms, s, m, h or d)`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 'ms']!;
}

const NONE: Record<string, string> = {
  watch: 'no file watching: restart with `daemontools restart` from your deploy or a watcher of your own',
  ignore_watch: 'no file watching',
  watch_options: 'no file watching',
  cron_restart: 'no cron restarts: run `svc -t` from cron',
  max_memory_restart: 'no restart on memory use (--limit-mem makes allocations fail past a limit instead)',
  autorestart: 'every service is restarted when it exits (`svc -o` runs one once)',
  pid_file: 'no pid file: supervise/status holds the pid (svstat, daemontools status)',
  gid: "no group of its own: setuidgid takes the user's groups",
  source_map_support: 'a node option: put --enable-source-maps in node_args',
  disable_source_map_support: 'a node option',
  vizion: 'pm2 versioning metadata',
  pmx: 'pm2 APM',
  automation: 'pm2 APM',
  trace: 'pm2 APM',
  disable_trace: 'pm2 APM',
  treekill: 'svc sends its signal to the service process only',
  force: 'pm2 process list',
  append_env_to_name: 'pm2 process list',
  post_update: 'Keymetrics dashboard',
  namespace: 'pm2 process list',
  shutdown_with_message: 'svc sends signals, not messages',
  stop_exit_codes: 'every exit is restarted',
  filter_env: 'the service gets svscan\'s environment plus its env/',
};

const LOG_KEYS = ['out_file', 'error_file', 'output', 'error', 'log', 'log_file', 'log_date_format', 'merge_logs', 'combine_logs', 'time', 'log_type', 'disable_logs'];
const MAPPED = [
  'name', 'script', 'args', 'interpreter', 'interpreter_args', 'node_args', 'cwd', 'env', 'instances', 'exec_mode', 'port',
  'increment_var', 'instance_var', 'uid', 'user', 'wait_ready', 'kill_timeout', 'exp_backoff_restart_delay', 'min_uptime', 'max_restarts',
];

const strings = (v: unknown, what: string): string[] => {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string') {
    const words = splitWords(v);
    if (words === null) throw new EcosystemError(`${what}: an unterminated quote in ${JSON.stringify(v)}`);
    return words;
  }
  return [String(v)];
};

const envOf = (v: unknown, what: string): Map<string, string> => {
  if (v === undefined || v === null) return new Map();
  if (typeof v !== 'object' || Array.isArray(v)) throw new EcosystemError(`${what}: not an object of variables`);
  return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x)]));
};

const JS = new Set(['.js', '.cjs', '.mjs']);

function command(app: Record<string, unknown>, name: string): string[] {
  const script = String(app.script);
  const args = strings(app.args, `${name}: args`);
  const interpreter = app.interpreter === undefined ? (JS.has(extname(script)) ? 'node' : 'none') : String(app.interpreter);
  if (interpreter === 'none') return [script, ...args];
  return [interpreter, ...strings(app.interpreter_args ?? app.node_args, `${name}: node_args`), script, ...args];
}

function instanceCount(v: unknown, cpus: number, name: string): number {
  if (v === undefined || v === null) return 1;
  if (v === 'max' || v === 0 || v === '0') return cpus;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new EcosystemError(`${name}: instances: ${JSON.stringify(v)} is not a number or "max"`);
  return n < 0 ? Math.max(1, cpus + n) : n;
}

export function importApp(app: Record<string, unknown>, context: ImportContext): ImportedApp {
  if (typeof app.script !== 'string' || app.script === '') throw new EcosystemError(`an app without a script: ${JSON.stringify(app.name ?? app)}`);
  const name = typeof app.name === 'string' && app.name !== '' ? app.name : basename(app.script, extname(app.script));
  const notes: string[] = [];
  const unsupported: string[] = [];
  const env = envOf(app.env, `${name}: env`);
  if (context.envName !== undefined) {
    const key = `env_${context.envName}`;
    if (app[key] === undefined) notes.push(`no ${key}: env alone is used`);
    for (const [k, v] of envOf(app[key], `${name}: ${key}`)) env.set(k, v);
  }
  const instances = instanceCount(app.instances, context.cpus, name);
  let port = app.port === undefined ? undefined : Number(app.port);
  if (app.increment_var !== undefined) {
    if (app.increment_var === 'PORT' && env.has('PORT') && instances > 1) {
      port = Number(env.get('PORT'));
      notes.push(`increment_var PORT: instance i gets PORT=${port}+i`);
    } else unsupported.push(`increment_var (only PORT with instances is carried over)`);
  }
  if (port !== undefined && instances > 1) notes.push(`port: each instance listens on its own port, ${port}+i (no shared port)`);
  const mode = app.exec_mode === undefined ? 'fork' : String(app.exec_mode);
  if (mode === 'cluster' || mode === 'cluster_mode') {
    unsupported.push(`exec_mode: ${mode} (each instance is a process of its own, with no shared listening port; give each its own PORT with port)`);
  }
  const instanceVars = ['INSTANCE', typeof app.instance_var === 'string' ? app.instance_var : 'NODE_APP_INSTANCE'];
  const user = typeof app.user === 'string' ? app.user : typeof app.uid === 'string' ? app.uid : undefined;
  const logKeys = LOG_KEYS.filter((k) => app[k] !== undefined);
  if (logKeys.length > 0) notes.push(`${logKeys.join(', ')}: one multilog log in log/main, stdout and stderr together, each line stamped (daemontools logs ${name} shows local time)`);
  for (const key of Object.keys(app)) {
    if (MAPPED.includes(key) || LOG_KEYS.includes(key) || key.startsWith('env_')) continue;
    unsupported.push(`${key}: ${NOT_YET[key] ?? NONE[key] ?? 'unknown to daemontools add'}`);
  }
  const policy = restartPolicy(app, name, notes);
  const cwd = resolve(context.baseDir, typeof app.cwd === 'string' ? app.cwd : '.');
  return {
    spec: {
      name,
      command: command(app, name),
      cwd,
      env,
      user,
      limits: {},
      logUser: user ?? context.defaultUser,
      down: false,
      instanceVars,
      ...policy,
    },
    instances,
    port,
    notes,
    unsupported,
  };
}

/** wait_ready, kill_timeout and pm2's restart policy as the extension files of docs/readiness.md. */
function restartPolicy(app: Record<string, unknown>, name: string, notes: string[]): Partial<ServiceSpec> {
  const out: { -readonly [K in keyof ServiceSpec]?: ServiceSpec[K] } = {};
  if (app.wait_ready === true) {
    out.ready = 'ipc';
    notes.push("wait_ready: ready once it calls process.send('ready') (notify-ipc)");
  }
  if (app.kill_timeout !== undefined) {
    out.killTimeoutMs = durationMs(app.kill_timeout, `${name}: kill_timeout`);
    notes.push(`kill_timeout: timeout-kill ${out.killTimeoutMs} (SIGKILL that long after a stop)`);
  }
  if (app.exp_backoff_restart_delay !== undefined) {
    const ms = durationMs(app.exp_backoff_restart_delay, `${name}: exp_backoff_restart_delay`);
    const min = Math.max(1, Math.ceil(ms / 1000));
    out.backoff = [min, Math.max(min, PM2_BACKOFF_MAX_S)];
    notes.push(`exp_backoff_restart_delay ${ms}: backoff ${out.backoff[0]} ${out.backoff[1]} (whole seconds, doubling; pm2 grows by 1.5)`);
  }
  if (app.min_uptime !== undefined || app.max_restarts !== undefined) {
    const uptimeMs = app.min_uptime === undefined ? PM2_MIN_UPTIME_MS : durationMs(app.min_uptime, `${name}: min_uptime`);
    const count = app.max_restarts === undefined ? PM2_MAX_RESTARTS : wholeNumber(app.max_restarts, `${name}: max_restarts`);
    if (count > 0) {
      // pm2 gives up after COUNT restarts each shorter than min_uptime; each such run and the
      // pause after it take at most min_uptime + 1 s here, so COUNT deaths within that window.
      const seconds = Math.ceil((count * (uptimeMs + 1000)) / 1000);
      out.permanentFailure = [seconds, count];
      notes.push(`min_uptime/max_restarts: permanent-failure ${seconds} ${count} (${count} deaths within ${seconds} s leave it down until svc -u)`);
    }
  }
  return out;
}

/** The apps of a loaded ecosystem file: `{ apps: [...] }`, an array, or one app. */
export function appsOf(config: unknown): Record<string, unknown>[] {
  const c = config as { apps?: unknown } | unknown[] | null;
  const apps = Array.isArray(c) ? c : c && typeof c === 'object' && 'apps' in c ? (c as { apps: unknown }).apps : c && typeof c === 'object' && 'script' in c ? [c] : null;
  if (!Array.isArray(apps)) throw new EcosystemError('no apps: an ecosystem file exports { apps: [...] }');
  if (apps.length === 0) throw new EcosystemError('apps is empty');
  return apps.map((a, i) => {
    if (!a || typeof a !== 'object' || Array.isArray(a)) throw new EcosystemError(`apps[${i}] is not an object`);
    return a as Record<string, unknown>;
  });
}

/** JSON with // and /* *\/ comments (pm2's own examples carry them) taken out outside strings. */
export function parseJsonWithComments(text: string): unknown {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 1;
    } else out += c;
  }
  return JSON.parse(out);
}
