import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Makes the build the tests that start tmlsync as a process run, when a source is newer than it.
    globalSetup: ['test/global-setup.ts'],
    // Integration suites start real servers on 127.0.0.1; keep the pool small on 2-core machines.
    // Three, not two: e2e files wait on git processes, loopback servers and the replicas test's
    // leases, and a third worker fills those waits (quiet 2-core machine, one run each:
    // `npm test` 6 min 35 s with 3 workers, 7 min 10 s with 2).
    pool: 'forks',
    maxWorkers: 3,
    // Test files share their worker's module cache: each file used to load the client, the
    // emulator, pino and got again (vitest's "import" 147 s summed over 134 files, 24 s without
    // isolation). Quiet 2-core machine, one run each: vitest 429 s isolated, 362 s not.
    // Files therefore leave global state as they found it (see test/http-mock.ts's afterAll).
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    restoreMocks: true,
  },
});
