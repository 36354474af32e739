import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workTree } from '../../src/app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../src/config/index.js';
import { GitError, GitRepo } from '../../src/git/index.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';

/** Issue 15, item 10: local state that no longer matches the remote, and configurations that must not meet in one work tree. */

const stage = useStage('tmlsync-stale-');
let n = 0;

/** A configuration exporting `env` of the demo emulator into `remote`, with the given work dir. */
function configFile(remote: string, workDir: string, env = 'dev'): string {
  const file = join(stage.work, `config-${(n += 1)}.yaml`);
  writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${workDir}\nenvironments:\n  ${env}:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${TS_PASSWORD:-admin}\n    branch: dev\n    direction: export\n`);
  return file;
}

const exportWith = (file: string) => cli(['export', '--config', file]);
const objects = (bare: string) => git(bare, 'ls-tree', '-r', '--name-only', 'dev').split('\n').filter((p) => p.startsWith('tml/')).length;
const shape = (workDir: string, url: string, ...names: string[]) => ({ workDir, repository: { url }, environments: names.map((name) => ({ name })) }) as unknown as LoadedConfig;
const env = (name: string) => ({ name }) as EnvironmentConfig;

/** Export runs against real remotes; each takes some seconds on a shared machine. */
const EXPORTS_TIMEOUT = 90_000;

describe('stale local state', () => {
  it('stale local state: a recreated remote (deleted and created empty again) does not break the next export', { timeout: EXPORTS_TIMEOUT }, async () => {
    const remote = stage.server.createRepo('recreated');
    const file = configFile(remote, join(stage.work, 'wd-recreated'));
    expect((await exportWith(file)).code).toBe(0);
    rmSync(stage.server.pathOf('recreated'), { recursive: true, force: true });
    stage.server.createRepo('recreated');
    const again = await exportWith(file);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(objects(stage.server.pathOf('recreated'))).toBe(18);
  });

  it('stale local state: the branch deleted in the remote does not break the next export', { timeout: EXPORTS_TIMEOUT }, async () => {
    const remote = stage.server.createRepo('branch-gone');
    const file = configFile(remote, join(stage.work, 'wd-branch-gone'));
    expect((await exportWith(file)).code).toBe(0);
    git(stage.server.pathOf('branch-gone'), 'update-ref', '-d', 'refs/heads/dev');
    const again = await exportWith(file);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(objects(stage.server.pathOf('branch-gone'))).toBe(18);
  });

  it('stale local state: two configurations with one environment name and one work dir but different remotes never share a work tree', { timeout: EXPORTS_TIMEOUT }, async () => {
    const workDir = join(stage.work, 'wd-shared');
    const first = stage.server.createRepo('first');
    const second = stage.server.createRepo('second');
    expect((await exportWith(configFile(first, workDir))).code).toBe(0);
    git(stage.server.pathOf('first'), 'update-ref', 'refs/heads/only-in-first', 'dev');
    const other = await exportWith(configFile(second, workDir));
    expect(other.stderr).toBe('');
    expect(other.code).toBe(0);
    expect(objects(stage.server.pathOf('second'))).toBe(18);
    expect(git(stage.server.pathOf('second'), 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/dev');
    expect(workTree(shape(workDir, first), env('dev'))).not.toBe(workTree(shape(workDir, second), env('dev')));
  });

  it('stale local state: environments ab and ab- never share a work tree (their slugs collide)', () => {
    const config = shape('/w', 'git://127.0.0.1/x.git', 'ab', 'ab-');
    expect(workTree(config, env('ab'))).not.toBe(workTree(config, env('ab-')));
    expect(workTree(config, env('ab'))).toMatch(/^\/w\/ab-[0-9a-f]{12}\/repo$/);
  });

  it('keys a work tree by the remote without its credentials, the same for one remote however it is written', () => {
    expect(workTree(shape('/w', 'https://example.com/content.git'), env('dev'))).toBe(workTree(shape('/w', 'https://bot:hunter2@example.com/content.git'), env('dev')));
    expect(workTree(shape('/w', 'https://example.com/content.git'), env('dev'))).not.toBe(workTree(shape('/w', 'https://example.com/other.git'), env('dev')));
  });

  it('stale local state: a work tree whose origin is another URL is never reused', async () => {
    const dir = mkdtempSync(join(stage.work, 'tree-'));
    await GitRepo.open(dir, { remoteUrl: 'git://127.0.0.1:1/one.git', committer: { name: 't', email: 't@x' } });
    const reopened = GitRepo.open(dir, { remoteUrl: 'git://127.0.0.1:1/two.git', committer: { name: 't', email: 't@x' } });
    await expect(reopened).rejects.toThrow(GitError);
    await expect(reopened).rejects.toThrow(`${dir} is the work tree of git://127.0.0.1:1/one.git, not of git://127.0.0.1:1/two.git`);
    expect(execFileSync('git', ['config', '--get', 'remote.origin.url'], { cwd: dir, encoding: 'utf8' }).trim()).toBe('git://127.0.0.1:1/one.git');
  });
});
