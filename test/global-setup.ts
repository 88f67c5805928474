// Integration tests run the real bin/ programs: make sure dist/ reflects src/ and bin/ is set up.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [join(root, 'scripts/install-bin.cjs')], { cwd: root, stdio: 'inherit' });
}
