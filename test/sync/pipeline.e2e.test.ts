import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import { GitRepo } from '../../src/git/index.js';
import { HostQueues, ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { API_VERSIONS } from '../support/api.js';
import { cli } from '../support/cli.js';
import { commitOn, setBranch } from '../support/commits.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { copyRemote } from '../support/seeded-remote.js';

const CONNECTION = (name: string) => `connection:\n  name: ${name}\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n`;

/** A canonical table file: `columns` named, over `connection`. */
function table(guid: string, name: string, connection: string, columns: string[]): string {
  const cols = columns.map((c) => `  - name: ${c}\n    db_column_name: ${c}\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: VARCHAR\n`).join('');
  return `guid: ${guid}\ntable:\n  name: ${name}\n  db: RETAIL\n  schema: PUBLIC\n  db_table: ${name}\n  connection:\n    name: ${connection}\n  columns:\n${cols}`;
}

/**
 * dev → staging → prod as three Orgs of one emulator (issue 13, item 4):
 * staging promotes what dev deployed, prod what staging deployed, and prod
 * only when approved (`approval: manual`). Dev's Org has a connection the
 * others lack: a table over it passes dev's gate and fails staging's.
 */
let emulator: RunningEmulator;
let server: GitServer;
const work = mkdtempSync(join(tmpdir(), 'tmlsync-pipeline-'));
const ORGS = [...API_VERSIONS, 'daemon'].flatMap((suffix) => ['Dev', 'Staging', 'Prod'].map((stage) => `${stage}-${suffix}`));

beforeAll(async () => {
  [emulator, server] = await Promise.all([startEmulator({ seed: 'none', orgs: ORGS }), startGitServer()]);
  for (const org of ORGS) {
    const client = new ThoughtSpotClient({ url: emulator.url, username: 'tsadmin', password: 'admin', org, env: {} });
    const connections = [CONNECTION('Warehouse'), ...(org.startsWith('Dev') ? [CONNECTION('Lab Warehouse')] : [])];
    await client.importTml(connections, { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
  }
});
afterAll(async () => {
  await Promise.all([emulator.close(), server.close()]);
  rmSync(work, { recursive: true, force: true });
});

/** The tables of an Org, each with its number of columns: `orders(2)`. */
function tablesOf(org: string): string[] {
  return [...emulator.instance.findOrg(org)!.objects.values()].filter((o) => o.kind === 'table').map((o) => `${o.name}(${(o.document.table as { columns: unknown[] }).columns.length})`).sort();
}

/**
 * The start of every content repository: a `dev` branch, and `staging` and `main` at its start.
 * Made once and copied per pipeline (a copy is no git process). Commits are written into the
 * remote with one fast-import each (`commitOn`), as a person's push would leave them: a
 * clone, add, commit and push were five git processes on this side and four on the server's.
 */
let seed: string;
beforeAll(() => {
  seed = server.createRepo('pipeline-seed');
  const start = commitOn(server.pathOf('pipeline-seed'), 'dev', 'start', {}, null);
  for (const branch of ['main', 'staging']) setBranch(server.pathOf('pipeline-seed'), branch, start);
});

/** A copy of the seed's content repository (its path on disk and its URL); and a configuration of dev → staging → prod (manual) over the Orgs `<Stage>-<suffix>`. */
function pipelineRepo(suffix: string, api: string, extra = ''): { bare: string; remote: string; configFile: string } {
  const remote = copyRemote(server, seed, `pipeline-${suffix}`);
  const env = (name: string, more: string) => `  ${name}:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n    direction: deploy\n    org: ${name[0]!.toUpperCase()}${name.slice(1)}-${suffix}\n${more}`;
  const configFile = join(work, `tmlsync-${suffix}.yaml`);
  writeFileSync(
    configFile,
    `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${suffix}`)}\n${extra}environments:\n${env('dev', '    branch: dev\n')}${env('staging', '    branch: staging\n    promoteFrom: dev\n')}${env('prod', '    branch: main\n    promoteFrom: staging\n    approval: manual\n')}`,
  );
  return { bare: server.pathOf(`pipeline-${suffix}`), remote, configFile };
}

/** Commits `files` (path → text, null: delete) on the remote's dev branch, as a person's push would; returns the commit. */
function pushToDev(bare: string, message: string, files: Record<string, string | null>): string {
  return commitOn(bare, 'dev', message, files);
}

describe.each(API_VERSIONS)('a dev → staging → prod pipeline of Orgs, over %s', (api) => {
  const guid = (n: number) => `0000000${n}-${api === 'v1' ? '1111' : '2222'}-4000-8000-000000000000`;
  let configFile: string;
  let bare: string;
  const tablesIn = (stage: string) => tablesOf(`${stage}-${api}`);
  const run = async (args: string[]) => cli([...args, '--config', configFile]);
  const toDev = (message: string, files: Record<string, string | null>) => pushToDev(bare, message, files);

  beforeAll(() => {
    ({ bare, configFile } = pipelineRepo(api, api));
  });

  // Small steps, each a test of its own: every command is a login, a fetch and a listing, and a shared machine is slow.
  let first: string;
  it('promotes into staging the commit dev deployed', async () => {
    first = toDev('orders', { 'tml/table/orders.table.tml': table(guid(1), 'orders', 'Warehouse', ['id']) });
    expect((await run(['deploy', '--env', 'dev'])).code).toBe(0);
    const staging = await run(['deploy', '--env', 'staging', '--format', 'json']);
    expect(JSON.parse(staging.stdout)).toMatchObject({ outcome: 'ok', commit: first, counts: { added: 1 }, promotion: { from: 'dev', state: 'promoted', commit: first } });
    expect([tablesIn('Dev'), tablesIn('Staging')]).toEqual([['orders(1)'], ['orders(1)']]);
  });

  it('plans for a manual prod the commit a promotion would bring, and what it brings', async () => {
    const plan = await run(['plan', '--env', 'prod']);
    expect(plan.stdout).toContain(`prod promotes from staging: commit ${first.slice(0, 12)}, the last staging deployed successfully (2 commits prod does not run yet); approval: manual`);
    expect(plan.stdout).toContain('create   table "orders"');
  });

  it('promotes into prod with tmlsync promote', async () => {
    expect(tablesIn('Prod')).toEqual([]);
    const promoted = await run(['promote', '--env', 'prod']);
    expect([promoted.code, promoted.stdout]).toEqual([0, expect.stringContaining(`prod promoted staging's last successful commit ${first.slice(0, 12)}`)]);
    expect(tablesIn('Prod')).toEqual(['orders(1)']);
  });

  it("stops a change at staging's gate", async () => {
    toDev('lab table', { 'tml/table/lab.table.tml': table(guid(2), 'lab_events', 'Lab Warehouse', ['id']) });
    expect((await run(['deploy', '--env', 'dev'])).code).toBe(0);
    const refused = await run(['deploy', '--env', 'staging']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('uses connection "Lab Warehouse", which does not exist in staging');
  });

  let fixed: string;
  it('promotes into staging a change that passes its gate', async () => {
    fixed = toDev('orders gets a column; the lab table goes', { 'tml/table/lab.table.tml': null, 'tml/table/orders.table.tml': table(guid(1), 'orders', 'Warehouse', ['id', 'status']) });
    expect((await run(['deploy', '--env', 'dev'])).code).toBe(0);
    expect(JSON.parse((await run(['deploy', '--env', 'staging', '--format', 'json'])).stdout)).toMatchObject({ outcome: 'ok', commit: fixed, counts: { updated: 1 } });
  });

  it('brings into prod only after tmlsync promote what passed staging, and never what failed it', async () => {
    const held = JSON.parse((await run(['deploy', '--env', 'prod', '--format', 'json'])).stdout) as { commit: string; promotion: { state: string }; counts: { updated: number } };
    expect([held.promotion.state, held.commit, held.counts.updated]).toEqual(['held', first, 0]);
    expect(tablesIn('Prod')).toEqual(['orders(1)']);
    expect((await run(['promote', '--env', 'prod'])).code).toBe(0);
    // lab_events was deployed to dev and refused by staging: had it reached prod, it would be there still (prune is off).
    expect([tablesIn('Dev'), tablesIn('Staging'), tablesIn('Prod')]).toEqual([['lab_events(1)', 'orders(2)'], ['orders(2)'], ['orders(2)']]);
  });
});

/**
 * The daemon's side, once (the API version changes nothing here; the suites
 * above run both): a successful deploy of dev starts staging's run, which
 * deploys what dev deployed; prod (manual) waits for its approval, given
 * through the trigger API. A change that fails staging stops there. An
 * approval is kept in the remote: given by `tmlsync promote` while the
 * deploy could not run, it is carried out by a daemon started afterwards.
 */
describe('the daemon running a pipeline', () => {
  const daemonOf = (configFile: string) => new Daemon(loadConfig(configFile, { env: {} }), { log: createLogger({ level: 'silent' }), redactor: new Redactor(), queues: new HostQueues(), env: {} });
  const post = (url: string, path: string) => fetch(`${url}${path}`, { method: 'POST', headers: { authorization: 'Bearer pipeline-token' } });
  type Status = { environments: { name: string; stage?: Record<string, unknown>; lastRun?: { outcome: string; error?: string } }[] };
  const statusOf = async (url: string, name: string) => ((await (await fetch(`${url}/status`)).json()) as Status).environments.find((e) => e.name === name)!;
  let bare: string;
  let remote: string;
  let configFile: string;
  let commit: string;

  // Several runs per test (three at start-up, the pipeline's, the promotion's): a few seconds alone, far more on a shared machine.
  it('runs an auto stage after its source deployed, a manual one only when promoted through the trigger API, and stops at a failed stage', { timeout: 60_000 }, async () => {
    ({ bare, remote, configFile } = pipelineRepo('daemon', 'v2', 'server:\n  port: 0\n  apiToken: pipeline-token\n'));
    commit = pushToDev(bare, 'orders', { 'tml/table/orders.table.tml': table('00000001-3333-4000-8000-000000000000', 'orders', 'Warehouse', ['id']) });
    // No schedule tick during the test: only start-up, the pipeline and the API start runs.
    writeFileSync(configFile, readFileSync(configFile, 'utf8').replaceAll('    direction: deploy\n', '    direction: deploy\n    schedule: "0 0 1 1 *"\n'));
    const daemon = daemonOf(configFile);
    const http = await daemon.start();
    try {
      await daemon.idle();
      const triggers = (environment: string) => daemon.runs.recent(50).filter((r) => r.environment === environment).map((r) => r.trigger.replace(/ run .*/, ''));
      expect(triggers('staging')).toContain('pipeline: after dev');
      expect(triggers('prod')).toEqual(['start']);
      expect([tablesOf('Staging-daemon'), tablesOf('Prod-daemon')]).toEqual([['orders(1)'], []]);
      const waiting = daemon.status().find((e) => e.name === 'prod')!.stage;
      expect(waiting).toMatchObject({ promoteFrom: 'staging', approval: 'manual', sourceCommit: commit, approvalPending: true });
      expect(waiting!.commit).toBeUndefined();

      expect((await post(http.url, '/api/v1/environments/prod/promote')).status).toBe(202);
      await daemon.idle();
      expect(tablesOf('Prod-daemon')).toEqual(['orders(1)']);
      expect((await statusOf(http.url, 'prod')).stage).toEqual({ promoteFrom: 'staging', approval: 'manual', commit, sourceCommit: commit, behind: 0, approvalPending: false });
      expect((await post(http.url, '/api/v1/environments/dev/promote')).status).toBe(409);

      // A change that fails staging's gate: staging's run fails, and says why; nothing starts after it.
      pushToDev(bare, 'lab table', { 'tml/table/lab.table.tml': table('00000002-3333-4000-8000-000000000000', 'lab_events', 'Lab Warehouse', ['id']) });
      expect((await post(http.url, '/api/v1/environments/dev/deploy')).status).toBe(202);
      await daemon.idle();
      expect(daemon.runs.recent(50).find((r) => r.environment === 'staging')).toMatchObject({ trigger: expect.stringMatching(/^pipeline: after dev/) as string, status: 'failed' });
      expect(triggers('prod')).toEqual(['api promote', 'start']);
      const staging = await statusOf(http.url, 'staging');
      expect(staging.lastRun).toMatchObject({ outcome: 'failed', error: expect.stringContaining('uses connection "Lab Warehouse", which does not exist in staging') as string });
      expect(staging.stage).toMatchObject({ commit, behind: 1 });
      expect((await statusOf(http.url, 'prod')).stage).toMatchObject({ commit, sourceCommit: commit, behind: 0, approvalPending: false });
      expect([tablesOf('Dev-daemon'), tablesOf('Staging-daemon'), tablesOf('Prod-daemon')]).toEqual([['lab_events(1)', 'orders(1)'], ['orders(1)'], ['orders(1)']]);
    } finally {
      await daemon.stop();
    }
  });

  it('carries out, after a restart, the approval tmlsync promote gave while another deploy of prod ran', { timeout: 60_000 }, async () => {
    const fixed = pushToDev(bare, 'orders gets a column; the lab table goes', { 'tml/table/lab.table.tml': null, 'tml/table/orders.table.tml': table('00000001-3333-4000-8000-000000000000', 'orders', 'Warehouse', ['id', 'status']) });
    expect((await cli(['deploy', '--env', 'dev', '--config', configFile])).code).toBe(0);
    expect((await cli(['deploy', '--env', 'staging', '--config', configFile])).code).toBe(0);
    // Another run holds prod's lock (a CI job elsewhere): the promotion cannot deploy now, and its approval stays in the remote.
    const holder = await GitRepo.open(join(work, 'prod-lock-holder'), { remoteUrl: remote, committer: { name: 't', email: 't@x' } });
    expect(await holder.acquireLock('refs/tmlsync/prod/lock', 'ci-runner-7 pid 1 run abc', () => false)).toBeUndefined();
    try {
      const refused = await cli(['promote', '--env', 'prod', '--config', configFile]);
      expect([refused.code, refused.stderr]).toEqual([1, expect.stringContaining('another deploy of prod is running (ci-runner-7 pid 1 run abc since')]);
    } finally {
      await holder.releaseLock('refs/tmlsync/prod/lock');
    }
    expect(tablesOf('Prod-daemon')).toEqual(['orders(1)']);

    const daemon = daemonOf(configFile);
    const http = await daemon.start();
    try {
      await daemon.idle();
      expect(tablesOf('Prod-daemon')).toEqual(['orders(2)']);
      expect((await statusOf(http.url, 'prod')).stage).toMatchObject({ commit: fixed, sourceCommit: fixed, behind: 0, approvalPending: false });
    } finally {
      await daemon.stop();
    }
  });
});
