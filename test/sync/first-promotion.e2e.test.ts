import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { ensureBareRepo, GitRepo } from '../../src/git/index.js';
import { runDeploy } from '../../src/sync/deploy/deploy.js';
import { runExport } from '../../src/sync/export/export.js';
import { KIND_LISTINGS } from '../../src/tml/index.js';
import { API_VERSIONS, clientOf, requestLog } from '../support/api.js';
import { useStage } from '../support/stage.js';

/** Generated objects of each of 7 kinds, in three dependency levels: tables and SQL views (20); models and worksheets (20); views, answers and liveboards, which use the models (30). */
const SCALE = 10;
/** Batches of 25: the last level's two in flight together; over v2 a batch of 25 is asynchronous. */
const BATCH = 25;
const COMMITTER = { name: 'tmlsync test', email: 'test@localhost' };
const CONNECTION = 'connection:\n  name: Scale Warehouse\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';

const log = requestLog();
const stage = useStage('tmlsync-first-promotion-', { emulator: { seed: 'none', seedScale: SCALE, orgs: API_VERSIONS.map((api) => `Promotion ${api}`), logger: log.logger }, gitServer: false });
const remote = join(stage.work, 'remote.git');
let sourceNames: string[];

beforeAll(async () => {
  const { emulator, work } = stage;
  sourceNames = [...emulator.state.objects.values()].map((o) => `${o.kind} ${o.name}`).sort();
  await ensureBareRepo(remote);
  const repo = await GitRepo.open(join(work, 'source'), { remoteUrl: remote, committer: COMMITTER });
  const exported = await runExport({ environment: { name: 'source', branch: 'main' }, thoughtspot: thoughtspotPort(clientOf('v1', emulator.url)), repo, committer: COMMITTER });
  expect(exported.outcome).toBe('ok');
});

/** The deploy of a whole repository into an empty Org of the shared emulator (issue 16, first promotion). */
describe.each(API_VERSIONS)('first promotion into an empty environment, over %s', (api) => {
  it('creates every object with one listing of the target, and one import call per batch of each dependency level', async () => {
    const { emulator, work } = stage;
    const org = emulator.instance.findOrg(`Promotion ${api}`)!;
    const client = clientOf(api, emulator.url, { org: String(org.org.id) });
    await client.importTml([CONNECTION], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    const before = { listing: log.count(api, 'listing'), imports: log.count(api, 'tmlImport'), async: log.count(api, 'asyncImport') };

    const repo = await GitRepo.open(join(work, `target-${api}`), { remoteUrl: remote, committer: COMMITTER });
    const report = await runDeploy({ environment: { name: `promotion-${api}`, branch: 'main' }, thoughtspot: thoughtspotPort(client), repo, batchSize: BATCH });

    expect(report).toMatchObject({ outcome: 'ok', counts: { added: 7 * SCALE, failed: 0 }, drift: [] });
    expect([...org.objects.values()].map((o) => `${o.kind} ${o.name}`).sort()).toEqual(sourceNames);
    // One listing of the target, a page per kind, shared by every phase of the deploy.
    expect(log.count(api, 'listing') - before.listing).toBe(KIND_LISTINGS.length);
    // VALIDATE_ONLY: 70 objects in batches of 25 (3); imports: a batch per level and its rest (levels of 20, 20 and 30: 1 + 1 + 2).
    expect(log.count(api, 'tmlImport') - before.imports).toBe(3 + 4);
    // Of those imports one holds 25 documents (the level of 30's first batch): over v2 it goes in
    // the background (async import from 25 documents). v1 has no async endpoint: its imports are
    // all `metadata/tml/import`, counted on the line above.
    if (api === 'v2') expect(log.count(api, 'asyncImport') - before.async).toBe(1);
  });
});
