import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Makes the build the tests that start tmlsync as a process run, when a source is newer than it.
    globalSetup: ['test/global-setup.ts'],
    // Integration suites start real servers on 127.0.0.1, and the machine has 2 cores. Two workers,
    // not three: the suite is CPU-bound, and a third worker added CPU (user and sys alike), not speed.
    // vitest alone, same tree, quiet 2-core machine, one run each: 2 workers 263 s wall and 435 s of
    // CPU, 3 workers 256 s and 484 s. `npm test` runs tsc and eslint beside it (about 50 s of CPU),
    // which the idle share of two workers takes. (An earlier suite measured 3 workers faster.)
    pool: 'forks',
    maxWorkers: 2,
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
