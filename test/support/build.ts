import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The `tmlsync` program for a test that starts it as a process of its own (`node CLI_MAIN …`):
 * the build `npm ci` made (`prepare`), made again by the suite's global setup when a source is
 * newer (`ensureBuild`).
 */
export const CLI_MAIN = join(root, 'dist', 'cli', 'main.js');

/** The newest modification time of what the build compiles (`tsconfig.build.json`: src). */
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

/** Builds `dist/` again (`tsc --noCheck`, 6 s of CPU) when a source is newer than it, as after an edit. */
export function ensureBuild(): void {
  if (builtAt() > newestSource()) return;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json'), '--noCheck'], { cwd: root, stdio: 'inherit' });
}
