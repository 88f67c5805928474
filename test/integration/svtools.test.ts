// Debian's svtools against our svscan, as against C's: svdir finds the scan directory through
// `readlink /proc/$(pidof svscan)/cwd`, and svinfo and mltail build on it. They assume one svscan
// on the machine, so each side runs in a PID namespace of its own (unshare -fp --mount-proc),
// where pidof sees only the svscan started there; the namespace's end kills all it holds.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { C_BIN, HAVE_C, IS_ROOT, OUR_BIN } from '../helpers/paths.js';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'dt-svtools-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HAVE_SVTOOLS = ['svdir', 'svinfo', 'mltail'].every((t) => existsSync(`/usr/bin/${t}`));

/** Inside the namespace: svscan on SCAN, then each tool once the service and its logger are up. */
const SCRIPT = `
svscan "$SCAN" 2>/dev/null &
i=0
until svok "$SCAN/s" && svok "$SCAN/s/log" && grep -q hello "$SCAN/s/log/main/current" 2>/dev/null &&
    [ "$(cat /proc/$(pidof svscan)/comm 2>/dev/null)" = svscan ]; do
  i=$((i + 1)); [ $i -lt 400 ] || { echo timeout; exit 1; }
  sleep 0.05
done
echo "svdir: $(svdir)"
echo "svinfo: $(svinfo s)"
pid=$(svinfo -p s); echo "svinfo -p: $(cat /proc/$pid/comm)"
logger=$(svinfo -l -p s); echo "svinfo -l -p: $(cat /proc/$logger/comm)"
echo "mltail: $(mltail s)"
`;

function run(bin: string): string[] {
  const box = mkdtempSync(join(root, 'box-'));
  const scan = join(box, 'scan');
  mkdirSync(join(scan, 's', 'log'), { recursive: true });
  writeFileSync(join(scan, 's', 'run'), '#!/bin/sh\necho hello\nexec sleep 100\n');
  writeFileSync(join(scan, 's', 'log', 'run'), '#!/bin/sh\nexec multilog t ./main\n');
  chmodSync(join(scan, 's', 'run'), 0o755);
  chmodSync(join(scan, 's', 'log', 'run'), 0o755);
  const r = spawnSync('unshare', ['-fp', '--mount-proc', '/bin/sh', '-c', SCRIPT], {
    env: { PATH: `${bin}:/usr/bin:/bin`, SCAN: scan },
    encoding: 'latin1',
    timeout: 60000,
  });
  expect(r.stderr).toBe('');
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) =>
      l
        .replaceAll(scan, 'SCAN')
        .replace(/\(pid [0-9]+\) [0-9]+ seconds/, '(pid N) S seconds')
        .replace(/^mltail: [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ /, 'mltail: DATE '),
    );
}

describe.runIf(HAVE_C && HAVE_SVTOOLS && IS_ROOT && process.platform === 'linux')('svtools', () => {
  test('svdir, svinfo, svinfo -p, svinfo -l -p and mltail work against our svscan as against C', () => {
    const theirs = run(C_BIN);
    expect(theirs).toEqual([
      'svdir: SCAN',
      'svinfo: SCAN/s: up (pid N) S seconds',
      'svinfo -p: sleep',
      'svinfo -l -p: multilog',
      'mltail: DATE hello',
    ]);
    expect(run(OUR_BIN)).toEqual(theirs);
  });
});
