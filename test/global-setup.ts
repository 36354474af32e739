import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_MAIN } from './support/cli.js';

const root = join(import.meta.dirname, '..');

/** The newest modification time of the sources the build compiles (`tsconfig.build.json`: src). */
function newestSource(): number {
  const files = readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' });
  return Math.max(statSync(join(root, 'tsconfig.build.json')).mtimeMs, statSync(join(root, 'tsconfig.json')).mtimeMs, ...files.map((file) => statSync(join(root, 'src', file)).mtimeMs));
}

/** When the build was made: `tsc` writes every file of it each time. */
function builtAt(): number {
  try {
    return statSync(CLI_MAIN).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Vitest's global setup. The tests that start tmlsync as a process of its own (daemons killed with
 * kill -9, the emulator command restarted, the CLI on a terminal) run the build in `dist/`, which
 * `npm ci` makes (`prepare`); it is made again here when a source is newer than it, as after an
 * edit. Through tsx, each such process compiled the sources anew: `--help` took 2.0 s of CPU
 * against 0.9 s from the build, and 2.7 s on a machine whose tsx cache was empty (a fresh one, as
 * in CI), for about 20 processes of the suite.
 */
export function setup(): void {
  if (builtAt() > newestSource()) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
}
