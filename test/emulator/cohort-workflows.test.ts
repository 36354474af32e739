import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { cli } from '../support/cli.js';
import { commitOn } from '../support/commits.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';
import { raw } from './raw-http.js';

/**
 * Issue 18 item 2, end to end over v1 and v2: an export of an instance holding cohorts (Sets)
 * writes them; a deploy of a repository holding the cohorts and the model they stand on imports
 * the model first; and with prune on, the cohorts whose files left the repository are deleted,
 * before the model they stand on. One emulator and one git server for the file; each version
 * works in Orgs of its own. The deploy goes through a recording proxy on loopback, which keeps
 * the TML of each import call and the objects of each delete call in the order sent (the emulator
 * sorts an import batch by itself, so its outcome alone would not show the order).
 */
const realTml = new URL('../fixtures/real-tml/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, realTml), 'utf8');
const COHORTS = ['cohort/thoughtspot_tml--DUMMY_ADVANCED.cohort..tml', 'cohort/thoughtspot_tml--DUMMY_SIMPLE.cohort.tml'];
const MODEL = 'model:\n  name: (Sample) Retail - Apparel\n  model_tables: []\n  columns: []\n';
/** A model nothing stands on, so that the repository keeps an object when the cohorts and their model leave it (prune refuses an empty tml/). */
const OTHER_MODEL = 'model:\n  name: Unrelated\n  model_tables: []\n  columns: []\n';
const withoutGuid = (text: string) => text.replace(/^guid: .*\n/m, '');

let emulator: RunningEmulator;
let server: GitServer;
let proxy: Server;
let proxyUrl: string;
/** The `import_objects` / `metadata_tmls` of each import call through the proxy, in order. */
const imported: string[][] = [];
/** The GUIDs of each delete call through the proxy, in order. */
const deleted: string[][] = [];
const work = mkdtempSync(join(tmpdir(), 'tmlsync-cohorts-'));

/** Forwards every request to the emulator, keeping the TML each import call sends. */
function recordingProxy(target: URL): Server {
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (/metadata\/tml\/import$/.test(req.url ?? '')) imported.push(importedTexts(body.toString('utf8')));
      if (/metadata\/delete$/.test(req.url ?? '')) deleted.push(deletedIds(body.toString('utf8')));
      const forward = request(new URL(req.url ?? '/', target), { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.end(body);
    });
  });
}

function importedTexts(body: string): string[] {
  if (body.startsWith('{')) return (JSON.parse(body) as { metadata_tmls: string[] }).metadata_tmls;
  return JSON.parse(new URLSearchParams(body).get('import_objects') ?? '[]') as string[];
}

function deletedIds(body: string): string[] {
  if (body.startsWith('{')) return (JSON.parse(body) as { metadata: { identifier: string }[] }).metadata.map((m) => m.identifier);
  return JSON.parse(new URLSearchParams(body).get('id') ?? '[]') as string[];
}

beforeAll(async () => {
  [emulator, server] = await Promise.all([startEmulator({ seed: 'none' }), startGitServer()]);
  proxy = recordingProxy(new URL(emulator.url));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy.close(resolve));
  await Promise.all([emulator.close(), server.close()]);
  rmSync(work, { recursive: true, force: true });
});

describe.each(['v1', 'v2'] as const)('cohorts through export and deploy, over %s', (api) => {
  const dev = `cohorts-dev-${api}`;
  const prod = `cohorts-prod-${api}`;
  let remote: string;
  let config: string;

  beforeAll(async () => {
    for (const org of [dev, prod]) emulator.instance.createOrg(org);
    // dev holds the model and both Sets, imported as another client would.
    const login = await raw(emulator.url, 'POST', 'session/login', { form: { username: 'tsadmin', password: 'admin', orgid: String(emulator.instance.findOrg(dev)!.org.id) } });
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const seeded = await raw(emulator.url, 'POST', 'metadata/tml/import', { cookie, form: { import_objects: JSON.stringify([MODEL, OTHER_MODEL, ...COHORTS.map(read)]) } });
    expect(seeded.status).toBe(200);
    remote = server.createRepo(`cohorts-${api}`);
    config = join(work, `tmlsync-${api}.yaml`);
    const environment = (name: string, url: string, org: string, branch: string, direction: string) =>
      `  ${name}:\n    url: ${url}\n    org: ${org}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: ${branch}\n    direction: ${direction}\n    api: ${api}\n`;
    const prune = '    prune: true\n';
    writeFileSync(config, `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nenvironments:\n${environment('dev', emulator.url, dev, 'dev', 'export')}${environment('prod', proxyUrl, prod, 'main', 'deploy')}${prune}`);
  });

  it('exports the cohorts of the instance beside their model', async () => {
    const exported = await cli(['export', '--config', config, '--env', 'dev', '--format', 'json']);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const bare = server.pathOf(`cohorts-${api}`);
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'dev').split('\n').filter((f) => f.startsWith('tml/'));
    const cohortFiles = files.filter((f) => f.startsWith('tml/cohort/')).sort();
    expect(cohortFiles).toHaveLength(2);
    expect(files.filter((f) => f.startsWith('tml/model/'))).toHaveLength(2);
    // Each Set as ThoughtSpot exported it, but for the instance's GUIDs (unique across Orgs) and
    // the fqn of the model it stands on, which an export adds to every reference.
    const model = [...emulator.instance.findOrg(dev)!.objects.values()].find((o) => o.kind === 'model' && o.name !== 'Unrelated')!;
    const written = cohortFiles.map((f) => git(bare, 'show', `dev:${f}`) + '\n');
    for (const text of written) expect(text).toContain(`fqn: ${model.id}\n`);
    const withoutFqn = (text: string) => text.replaceAll(new RegExp(`^ +fqn: ${model.id}\n`, 'gm'), '');
    expect(written.map((text) => withoutFqn(withoutGuid(text))).sort()).toEqual(COHORTS.map((file) => withoutGuid(read(file))).sort());
  });

  it('deploys a repository holding the cohorts and their model, the model imported first', async () => {
    git(server.pathOf(`cohorts-${api}`), 'branch', 'main', 'dev');
    imported.length = 0;
    const deployed = await cli(['deploy', '--config', config, '--env', 'prod', '--format', 'json']);
    expect(deployed.stderr).toBe('');
    expect(JSON.parse(deployed.stdout)).toMatchObject({ outcome: 'ok', counts: { added: 4, failed: 0 } });
    const kinds = imported.flat().map((text) => /^(model|cohort):/m.exec(text)?.[1]);
    expect(kinds.indexOf('model')).toBeGreaterThanOrEqual(0);
    expect(kinds.indexOf('model')).toBeLessThan(kinds.indexOf('cohort'));
    const objects = [...emulator.instance.findOrg(prod)!.objects.values()];
    expect(objects.map((o) => o.kind).sort()).toEqual(['cohort', 'cohort', 'model', 'model']);
  });

  /**
   * Removes files from `main`, written into the repository as a person's commit would leave it
   * (`commitOn`: one git process to list the files and one to commit, where a clone, a
   * removal, a commit and a push took some ten).
   */
  function removeFromMain(match: (file: string) => boolean): string[] {
    const bare = server.pathOf(`cohorts-${api}`);
    const gone = git(bare, 'ls-tree', '-r', '--name-only', 'main', '--', 'tml').split('\n').filter(match);
    commitOn(bare, 'main', `remove ${gone.length} files`, Object.fromEntries(gone.map((file) => [file, null])));
    return gone;
  }

  const prodObjects = () => [...emulator.instance.findOrg(prod)!.objects.values()];
  async function deployProd(): Promise<{ counts: Record<string, number>; objects: { kind: string; name: string; outcome: string }[] }> {
    const result = await cli(['deploy', '--config', config, '--env', 'prod', '--format', 'json']);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as { counts: Record<string, number>; objects: { kind: string; name: string; outcome: string }[] };
  }

  it('prunes the cohorts whose files left the repository, before the model they stand on', async () => {
    const ids = Object.fromEntries(prodObjects().map((o) => [o.name, o.id]));
    deleted.length = 0;
    expect(removeFromMain((file) => file.includes('/cohort/') || file.includes('Sample'))).toHaveLength(3);
    const report = await deployProd();
    expect(report.counts).toMatchObject({ deleted: 3, failed: 0 });
    expect(report.objects.filter((o) => o.outcome === 'deleted').map((o) => `${o.kind} ${o.name}`).sort()).toEqual(['cohort First Purchase Date', 'cohort Region Groupings', 'model (Sample) Retail - Apparel']);
    // One delete call per layer: the Sets first, then the model they stood on (the emulator, as
    // ThoughtSpot, refuses to delete a model that an object it keeps still uses).
    expect(deleted.map((call) => [...call].sort())).toEqual([[ids['First Purchase Date'], ids['Region Groupings']].sort(), [ids['(Sample) Retail - Apparel']]]);
    expect(prodObjects().map((o) => `${o.kind} ${o.name}`)).toEqual(['model Unrelated']);
  });
});
