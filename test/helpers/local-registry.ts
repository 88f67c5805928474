// A registry on 127.0.0.1 that serves the package's production dependencies, packed from the
// checkout's own node_modules (the versions package-lock.json pins), so that installing the packed
// tarball resolves its dependencies as it would against npmjs.org, with no network and whatever
// the npm cache holds (an empty one).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface Packed {
  readonly name: string;
  readonly version: string;
  readonly filename: string;
  readonly integrity: string;
  readonly shasum: string;
}

export interface LocalRegistry {
  readonly url: string;
  close(): Promise<void>;
}

/** The lockfile's production packages (neither dev nor dev-optional), as directories below root. */
function productionDirs(root: string): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([dir, entry]) => dir !== '' && !entry.dev && !entry.devOptional)
    .map(([dir]) => join(root, dir));
}

/** Packs the dependencies into dir and serves them. */
export async function startRegistry(root: string, dir: string, env: NodeJS.ProcessEnv = process.env): Promise<LocalRegistry> {
  mkdirSync(dir, { recursive: true });
  const dirs = productionDirs(root);
  const packed = JSON.parse(npmSync(['pack', '--json', '--ignore-scripts', '--pack-destination', dir, ...dirs], dir, env)) as Packed[];
  const manifests = new Map<string, Record<string, unknown>>();
  for (const [i, p] of packed.entries()) manifests.set(`${p.name}@${p.version}`, JSON.parse(readFileSync(join(dirs[i]!, 'package.json'), 'utf8')));

  let base = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const tarball = /^\/-\/(.+\.tgz)$/.exec(path);
    if (tarball && packed.some((p) => p.filename === tarball[1])) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(readFileSync(join(dir, tarball[1]!)));
      return;
    }
    const name = path.slice(1);
    const versions = packed.filter((p) => p.name === name);
    if (versions.length === 0) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"error":"not found"}');
      return;
    }
    const doc = {
      name,
      'dist-tags': { latest: versions[versions.length - 1]!.version },
      versions: Object.fromEntries(
        versions.map((p) => [
          p.version,
          { ...manifests.get(`${p.name}@${p.version}`), dist: { tarball: `${base}/-/${p.filename}`, integrity: p.integrity, shasum: p.shasum } },
        ]),
      ),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(doc));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: `${base}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** npm's own executable next to this node, so tests run the npm users have. */
export const NPM_CLI = join(process.execPath, '..', '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

export function npmSync(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(process.execPath, [NPM_CLI, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
}
