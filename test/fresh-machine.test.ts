import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Programs a machine with only Node and git has (`process.execPath` is Node itself). */
const AVAILABLE = new Set(['git', 'node']);

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|mts|mjs)$/.test(file))
    .map((file) => join(folder, file));
}

/** Every program a file starts by name: the first argument, a string literal, of a child_process call. */
function programsStarted(source: string): string[] {
  const calls = source.matchAll(/\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*['"`]([^'"`\s]+)/g);
  return [...calls].map((call) => call[1]!);
}

describe('the fresh-machine promise (issue 15, item 14)', () => {
  it('runs no program but node and git, in the sources, the scripts or the tests', () => {
    const started = ['src', 'scripts', 'test'].flatMap(sourcesUnder).flatMap((file) =>
      programsStarted(readFileSync(join(root, file), 'utf8')).map((program) => ({ file: relative(root, join(root, file)), program })));
    // The scan sees the calls it looks for: the tests start git by name.
    expect(started.map((s) => s.program)).toContain('git');
    expect(started.filter((s) => !AVAILABLE.has(s.program)).map((s) => `${s.file}: ${s.program}`)).toEqual([]);
  });

  it('installs nothing but the npm packages in CI', () => {
    expect(readFileSync(join(root, '.ci/run'), 'utf8')).not.toMatch(/apt-get|apk add|brew install|yum install/);
  });
});
