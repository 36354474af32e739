import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../src/emulator/state.js';
import { API_VERSIONS, clientOf, requestLog } from '../support/api.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { addProdConnection, PROD_MAPPINGS } from '../support/prod.js';

/** Not `admin`: the redactor scrubs the password from output, and `tsadmin` holds `admin`. */
const ADMIN_PASSWORD = 'Org-Admin-Pw1';

/** Everything of an Org that a run could change: its objects and its users' memberships. */
function snapshotOf(state: EmulatorState): string {
  const objects = [...state.objects.values()].map((o) => [o.id, o.modified, JSON.stringify(o.document)]).sort();
  const users = [...state.users.values()].map((u) => [u.name, u.id, [...u.groupNames].sort().join(',')]).sort();
  const groups = [...state.groups.values()].map((g) => [g.name, g.modified]).sort();
  return JSON.stringify({ objects, users, groups });
}

/**
 * Every GUID in the file names of a branch's tml/ folder, read from the bare repository: one
 * `ls-tree`, where a clone cost a clone and the server's upload-pack and pack-objects.
 */
function guidsOnBranch(bare: string, branch: string): string[] {
  return git(bare, 'ls-tree', '-r', '--name-only', branch, 'tml/').split('\n').map((file) => /\.([0-9a-f-]{36})\./.exec(file)![1]!);
}

/**
 * dev Org → prod Org on one instance (issue 13): the Primary Org holds the
 * demo seed, the Dev Org a copy of it under its own GUIDs, each version's
 * Prod Org only its own connection; the environments share the emulator's
 * URL. Both versions share the emulator, the Dev Org and the git server.
 */
const log = requestLog();
const stage = useStage('tmlsync-orgs-', { emulator: { orgs: ['Dev', ...API_VERSIONS.map((api) => `Prod ${api}`)], adminPassword: ADMIN_PASSWORD, logger: log.logger } });
const org = (name: string) => stage.emulator.instance.findOrg(name)!;

beforeAll(async () => {
  const { emulator } = stage;
  const primary = clientOf('v1', emulator.url, { password: ADMIN_PASSWORD });
  const exported = await primary.exportTml([...emulator.state.objects.keys()], { throwOnError: true });
  const dev = clientOf('v1', emulator.url, { password: ADMIN_PASSWORD, org: 'Dev' });
  await dev.importTml(exported.flatMap((r) => (r.ok ? [r.edoc] : [])), { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
  // A user of the Primary Org who is in Dev too (with Dev's own memberships).
  emulator.instance.addUserToOrg(org('Dev'), 'alex.analyst');
});

describe.each(API_VERSIONS)('promotion from Org Dev to Org Prod of one instance, over %s', (api) => {
  const work = join(stage.work, api);
  const prodName = `Prod ${api}`;
  let remote: string;
  let configFile: string;

  beforeAll(async () => {
    const { emulator, server } = stage;
    // Prod's Org by its id: an Org is named by name or number.
    const prod = clientOf('v1', emulator.url, { password: ADMIN_PASSWORD, org: String(org(prodName).org.id) });
    await addProdConnection(prod);
    remote = server.createRepo(`content-${api}`);
    configFile = join(stage.work, `tmlsync-${api}.yaml`);
    const common = `    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-${ADMIN_PASSWORD}}\n    api: ${api}\n`;
    const principals = '    principals:\n      initialPassword: ${TS_INITIAL:-Welcome-Prod-1}\n';
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n  dev:\n${common}    org: Dev\n    branch: dev\n    direction: export\n  prod:\n${common}    org: ${prodName.toLowerCase()}\n    branch: main\n    direction: deploy\n${principals}${PROD_MAPPINGS}  nowhere:\n${common}    org: Staging\n    branch: staging\n    direction: export\n`,
    );
  });

  it('exports only Org Dev: its objects and principals, none of the Primary Org\'s', async () => {
    const { emulator } = stage;
    const primaryBefore = snapshotOf(emulator.state);
    expect((await cli(['export', '--config', configFile, '--env', 'dev'])).code).toBe(0);
    const bare = stage.server.pathOf(`content-${api}`);
    const guids = guidsOnBranch(bare, 'dev');
    expect(guids.sort()).toEqual([...org('Dev').objects.keys()].sort());
    expect(guids.filter((g) => emulator.state.objects.has(g))).toEqual([]);
    const principals = git(bare, 'show', 'dev:principals/principals.yaml');
    expect(principals).toContain('alex.analyst');
    expect(principals).not.toContain('dana.engineer');
    expect(principals).not.toContain('Analysts');
    expect(snapshotOf(emulator.state)).toBe(primaryBefore);
  });

  it('deploys into Org Prod under its own GUIDs with the mappings, touching neither Dev nor the Primary Org', async () => {
    const { emulator } = stage;
    git(stage.server.pathOf(`content-${api}`), 'branch', '-f', 'main', 'dev');
    const [primaryBefore, devBefore] = [snapshotOf(emulator.state), snapshotOf(org('Dev'))];
    const alexInPrimary = emulator.state.users.get('alex.analyst')!;

    const deployed = await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
    expect(deployed.stderr).toBe('');
    expect(JSON.parse(deployed.stdout)).toMatchObject({ outcome: 'ok', counts: { added: 17, failed: 0 } });

    const prod = org(prodName);
    const objects = [...prod.objects.values()];
    expect(objects).toHaveLength(18);
    expect(objects.filter((o) => org('Dev').objects.has(o.id) || emulator.state.objects.has(o.id))).toEqual([]);
    const prodConnection = objects.find((o) => o.kind === 'connection')!;
    const table = objects.find((o) => o.name === 'fact_sales')!;
    expect(table.document.table).toMatchObject({ db: 'RETAIL_PROD', schema: 'ANALYTICS', connection: { name: 'Retail Warehouse PROD', fqn: prodConnection.id } });
    // Principals of the Org: alex.analyst joins Prod as the same user, and keeps his Primary Org memberships.
    expect(prod.users.get('alex.analyst')).toMatchObject({ id: alexInPrimary.id });
    expect(snapshotOf(emulator.state)).toBe(primaryBefore);
    expect(snapshotOf(org('Dev'))).toBe(devBefore);
  });

  // A test of its own: two deploys in one would near the 20 s limit on a busy machine.
  it('writes nothing on a second deploy of the same commit', async () => {
    const prod = org(prodName);
    const imports = () => log.requests.filter((r) => r.path?.endsWith('/metadata/tml/import')).length;
    const before = imports();
    expect(before).toBeGreaterThan(0); // the log sees imports, so an unchanged count below means the deploy made none
    const prodBefore = snapshotOf(prod);
    const again = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { counts: Record<string, number> };
    expect(again.counts).toMatchObject({ unchanged: 17, added: 0, updated: 0 });
    expect(imports()).toBe(before);
    expect(snapshotOf(prod)).toBe(prodBefore);
  });

  it('refuses an Org the user is not in, naming the Org and the user, with exit 2', async () => {
    const result = await cli(['export', '--config', configFile, '--env', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Org Staging');
    expect(result.stderr).toContain('user tsadmin');
  });
});
