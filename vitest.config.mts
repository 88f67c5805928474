import { defineConfig } from 'vitest/config';

const base = {
  testTimeout: 30000,
  hookTimeout: 30000,
};

// Run again with DAEMONTOOLS_PROFILE=portable, in which this Linux build takes the branches a
// FreeBSD or macOS build takes (src/native/platform.ts): the suites that go through them. Left
// out: what only Linux has (hosting, adoption, the keeper: profile.test.ts shows what the portable
// branches do instead; the signal shim), and multilog-golden (243 cases; its portable branches, the argument
// bytes and the log directory without /proc, are met here by svscan-log, exec-state and
// multilog-errors). `npx vitest run --project portable FILE` runs any other file this way.
const PORTABLE_SUITES = [
  'test/integration/supervisor-class.test.ts',
  'test/integration/supervise-gate.test.ts',
  'test/integration/svscan.test.ts',
  'test/integration/svscan-log.test.ts',
  'test/integration/multilog-interop.test.ts',
  'test/integration/multilog-errors.test.ts',
  'test/integration/multilog-signals.test.ts',
  'test/integration/chain-envdir.test.ts',
  'test/integration/chain-fused.test.ts',
  'test/integration/chain-setlock.test.ts',
  'test/integration/sv-clients.test.ts',
  'test/interop/svscan-c.test.ts',
  'test/interop/supervise-golden.test.ts',
  'test/interop/exec-state.test.ts',
];

export default defineConfig({
  test: {
    // Integration tests start real processes; two cores make parallel files flaky.
    fileParallelism: true,
    maxWorkers: 2,
    // Once, for both projects (the root's global setup runs before any project's files).
    globalSetup: ['test/global-setup.ts'],
    projects: [
      { test: { ...base, name: process.platform, include: ['test/**/*.test.ts'] } },
      // Elsewhere the first project takes these branches already.
      ...(process.platform !== 'linux'
        ? []
        : [
            {
              test: {
                ...base,
                name: 'portable',
                include: PORTABLE_SUITES,
                env: { DAEMONTOOLS_PROFILE: 'portable' },
                setupFiles: ['test/helpers/portable-env.ts'],
              },
            },
          ]),
    ],
  },
});
