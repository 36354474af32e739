import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorState } from '../../src/emulator/state.js';
import { ThoughtSpotClient } from '../../src/thoughtspot/index.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { addProdConnection, PROD_MAPPINGS } from '../support/prod.js';

/**
 * One configuration, two API versions (issue 12, "Mixed"): dev exported over
 * v1 and over v2 gives byte-identical files, and either export deploys the
 * same into a v2 environment. One emulator: dev is its Primary Org, each
 * deploy goes into an Org of its own that holds only the prod connection.
 */

const stage = useStage('tmlsync-mixed-api-');
let remote: string;
let configFile: string;

/** An Org's objects as a deploy leaves them, without the GUIDs each Org assigns: kind and name, sorted. */
function objectsOf(org: EmulatorState): string[] {
  return [...org.objects.values()].map((o) => `${o.kind} ${o.name}`).sort();
}

beforeAll(async () => {
  const { instance, url } = stage.emulator;
  for (const name of ['From v1', 'From v2']) {
    instance.createOrg(name);
    const admin = new ThoughtSpotClient({ url, username: 'tsadmin', password: 'admin', org: name, env: {} });
    await addProdConnection(admin);
  }
  remote = stage.server.createRepo('content');
  configFile = join(stage.work, 'tmlsync.yaml');
  const common = `    url: ${url}\n    username: tsadmin\n    password: \${P:-admin}\n`;
  const dev = (api: string) => `  dev-${api}:\n${common}    api: ${api}\n    branch: dev-${api}\n    direction: export\n`;
  const prod = (api: string) =>
    `  prod-${api}:\n${common}    api: v2\n    org: From ${api}\n    branch: main-${api}\n    direction: deploy\n${PROD_MAPPINGS}`;
  writeFileSync(configFile, `repository:\n  url: ${remote}\nworkDir: ${join(stage.work, 'wd')}\nenvironments:\n${dev('v1')}${dev('v2')}${prod('v1')}${prod('v2')}`);
});

describe('an environment on v1 and one on v2 in one configuration', () => {
  it('exports byte-identical files over v1 and over v2', async () => {
    for (const env of ['dev-v1', 'dev-v2']) {
      const exported = await cli(['export', '--config', configFile, '--env', env]);
      expect(exported.stderr).toBe('');
      expect(exported.code).toBe(0);
    }
    const bare = stage.server.pathOf('content');
    expect(git(bare, 'ls-tree', '-r', '--name-only', 'dev-v1').split('\n').filter((f) => f.startsWith('tml/'))).toHaveLength(18);
    // One tree hash: every path and every byte of every file the same.
    expect(git(bare, 'rev-parse', 'dev-v1^{tree}')).toBe(git(bare, 'rev-parse', 'dev-v2^{tree}'));
  });

  it('deploys the v1 export into a v2 environment as a v2 export deploys', async () => {
    // Each export reaches its prod branch, as a merged pull request would bring it.
    for (const api of ['v1', 'v2']) git(stage.server.pathOf('content'), 'branch', `main-${api}`, `dev-${api}`);
    const reports = [];
    for (const env of ['prod-v1', 'prod-v2']) {
      const deployed = await cli(['deploy', '--config', configFile, '--env', env, '--format', 'json']);
      expect(deployed.stderr).toBe('');
      reports.push(JSON.parse(deployed.stdout) as { outcome: string; counts: Record<string, number> });
    }
    expect(reports[0]).toMatchObject({ outcome: 'ok', counts: { added: 17, failed: 0 } });
    expect(reports[1]!.counts).toEqual(reports[0]!.counts);
    const org = (name: string) => stage.emulator.instance.findOrg(name)!;
    expect(objectsOf(org('From v1'))).toHaveLength(18);
    expect(objectsOf(org('From v1'))).toEqual(objectsOf(org('From v2')));
  });
});
