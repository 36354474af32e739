import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { workTree } from '../../src/app/index.js';
import type { EnvironmentConfig, LoadedConfig } from '../../src/config/index.js';
import { GitError, GitRepo } from '../../src/git/index.js';
import { API_VERSIONS, clientOf, type ApiVersion } from '../support/api.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';

/**
 * Issue 15, item 10: local state that no longer matches the remote, and configurations that must not meet in one work tree.
 * The exports run over v1 and v2 (issue 12), from an Org holding two objects (a connection and a table, one author):
 * what is stale is git's, so the smallest content shows it, and twelve exports of it cost less than six of the demo's 18.
 */

const stage = useStage('tmlsync-stale-');
const ORG = 'Stale';
const CONTENT = [
  'connection:\n  name: Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n',
  'guid: 0d0d0d0d-0000-4000-8000-000000000001\ntable:\n  name: orders\n  db: RETAIL\n  schema: PUBLIC\n  db_table: orders\n  connection:\n    name: Warehouse\n  columns:\n  - name: id\n    db_column_name: id\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n',
];
let n = 0;

beforeAll(async () => {
  stage.emulator.instance.createOrg(ORG);
  await clientOf('v1', stage.emulator.url, { org: ORG }).importTml(CONTENT, { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
});

/** A configuration exporting `env` of the emulator's small Org over `api` into `remote`, with the given work dir. */
function configFile(api: ApiVersion, remote: string, workDir: string, env = 'dev'): string {
  const file = join(stage.work, `config-${(n += 1)}.yaml`);
  writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${workDir}\nenvironments:\n  ${env}:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${TS_PASSWORD:-admin}\n    org: ${ORG}\n    api: ${api}\n    branch: dev\n    direction: export\n`);
  return file;
}

const exportWith = (file: string) => cli(['export', '--config', file]);
const objects = (bare: string) => git(bare, 'ls-tree', '-r', '--name-only', 'dev').split('\n').filter((p) => p.startsWith('tml/')).length;
const shape = (workDir: string, url: string, ...names: string[]) => ({ workDir, repository: { url }, environments: names.map((name) => ({ name })) }) as unknown as LoadedConfig;
const env = (name: string) => ({ name }) as EnvironmentConfig;

/** Export runs against real remotes; each takes some seconds on a shared machine. */
const EXPORTS_TIMEOUT = 90_000;

describe.each(API_VERSIONS)('stale local state, exporting over %s', (api) => {
  it('stale local state: a recreated remote (deleted and created empty again) does not break the next export', { timeout: EXPORTS_TIMEOUT }, async () => {
    const remote = stage.server.createRepo(`recreated-${api}`);
    const file = configFile(api, remote, join(stage.work, `wd-recreated-${api}`));
    expect((await exportWith(file)).code).toBe(0);
    rmSync(stage.server.pathOf(`recreated-${api}`), { recursive: true, force: true });
    stage.server.createRepo(`recreated-${api}`);
    const again = await exportWith(file);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(objects(stage.server.pathOf(`recreated-${api}`))).toBe(CONTENT.length);
  });

  it('stale local state: the branch deleted in the remote does not break the next export', { timeout: EXPORTS_TIMEOUT }, async () => {
    const remote = stage.server.createRepo(`branch-gone-${api}`);
    const file = configFile(api, remote, join(stage.work, `wd-branch-gone-${api}`));
    expect((await exportWith(file)).code).toBe(0);
    git(stage.server.pathOf(`branch-gone-${api}`), 'update-ref', '-d', 'refs/heads/dev');
    const again = await exportWith(file);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(objects(stage.server.pathOf(`branch-gone-${api}`))).toBe(CONTENT.length);
  });

  it('stale local state: two configurations with one environment name and one work dir but different remotes never share a work tree', { timeout: EXPORTS_TIMEOUT }, async () => {
    const workDir = join(stage.work, `wd-shared-${api}`);
    const first = stage.server.createRepo(`first-${api}`);
    const second = stage.server.createRepo(`second-${api}`);
    expect((await exportWith(configFile(api, first, workDir))).code).toBe(0);
    git(stage.server.pathOf(`first-${api}`), 'update-ref', 'refs/heads/only-in-first', 'dev');
    const other = await exportWith(configFile(api, second, workDir));
    expect(other.stderr).toBe('');
    expect(other.code).toBe(0);
    expect(objects(stage.server.pathOf(`second-${api}`))).toBe(CONTENT.length);
    expect(git(stage.server.pathOf(`second-${api}`), 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/dev');
    expect(workTree(shape(workDir, first), env('dev'))).not.toBe(workTree(shape(workDir, second), env('dev')));
  });
});

describe('stale local state', () => {
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
