import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { cli } from '../support/cli.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';

/** The same promotion over either REST API (issue 12), each version with emulators of its own. */
describe.each(['v1', 'v2'] as const)('promotion from dev to prod, over %s', (api) => {
  let server: GitServer;
  let dev: RunningEmulator;
  let prod: RunningEmulator;
  const work = mkdtempSync(join(tmpdir(), `tmlsync-promote-${api}-`));
  let remote: string;
  let configFile: string;

  /** Counts prod's import calls through the emulator's log of requests. */
  const prodRequests: { path: string }[] = [];
  /** Where the API version in use serves an endpoint. */
  const pathOf = (endpoint: string) => `${api === 'v1' ? '/callosum/v1/tspublic/v1' : '/api/rest/2.0'}/${endpoint}`;

  beforeAll(async () => {
    server = await startGitServer();
    dev = await startEmulator();
    const { createLogger } = await import('../../src/log/index.js');
    prod = await startEmulator({ seed: 'none', guidPolicy: 'regenerate', logger: createLogger({ destination: { write: (l: string) => prodRequests.push(JSON.parse(l) as { path: string }) } }) });
    // prod has only its own connection.
    const admin = new ThoughtSpotClient({ url: prod.url, username: 'tsadmin', password: 'admin', env: {} });
    await admin.importTml(['connection:\n  name: Retail Warehouse PROD\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties:\n  - key: password\n    value: ""\n'], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
    remote = server.createRepo('content');
    configFile = join(work, 'tmlsync.yaml');
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n  dev:\n    url: ${dev.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: export\n    api: ${api}\n  prod:\n    url: ${prod.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n    mappings:\n      connections: { "Retail Warehouse": "Retail Warehouse PROD" }\n      databases: { RETAIL: RETAIL_PROD }\n      schemas: { PUBLIC: ANALYTICS }\n`,
    );
  });
  afterAll(async () => {
    await Promise.all([dev.close(), prod.close()]);
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('exports dev, merges to main, deploys to prod with mappings, and a second deploy writes nothing', async () => {
    expect((await cli(['export', '--config', configFile, '--env', 'dev'])).code).toBe(0);
    git(server.pathOf('content'), 'branch', 'main', 'dev');

    const deployed = await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
    expect(deployed.stderr).toBe('');
    const report = JSON.parse(deployed.stdout) as { outcome: string; counts: Record<string, number>; drift: string[] };
    expect(report).toMatchObject({ outcome: 'ok', counts: { added: 17, failed: 0 } });
    expect(report.drift).toEqual([]);

    const objects = [...prod.state.objects.values()];
    expect(objects).toHaveLength(18);
    // Regenerated GUIDs: nothing in prod carries dev's ids.
    expect(objects.some((o) => o.id === DEMO_GUIDS.model)).toBe(false);
    const table = objects.find((o) => o.name === 'fact_sales')!;
    const body = table.document.table as { db: string; schema: string; connection: { name: string; fqn?: string } };
    const prodConnection = objects.find((o) => o.kind === 'connection')!;
    expect(body).toMatchObject({ db: 'RETAIL_PROD', schema: 'ANALYTICS', connection: { name: 'Retail Warehouse PROD', fqn: prodConnection.id } });

    const client = new ThoughtSpotClient({ url: prod.url, username: 'tsadmin', password: 'admin', env: {} });
    const board = objects.find((o) => o.name === 'Retail Overview')!;
    const data = await client.pinboardData({ id: board.id });
    expect(Object.keys(data).length).toBeGreaterThanOrEqual(8);

    const drift = JSON.parse((await cli(['export', '--config', configFile, '--env', 'prod', '--dry-run', '--format', 'json'])).stdout) as { drift: unknown[]; checked: number };
    expect(drift).toMatchObject({ drift: [], checked: 17 });
    expect((await cli(['export', '--config', configFile, '--env', 'prod'])).code).toBe(2);

    const imports = () => prodRequests.filter((r) => r.path === pathOf('metadata/tml/import')).length;
    const before = imports();
    expect(before).toBeGreaterThan(0); // the first deploy's imports were seen on this version's path
    const again = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { counts: Record<string, number> };
    expect(again.counts).toMatchObject({ unchanged: 17, added: 0, updated: 0 });
    expect(imports()).toBe(before);
  });

  it('stops at the gate when an answer searches a column that does not exist, naming the file, with nothing written', async () => {
    const clone = join(work, 'clone');
    git(work, 'clone', '--quiet', '-b', 'main', remote, clone);
    const file = `tml/answer/Sales-by-Region.${DEMO_GUIDS.answers[0]}.answer.tml`;
    const { readFileSync } = await import('node:fs');
    writeFileSync(join(clone, file), readFileSync(join(clone, file), 'utf8').replace('search_query: "[Region] [Sales]"', 'search_query: "[Region] [Profit Margin]"'));
    git(clone, 'commit', '--quiet', '-am', 'break an answer');
    git(clone, 'push', '--quiet', 'origin', 'main');
    const modified = new Map([...prod.state.objects.values()].map((o) => [o.id, o.modified]));
    const result = await cli(['deploy', '--config', configFile, '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('Search did not find "[Profit Margin]"');
    expect(new Map([...prod.state.objects.values()].map((o) => [o.id, o.modified]))).toEqual(modified);
  });

  it('plans a change with the fields it touches, in Markdown and in the job summary', async () => {
    const clone = join(work, 'clone-plan');
    git(work, 'clone', '--quiet', '-b', 'main', remote, clone);
    const { readFileSync } = await import('node:fs');
    const broken = `tml/answer/Sales-by-Region.${DEMO_GUIDS.answers[0]}.answer.tml`;
    git(clone, 'checkout', '--quiet', 'HEAD~1', '--', broken);
    const file = `tml/answer/Sales-by-Category.${DEMO_GUIDS.answers[1]}.answer.tml`;
    writeFileSync(join(clone, file), readFileSync(join(clone, file), 'utf8').replace('type: PIE', 'type: BAR'));
    git(clone, 'commit', '--quiet', '-am', 'bar chart, and undo the broken answer');
    git(clone, 'push', '--quiet', 'origin', 'main');
    const summary = join(work, 'summary.md');
    const { code, stdout } = await cli(['plan', '--config', configFile, '--env', 'prod', '--format', 'markdown'], { GITHUB_STEP_SUMMARY: summary });
    expect(code).toBe(0);
    expect(stdout, stdout).toContain('**0 create, 1 update, 0 delete, 0 conflict**, 16 unchanged');
    expect(stdout).toMatch(/\| update \| answer \| Sales by Category \| `answer->chart->type` \|/);
    expect(readFileSync(summary, 'utf8')).toBe(stdout);
    const count = (path: string) => prodRequests.filter((r) => r.path === pathOf(path)).length;
    const [imports, exports] = [count('metadata/tml/import'), count('metadata/tml/export')];
    const deployed = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { counts: Record<string, number> };
    expect(deployed.counts).toMatchObject({ updated: 1, unchanged: 16 });
    // One changed file: VALIDATE_ONLY, the import, and the re-export that checks it — three write-path calls.
    expect([count('metadata/tml/import') - imports, count('metadata/tml/export') - exports]).toEqual([2, 1]);
  });

  it('reports drift when someone edits prod directly', async () => {
    const client = new ThoughtSpotClient({ url: prod.url, username: 'tsadmin', password: 'admin', env: {} });
    const answer = [...prod.state.objects.values()].find((o) => o.name === 'Top 10 Products')!;
    const [exported] = await client.exportTml([answer.id]);
    const edoc = exported?.ok ? exported.edoc : '';
    await client.importTml([edoc.replace('search_query: "[Product] [Sales] top 10"', 'search_query: "[Product] [Sales] top 5"')], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
    const result = await cli(['export', '--config', configFile, '--env', 'prod', '--dry-run']);
    expect(result.stdout).toMatch(/drift in prod against [0-9a-f]{12}: 1 of 17 objects/);
    expect(result.stdout).toContain('changed answer "Top 10 Products"');
    expect(result.stdout).toContain('answer->search_query');
  });
});
