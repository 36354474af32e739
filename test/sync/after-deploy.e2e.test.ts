import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { Daemon } from '../../src/daemon/index.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { createLogger, Redactor } from '../../src/log/index.js';
import type { DataCheck } from '../../src/sync/deploy/checks.js';
import type { OwnerChange } from '../../src/sync/deploy/ownership.js';
import type { SnapshotReport } from '../../src/sync/snapshot.js';
import { HostQueues, ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { cli } from '../support/cli.js';
import { commitOn, textAt } from '../support/commits.js';
import { git } from '../support/git-server.js';
import { copyRemote, exportedRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, requestLog } from '../support/api.js';
import { addProdConnection } from '../support/prod.js';
import { deployLedgerIn } from '../support/ledger.js';

/**
 * After the import (issue 7): owners set per kind, path and object with
 * `user/transfer/ownership` (v2: `security/metadata/assign`), and data
 * checks of what was deployed. The demo emulator is dev; prod starts empty
 * but for its connection and three users, and fails the data of any
 * visualization named "Broken Tile".
 */
const stage = useStage('tmlsync-after-deploy-');
/** dev's content, exported once; each version deploys a copy of it. Pushes to the copies skip `gc --auto`. */
let seed: string;
beforeAll(async () => {
  seed = await exportedRemote(stage);
});

describe.each(API_VERSIONS)('after a deploy: owners, data checks and snapshots, over %s', (api) => {
  const work = join(stage.work, api);
  let prod: RunningEmulator;
  const prodLog = requestLog();
  let remote: string;
  const configFile = join(stage.work, `tmlsync-${api}.yaml`);
  const USERS = ['dana.engineer', 'alex.analyst', 'erin.exec'];

  /** prod alone: dev's content is in the seed, and a dev environment here would only add an export to the daemon's start-up. */
  function writeConfig(prodExtra: string): void {
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nserver:\n  port: 0\nenvironments:\n  prod:\n    url: ${prod.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n    schedule: "0 0 1 1 *"\n    mappings:\n      connections: { "Retail Warehouse": "Retail Warehouse PROD" }\n${prodExtra}`,
    );
  }

  const OWNERSHIP = `    ownership:\n      kinds: { liveboard: dana.engineer }\n      paths: { "tml/answer/Sales-by-*": erin.exec }\n      objects: { ${DEMO_GUIDS.model}: alex.analyst }\n`;

  const calls = (call: Parameters<typeof prodLog.count>[1]) => prodLog.count(api, call);
  const ownerOf = (name: string) => {
    const object = [...prod.state.objects.values()].find((o) => o.name === name)!;
    return [...prod.state.users.values()].find((u) => u.id === object.author)?.name;
  };

  /**
   * Edits files of main and commits the edit on it, written into the remote as a person's push
   * would leave it (`commitOn`): a clone, a commit and a push were some fifteen git processes.
   */
  function change(name: string, edit: (read: (file: string) => string, write: (file: string, text: string) => void) => void): void {
    const bare = stage.server.pathOf(`content-${api}`);
    const written: Record<string, string> = {};
    edit(
      (file) => written[file] ?? textAt(bare, 'main', file),
      (file, text) => void (written[file] = text),
    );
    commitOn(bare, 'main', name, written);
  }

  const board = (name: string, guid: string) => `tml/liveboard/${name}.${guid}.liveboard.tml`;
  const MODEL = `tml/model/Retail-Sales.${DEMO_GUIDS.model}.model.tml`;
  const WORKSHEET = `tml/worksheet/Retail-Sales-Worksheet.${DEMO_GUIDS.worksheet}.worksheet.tml`;

  beforeAll(async () => {
    prod = await startEmulator({
      seed: 'none',
      guidPolicy: 'regenerate',
      failingVisualizations: ['Broken Tile'],
      logger: prodLog.logger,
    });
    const admin = new ThoughtSpotClient({ url: prod.url, username: 'tsadmin', password: 'admin', env: {} });
    await addProdConnection(admin);
    await admin.syncUsers({
      principals: USERS.map((name) => ({ name, displayName: name, principalTypeEnum: 'LOCAL_USER', groupNames: [] })),
      applyChanges: true,
      removeDeleted: false,
      password: 'first-Password-1',
    });
    mkdirSync(work);
    remote = copyRemote(stage.server, seed, `content-${api}`);
  });
  afterAll(async () => {
    await prod.close();
  });

  describe('ownership of deployed objects', () => {
    it('plans the owners, sets them per kind, path and object after the import, and re-sends none when nothing changed', async () => {
      writeConfig(OWNERSHIP);
      const plan = await cli(['plan', '--config', configFile, '--env', 'prod', '--format', 'json']);
      expect(plan.code, plan.stderr).toBe(0);
      const planned = (JSON.parse(plan.stdout) as { ownership: OwnerChange[] }).ownership;
      expect(planned.map((c) => `${c.name}: ${c.from} → ${c.to}`).sort()).toEqual([
        'Product Insights: tsadmin → dana.engineer',
        'Retail Overview: tsadmin → dana.engineer',
        'Retail Sales: tsadmin → alex.analyst',
        'Sales by Category: tsadmin → erin.exec',
        'Sales by Region: tsadmin → erin.exec',
        'Sales by Segment: tsadmin → erin.exec',
        'Store Performance: tsadmin → dana.engineer',
      ]);
      const text = await cli(['plan', '--config', configFile, '--env', 'prod']);
      expect(text.stdout).toContain('owner    liveboard "Retail Overview" (tml/liveboard/Retail-Overview.');
      expect(text.stdout).toContain('tsadmin → dana.engineer');
      const markdown = await cli(['plan', '--config', configFile, '--env', 'prod', '--format', 'markdown']);
      expect(markdown.stdout).toContain('**7 changes of owner**');
      expect(markdown.stdout).toContain('| model | Retail Sales | tsadmin | alex.analyst |');
      const dry = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--dry-run', '--format', 'json'])).stdout) as { ownership: OwnerChange[] };
      expect(dry.ownership.map((c) => c.status)).toEqual(Array(7).fill('planned'));
      expect(calls('ownership')).toBe(0);

      const deployed = await cli(['deploy', '--config', configFile, '--env', 'prod']);
      expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
      expect(deployed.stdout).toContain('owner set liveboard "Store Performance"');
      expect(['Retail Overview', 'Store Performance', 'Product Insights'].map(ownerOf)).toEqual(['dana.engineer', 'dana.engineer', 'dana.engineer']);
      expect(['Sales by Region', 'Sales by Category', 'Sales by Segment'].map(ownerOf)).toEqual(['erin.exec', 'erin.exec', 'erin.exec']);
      expect(ownerOf('Retail Sales')).toBe('alex.analyst');
      expect(['Top 10 Products', 'fact_sales', 'Retail Sales Worksheet'].map(ownerOf)).toEqual(['tsadmin', 'tsadmin', 'tsadmin']);
      // One call per pair of users.
      expect(calls('ownership')).toBe(3);

      const writes = () => [calls('ownership'), calls('tmlImport')];
      const before = writes();
      const again = JSON.parse((await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json'])).stdout) as { outcome: string; counts: Record<string, number>; ownership: OwnerChange[] };
      expect(again).toMatchObject({ outcome: 'ok', counts: { unchanged: 17 }, ownership: [] });
      expect(writes()).toEqual(before);
    });

    it('applies a changed policy without a content change, and names an owner who is not a user', async () => {
      writeConfig(OWNERSHIP.replace('liveboard: dana.engineer', 'liveboard: alex.analyst'));
      const moved = await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
      expect(moved.code).toBe(0);
      expect((JSON.parse(moved.stdout) as { ownership: OwnerChange[] }).ownership.map((c) => [c.name, c.from, c.to, c.status])).toEqual([
        ['Product Insights', 'dana.engineer', 'alex.analyst', 'transferred'],
        ['Retail Overview', 'dana.engineer', 'alex.analyst', 'transferred'],
        ['Store Performance', 'dana.engineer', 'alex.analyst', 'transferred'],
      ]);
      expect(ownerOf('Product Insights')).toBe('alex.analyst');

      writeConfig(OWNERSHIP.replace('liveboard: dana.engineer', 'liveboard: nobody.here'));
      const failed = await cli(['deploy', '--config', configFile, '--env', 'prod']);
      expect(failed.code).toBe(1);
      expect(failed.stdout).toContain('owner failed liveboard "Retail Overview"');
      expect(failed.stdout).toContain('the configured owner "nobody.here" is not a user of this environment');
      expect(ownerOf('Retail Overview')).toBe('alex.analyst');
    });
  });

  describe('data checks after a deploy', () => {
    it('checks every visualization of a deployed liveboard and a search over each deployed worksheet and model', async () => {
      writeConfig(`    dataChecks:\n      searches:\n        objects: { ${DEMO_GUIDS.worksheet}: "[Region] [Sales] top 3" }\n`);
      change('touch-three', (read, write) => {
        const store = board('Store-Performance', DEMO_GUIDS.liveboards[1]);
        write(store, read(store).replace(/^( {2}name: .*)$/m, '$1\n  description: checked'));
        write(MODEL, read(MODEL).replace('Retail sales as a model.', 'Retail sales as a model, checked.'));
        write(WORKSHEET, read(WORKSHEET).replace('(worksheet form).', '(worksheet form), checked.'));
      });
      const result = await cli(['deploy', '--config', configFile, '--env', 'prod', '--format', 'json']);
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const checks = (JSON.parse(result.stdout) as { checks: DataCheck[] }).checks;
      expect(checks.map((c) => [c.name, c.visualization ?? c.query, c.status])).toEqual([
        ['Store Performance', 'Sales by Store', 'ok'],
        ['Store Performance', 'Sales by Region', 'ok'],
        ['Store Performance', 'Quantity by State', 'ok'],
        ['Retail Sales', '[Product] [Quantity]', 'ok'],
        ['Retail Sales Worksheet', '[Region] [Sales] top 3', 'ok'],
      ]);
      expect(checks.at(-1)!.rows).toBe(3);
    });

    it('fails the run naming the liveboard and visualization whose data fails, and warns on an empty result', async () => {
      writeConfig(`    dataChecks:\n      searches:\n        objects: { ${DEMO_GUIDS.worksheet}: "[Region] [Profit Margin]" }\n        paths: { "tml/model/**": "[Region] [Sales] [Region] = 'Atlantis'" }\n`);
      change('break-a-tile', (read, write) => {
        const store = board('Store-Performance', DEMO_GUIDS.liveboards[1]);
        write(store, read(store).replace('name: Sales by Store', 'name: Broken Tile'));
        const insights = board('Product-Insights', DEMO_GUIDS.liveboards[2]);
        write(insights, read(insights).replace('search_query: "[Category] [Sales]"', `search_query: "[Category] [Sales] [Category] = 'Atlantis'"`));
        write(MODEL, read(MODEL).replace('model, checked.', 'model, checked again.'));
        write(WORKSHEET, read(WORKSHEET).replace('form), checked.', 'form), checked again.'));
      });
      const result = await cli(['deploy', '--config', configFile, '--env', 'prod']);
      expect(result.code, result.stdout + result.stderr).toBe(1);
      expect(result.stdout).toMatch(/^deploy prod: failed, 0 added, 4 updated/);
      expect(result.stdout).toContain('data checks: 4 ok, 2 empty, 2 failed');
      expect(result.stdout).toContain('check failed: liveboard "Store Performance", visualization "Broken Tile" (tml/liveboard/Store-Performance.');
      expect(result.stdout).toContain('Query of visualization Broken Tile failed in the warehouse');
      expect(result.stdout).toContain('warning: liveboard "Product Insights", visualization "Sales by Category"');
      expect(result.stdout).toContain(`warning: model "Retail Sales", search [Region] [Sales] [Region] = 'Atlantis'`);
      expect(result.stdout).toMatch(/check failed: worksheet "Retail Sales Worksheet", search \[Region\] \[Profit Margin\] \(tml\/worksheet\/.*\): ThoughtSpot searchdata failed with HTTP 400.*Profit Margin/);
      expect(result.stderr).toBe('');
      // The commit did not pass: the ledger does not record it as deployed, so no pipeline stage promotes it (issue 13, item 4).
      const bare = stage.server.pathOf(`content-${api}`);
      const ledger = await deployLedgerIn(bare);
      expect(ledger.deployedCommit).toBeDefined();
      expect(ledger.deployedCommit).not.toBe(git(bare, 'rev-parse', 'main'));
    });

    it('shows the last deploy’s checks on the daemon’s /status', async () => {
      writeConfig('');
      change('another-change', (read, write) => {
        const insights = board('Product-Insights', DEMO_GUIDS.liveboards[2]);
        write(insights, read(insights).replace(/^( {2}name: .*)$/m, '$1\n  description: once more'));
      });
      const redactor = new Redactor();
      const daemon = new Daemon(loadConfig(configFile, { env: {} }), { log: createLogger({ level: 'silent' }), redactor, queues: new HostQueues(), env: {} });
      const http = await daemon.start();
      try {
        await daemon.idle();
        const status = (await (await fetch(`${http.url}/status`)).json()) as { environments: { name: string; api?: string; lastRun?: { outcome: string; checks?: unknown } }[] };
      expect(status.environments.find((e) => e.name === 'prod')!.api).toBe(api);
        expect(status.environments.find((e) => e.name === 'prod')!.lastRun).toMatchObject({
          outcome: 'ok',
          checks: { ok: 2, empty: 1, failed: 0, problems: [{ kind: 'liveboard', name: 'Product Insights', visualization: 'Sales by Category', status: 'empty', message: 'no rows' }] },
        });
        expect((await cli(['status', '--url', http.url])).stdout).toMatch(new RegExp(`^prod \\[deploy → main\\]: idle; last deploy ok at .*, data checks 2 ok, 1 empty, 0 failed.*; REST API ${api}$`, 'm'));
      } finally {
        await daemon.stop();
      }
    });
  });

  describe('liveboard snapshots of a deploy environment', () => {
    it('renders the changed liveboards by their GUIDs in the environment, from the deploy ledger', async () => {
      const out = join(work, 'pdfs');
      const result = await cli(['snapshot', '--config', configFile, '--env', 'prod', '--changed-since', 'HEAD~1', '--out', out, '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      const { snapshots } = JSON.parse(result.stdout) as SnapshotReport;
      expect(snapshots).toMatchObject([{ name: 'Product Insights', file: `Product-Insights.${DEMO_GUIDS.liveboards[2]}.pdf` }]);
      // prod regenerated every GUID: the PDF came from prod's own liveboard.
      expect([...prod.state.objects.values()].find((o) => o.name === 'Product Insights')!.id).not.toBe(DEMO_GUIDS.liveboards[2]);
      expect(readFileSync(join(out, snapshots[0]!.file!)).subarray(0, 5).toString()).toBe('%PDF-');
    });
  });
});
