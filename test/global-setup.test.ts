import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuild } from './support/build.js';

// The tests that start tmlsync as a process run dist/ (test/support/build.ts): a build older than
// an edit would have them pass or fail on code that is no longer the source.
const project = mkdtempSync(join(tmpdir(), 'tmlsync-build-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** A project laid out as this one: its sources in src/, built by tsconfig.build.json into dist/. */
function writeProject(version: number): void {
  mkdirSync(join(project, 'src', 'cli'), { recursive: true });
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, types: [] } }));
  writeFileSync(join(project, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', compilerOptions: { noEmit: false, outDir: 'dist', rootDir: 'src' }, include: ['src'] }));
  writeFileSync(join(project, 'src', 'cli', 'main.ts'), `export const version: number = ${version};\n`);
}

const built = () => readFileSync(join(project, 'dist', 'cli', 'main.js'), 'utf8');

describe("the suite's build of tmlsync (global setup)", () => {
  it('builds dist/ when it is missing or older than a source, and only then', () => {
    writeProject(1);
    expect(ensureBuild(project)).toBe(true);
    expect(built()).toContain('version = 1');
    expect(ensureBuild(project)).toBe(false);
    writeProject(2);
    // Newer by a second than the build, whatever the file system's resolution of modification times.
    const later = new Date(Date.now() + 1000);
    utimesSync(join(project, 'src', 'cli', 'main.ts'), later, later);
    expect(ensureBuild(project)).toBe(true);
    expect(built()).toContain('version = 2');
  });
});
