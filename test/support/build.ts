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

/** The newest modification time of what the build of `project` compiles (`tsconfig.build.json`: src). */
function newestSource(project: string): number {
  const files = readdirSync(join(project, 'src'), { recursive: true, encoding: 'utf8' });
  return Math.max(statSync(join(project, 'tsconfig.build.json')).mtimeMs, statSync(join(project, 'tsconfig.json')).mtimeMs, ...files.map((file) => statSync(join(project, 'src', file)).mtimeMs));
}

/** When the build of `project` was made: `tsc` writes every file of it each time. */
function builtAt(project: string): number {
  try {
    return statSync(join(project, 'dist', 'cli', 'main.js')).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Builds `dist/` again (`tsc --noCheck`, 6 s of CPU) when a source is newer than it, as after an
 * edit; says whether it did. `project`: this one, or another laid out as it is (a test's).
 */
export function ensureBuild(project = root): boolean {
  if (builtAt(project) > newestSource(project)) return false;
  execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(project, 'tsconfig.build.json'), '--noCheck'], { cwd: project, stdio: 'inherit' });
  return true;
}
