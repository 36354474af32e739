import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../src/emulator/state.js';
import { clientOf } from '../support/api.js';
import { cli } from '../support/cli.js';
import { commitOn } from '../support/commits.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';

/**
 * Object ids (issue 13, item 3), over one emulator and one git server for
 * both API versions: each version gets Orgs of its own. Over v2 a file with
 * an `obj_id` is the target's object with that obj_id, even where tmlsync
 * never deployed (no ledger); over v1 there are no obj_ids, the ledger alone
 * decides, and the deploy says so.
 */
const stage = useStage('tmlsync-objids-');

const CANONICAL = '2a8f3e41-0c6b-4f7e-9a51-6d1f0b9c7e21';
const COPY = '9d3c7b52-4e1a-4c8d-b0f6-3a2e9f8d1c04';
const CONNECTION = 'connection:\n  name: Conn\n  type: RDBMS_SNOWFLAKE\n  authentication_type: SERVICE_ACCOUNT\n  properties: []\n';

/** A table over Conn; with `objId`, its obj_id after its guid, where ThoughtSpot writes it. */
function table(name: string, options: { guid?: string; objId?: string; description?: string } = {}): string {
  const identity = `${options.guid ? `guid: ${options.guid}\n` : ''}${options.objId ? `obj_id: ${options.objId}\n` : ''}`;
  const description = options.description ? `  description: ${options.description}\n` : '';
  return `${identity}table:\n  name: ${name}\n${description}  db: D\n  schema: S\n  db_table: ORDERS\n  connection:\n    name: Conn\n  columns:\n  - name: Id\n    db_column_name: ID\n    properties:\n      column_type: ATTRIBUTE\n    db_column_properties:\n      data_type: INT64\n`;
}

const tables = (org: EmulatorState) => [...org.objects.values()].filter((o) => o.kind === 'table');

describe.each(['v1', 'v2'] as const)('object ids over %s', (api) => {
  let configFile: string;
  let remote: string;
  let target: EmulatorState;
  let assign: EmulatorState;
  let gitIntegration: EmulatorState;
  const work = join(stage.work, api);

  /**
   * Commits `files` (path → text) on `branch`, on main's last commit, as the repository's whole
   * tml/ folder: written into the remote as a person's push would leave it (`commitOn`, one
   * git process, where a clone, a checkout, an add, a commit and a push took some fifteen).
   */
  function pushFiles(files: Record<string, string>, message: string, branch = 'main'): void {
    const bare = stage.server.pathOf(`content-${api}`);
    // fast-import writes the branch as a loose ref, and nothing here packs the remote's refs.
    commitOn(bare, branch, message, { tml: null, ...files }, existsSync(join(bare, 'refs', 'heads', 'main')) ? 'main' : null);
  }

  beforeAll(async () => {
    mkdirSync(work, { recursive: true });
    const { emulator, server } = stage;
    target = emulator.instance.createOrg(`Target-${api}`);
    assign = emulator.instance.createOrg(`Assign-${api}`);
    gitIntegration = emulator.instance.createOrg(`GitIntegration-${api}`);
    // The target Org holds the table already, made there (not by tmlsync) under its own GUID and with an obj_id.
    await clientOf('v2', emulator.url, { org: target.org.name }).importTml([CONNECTION, table('Orders', { objId: 'orders' })], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    await clientOf('v2', emulator.url, { org: gitIntegration.org.name }).importTml([CONNECTION, table('Orders', { objId: 'orders' })], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    await clientOf('v2', emulator.url, { org: assign.org.name }).importTml([CONNECTION, table('Orders')], { policy: 'ALL_OR_NONE', forceCreate: false, throwOnError: true });
    remote = server.createRepo(`content-${api}`);
    configFile = join(work, 'tmlsync.yaml');
    const common = `    url: ${emulator.url}\n    username: tsadmin\n    password: admin\n    api: ${api}\n`;
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n` +
        `  prod:\n${common}    org: ${target.org.name}\n    branch: main\n    direction: deploy\n` +
        `  assign:\n${common}    org: ${assign.org.name}\n    branch: assign\n    direction: export\n` +
        `  gitint:\n${common}    org: ${gitIntegration.org.name}\n    branch: gitint\n    direction: deploy\n`,
    );
    pushFiles({ [`tml/table/orders.${CANONICAL}.table.tml`]: table('Orders', { guid: CANONICAL, objId: 'orders', description: 'From git' }) }, 'the orders table, with its obj_id');
  });

  it('matches a file to the object with its obj_id in a target never deployed to, and updates it; a rename keeps it', async () => {
    const [existing] = tables(target);
    const deploy = () => cli(['--log-level', 'warn', 'deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
    if (api === 'v1') {
      // No obj_ids over v1: the ledger decides, there is none, and the target holds a table of that name.
      const refused = await deploy();
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('this API (v1) has no object ids');
      expect(refused.stderr).toContain('the deploy ledger of prod');
      expect(tables(target)).toEqual([existing]);
      return;
    }
    const plan = await cli(['plan', '--config', configFile, '--env', 'prod']);
    expect(plan.stdout, plan.stderr).toContain(`update   table "Orders" (tml/table/orders.${CANONICAL}.table.tml) [by obj_id]`);
    const first = await deploy();
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ counts: { added: 0, updated: 1 } });
    expect(tables(target).map((t) => [t.id, t.objId, t.document.table])).toEqual([[existing!.id, 'orders', expect.objectContaining({ name: 'Orders', description: 'From git' })]]);

    pushFiles({ [`tml/table/orders.${CANONICAL}.table.tml`]: table('Orders 2027', { guid: CANONICAL, objId: 'orders', description: 'From git' }) }, 'renamed');
    const renamed = await deploy();
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(tables(target).map((t) => [t.id, t.name, t.objId])).toEqual([[existing!.id, 'Orders 2027', 'orders']]);
  });

  it('stops with exit 2 naming both files when two files carry one obj_id', async () => {
    const before = JSON.stringify(tables(target));
    pushFiles(
      {
        [`tml/table/orders.${CANONICAL}.table.tml`]: table('Orders 2027', { guid: CANONICAL, objId: 'orders' }),
        [`tml/table/orders-copy.${COPY}.table.tml`]: table('Orders copy', { guid: COPY, objId: 'orders' }),
      },
      'a copy that kept the obj_id',
    );
    const result = await cli(['deploy', '--config', configFile, '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`duplicate obj_id orders: tml/table/orders-copy.${COPY}.table.tml and tml/table/orders.${CANONICAL}.table.tml carry it`);
    expect(JSON.stringify(tables(target))).toBe(before);
  });

  it("deploys files with an obj_id and no guid (ThoughtSpot's Git integration) by their obj_id over v2; names them with exit 2 over v1", async () => {
    const [existing] = tables(gitIntegration);
    pushFiles({ 'tml/table/Orders.table.tml': table('Orders', { objId: 'orders', description: 'From the Git integration' }) }, 'an obj_id-only file', 'gitint');
    const deploy = () => cli(['--log-level', 'warn', 'deploy', '--config', configFile, '--env', 'gitint', '--format', 'json']);
    const first = await deploy();
    if (api === 'v1') {
      expect(first.code).toBe(2);
      expect(first.stderr).toContain('tml/table/Orders.table.tml: table "Orders" has an obj_id (orders) and no guid, and this environment is reached over REST API v1, which has no object ids');
      expect(tables(gitIntegration)).toEqual([existing]);
      return;
    }
    expect(first.code, first.stderr).toBe(0);
    // Exported back, the table names its connection with the fqn the file leaves out: not drift.
    expect(JSON.parse(first.stdout)).toMatchObject({ outcome: 'ok', counts: { added: 0, updated: 1 }, drift: [] });
    expect(first.stderr).not.toContain('differs when exported back');
    expect(tables(gitIntegration).map((t) => [t.id, t.objId, t.document.table])).toEqual([[existing!.id, 'orders', expect.objectContaining({ description: 'From the Git integration' })]]);
    // Tracked by its obj_id: the same commit again writes nothing.
    expect(JSON.parse((await deploy()).stdout)).toMatchObject({ counts: { unchanged: 1, updated: 0, added: 0 } });
  });

  it('assigns obj_ids from kind and name (v2), which the next export writes; refuses over v1', async () => {
    const dry = await cli(['assign-obj-ids', '--config', configFile, '--env', 'assign', '--dry-run']);
    if (api === 'v1') {
      expect(dry.code).toBe(2);
      expect(dry.stderr).toContain("reached over ThoughtSpot's REST API v1, which has no object ids");
      return;
    }
    expect(dry.stdout, dry.stderr).toContain('would assign 1 object id');
    expect(dry.stdout).toContain('table-orders');
    expect(tables(assign)[0]!.objId).toBeUndefined();
    expect((await cli(['assign-obj-ids', '--config', configFile, '--env', 'assign'])).code).toBe(0);
    expect(tables(assign).map((t) => t.objId)).toEqual(['table-orders']);

    expect((await cli(['export', '--config', configFile, '--env', 'assign'])).code).toBe(0);
    const clone = join(work, 'exported');
    git(work, 'clone', '--quiet', '-b', 'assign', remote, clone);
    const [file] = readdirSync(join(clone, 'tml', 'table'));
    expect(readFileSync(join(clone, 'tml', 'table', file!), 'utf8')).toMatch(/^guid: [0-9a-f-]{36}\nobj_id: table-orders\ntable:\n/);
  });
});
