import { ensureBuild } from './support/build.js';

/**
 * Vitest's global setup. The tests that start tmlsync as a process of its own (daemons killed with
 * kill -9, the emulator command restarted, the CLI on a terminal) run the build in `dist/`
 * (`CLI_MAIN`), made again here when a source is newer than it. Through tsx, each such process
 * compiled the sources anew: `--help` took 2.0 s of CPU against 0.9 s from the build, and 2.7 s
 * on a machine whose tsx cache was empty (a fresh one, as in CI), for about 14 processes of the suite.
 */
export function setup(): void {
  ensureBuild();
}
