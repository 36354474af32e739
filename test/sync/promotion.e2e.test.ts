import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import type { EmulatorState } from '../../src/emulator/state.js';
import { API_VERSIONS, clientOf, requestLog } from '../support/api.js';
import { cli } from '../support/cli.js';
import { commitOn, textAt } from '../support/commits.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { addProdConnection, PROD_MAPPINGS } from '../support/prod.js';

/**
 * The same promotion over either REST API (issue 12), from one instance to
 * another: dev is the demo-seeded emulator of the stage, prod a second
 * emulator that assigns its own GUIDs. Both versions share the two emulators
 * and the git server; each version deploys into an Org of prod of its own.
 */
const stage = useStage('tmlsync-promote-');
/** prod's requests: its import and export calls are counted. */
const log = requestLog();
let prodEmulator: RunningEmulator;

beforeAll(async () => {
  prodEmulator = await startEmulator({ seed: 'none', guidPolicy: 'regenerate', orgs: API_VERSIONS.map((api) => `Prod ${api}`), logger: log.logger });
});
afterAll(async () => {
  await prodEmulator.close();
});

describe.each(API_VERSIONS)('promotion from dev to prod, over %s', (api) => {
  const work = join(stage.work, api);
  let remote: string;
  let configFile: string;
  /** This version's prod: an Org of the prod instance. */
  let prod: EmulatorState;
  /** A v1 client of this version's prod, as a person's script would use. */
  const prodClient = () => clientOf('v1', prodEmulator.url, { org: prod.org.name });

  /** Where the API version in use serves an endpoint. */
  const pathOf = (endpoint: string) => `${api === 'v1' ? '/callosum/v1/tspublic/v1' : '/api/rest/2.0'}/${endpoint}`;
  /** How many calls of `endpoint` prod answered so far. */
  const count = (endpoint: string) => log.requests.filter((r) => r.path === pathOf(endpoint)).length;

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    prod = prodEmulator.instance.findOrg(`Prod ${api}`)!;
    // prod has only its own connection.
    await addProdConnection(prodClient());
    remote = stage.server.createRepo(`content-${api}`);
    configFile = join(stage.work, `tmlsync-${api}.yaml`);
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: export\n    api: ${api}\n  prod:\n    url: ${prodEmulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    org: Prod ${api}\n    branch: main\n    direction: deploy\n    api: ${api}\n${PROD_MAPPINGS}`,
    );
  });

  it('exports dev, merges to main, deploys to prod with mappings, and a second deploy writes nothing', async () => {
    expect((await cli(['export', '--config', configFile, '--env', 'dev'])).code).toBe(0);
    git(stage.server.pathOf(`content-${api}`), 'branch', 'main', 'dev');

    const deployed = await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
    expect(deployed.stderr).toBe('');
    const report = JSON.parse(deployed.stdout) as { outcome: string; counts: Record<string, number>; drift: string[] };
    expect(report).toMatchObject({ outcome: 'ok', counts: { added: 17, failed: 0 } });
    expect(report.drift).toEqual([]);

    const objects = [...prod.objects.values()];
    expect(objects).toHaveLength(18);
    // Regenerated GUIDs: nothing in prod carries dev's ids.
    expect(objects.some((o) => o.id === DEMO_GUIDS.model)).toBe(false);
    const table = objects.find((o) => o.name === 'fact_sales')!;
    const body = table.document.table as { db: string; schema: string; connection: { name: string; fqn?: string } };
    const prodConnection = objects.find((o) => o.kind === 'connection')!;
    expect(body).toMatchObject({ db: 'RETAIL_PROD', schema: 'ANALYTICS', connection: { name: 'Retail Warehouse PROD', fqn: prodConnection.id } });

    const board = objects.find((o) => o.name === 'Retail Overview')!;
    const data = await prodClient().pinboardData({ id: board.id });
    expect(Object.keys(data).length).toBeGreaterThanOrEqual(8);

    const drift = JSON.parse((await cli(['export', '--config', configFile, '--env', 'prod', '--dry-run', '--format', 'json'])).stdout) as { drift: unknown[]; checked: number };
    expect(drift).toMatchObject({ drift: [], checked: 17 });
    expect((await cli(['export', '--config', configFile, '--env', 'prod'])).code).toBe(2);

    const imports = () => count('metadata/tml/import');
    const before = imports();
    expect(before).toBeGreaterThan(0); // the log sees imports on this version's path, so an unchanged count below means the deploy made none
    const again = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { counts: Record<string, number> };
    expect(again.counts).toMatchObject({ unchanged: 17, added: 0, updated: 0 });
    expect(imports()).toBe(before);
  });

  /**
   * A person's commits on main, made by the gate case and the plan case: written into the remote
   * as their push would leave them (`commitOn`), where a clone, commits and pushes took some
   * twenty git processes.
   */
  const bare = () => stage.server.pathOf(`content-${api}`);
  const commitOnMain = (message: string, files: Record<string, string>) => commitOn(bare(), 'main', message, files);

  it('stops at the gate when an answer searches a column that does not exist, naming the file, with nothing written', async () => {
    const file = `tml/answer/Sales-by-Region.${DEMO_GUIDS.answers[0]}.answer.tml`;
    commitOnMain('break an answer', { [file]: textAt(bare(), 'main', file).replace('search_query: "[Region] [Sales]"', 'search_query: "[Region] [Profit Margin]"') });
    const modified = new Map([...prod.objects.values()].map((o) => [o.id, o.modified]));
    const result = await cli(['deploy', '--config', configFile, '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(file);
    expect(result.stderr).toContain('Search did not find "[Profit Margin]"');
    expect(new Map([...prod.objects.values()].map((o) => [o.id, o.modified]))).toEqual(modified);
  });

  it('plans a change with the fields it touches, in Markdown and in the job summary', async () => {
    const broken = `tml/answer/Sales-by-Region.${DEMO_GUIDS.answers[0]}.answer.tml`;
    const file = `tml/answer/Sales-by-Category.${DEMO_GUIDS.answers[1]}.answer.tml`;
    commitOnMain('bar chart, and undo the broken answer', { [broken]: textAt(bare(), 'main~1', broken), [file]: textAt(bare(), 'main', file).replace('type: PIE', 'type: BAR') });
    const summary = join(work, 'summary.md');
    const { code, stdout } = await cli(['plan', '--config', configFile, '--env', 'prod', '--format', 'markdown'], { GITHUB_STEP_SUMMARY: summary });
    expect(code).toBe(0);
    expect(stdout, stdout).toContain('**0 create, 1 update, 0 delete, 0 conflict**, 16 unchanged');
    expect(stdout).toMatch(/\| update \| answer \| Sales by Category \| `answer->chart->type` \|/);
    expect(readFileSync(summary, 'utf8')).toBe(stdout);
    const [imports, exports] = [count('metadata/tml/import'), count('metadata/tml/export')];
    const deployed = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { counts: Record<string, number> };
    expect(deployed.counts).toMatchObject({ updated: 1, unchanged: 16 });
    // One changed file: VALIDATE_ONLY, the import, and the re-export that checks it — three write-path calls.
    expect([count('metadata/tml/import') - imports, count('metadata/tml/export') - exports]).toEqual([2, 1]);
  });

  it('reports drift when someone edits prod directly', async () => {
    const client = prodClient();
    const answer = [...prod.objects.values()].find((o) => o.name === 'Top 10 Products')!;
    const [exported] = await client.exportTml([answer.id]);
    const edoc = exported?.ok ? exported.edoc : '';
    await client.importTml([edoc.replace('search_query: "[Product] [Sales] top 10"', 'search_query: "[Product] [Sales] top 5"')], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
    const result = await cli(['export', '--config', configFile, '--env', 'prod', '--dry-run']);
    expect(result.stdout).toMatch(/drift in prod against [0-9a-f]{12}: 1 of 17 objects/);
    expect(result.stdout).toContain('changed answer "Top 10 Products"');
    expect(result.stdout).toContain('answer->search_query');
  });
});
