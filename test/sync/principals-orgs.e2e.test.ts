import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, type GroupRecord } from '../../src/emulator/principals.js';
import type { EmulatorState } from '../../src/emulator/state.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { cli } from '../support/cli.js';
import { commitOn, textAt } from '../support/commits.js';
import { useStage } from '../support/stage.js';

/**
 * Principals per Org (issue 13, item 5): an Org environment's
 * `principals.yaml` holds that Org's users and groups, and a deploy changes
 * only that Org's groups and memberships. Users are instance-wide (one id,
 * one password), groups and memberships per Org. Both versions share one
 * emulator and one git server; each has two fresh Orgs of its own.
 */

const stage = useStage('tmlsync-principals-orgs-');
const INITIAL = 'Welcome-Org-B-1';
/** The first password of the users the Orgs start with. */
const FIRST_PASSWORD = 'First-Pass-1';

interface PrincipalsFile {
  groups: { name: string; groupNames: string[]; privileges?: string[]; principalTypeEnum: string; displayName?: string }[];
  users: { name: string; groupNames: string[]; principalTypeEnum: string; displayName?: string }[];
}

/** Everything of an Org's principals a deploy could change: groups with their privileges and times, users with their memberships. */
function principalsOf(org: EmulatorState): string {
  const groups = [...org.groups.values()].map((g) => [g.name, g.id, g.modified, [...g.privileges].sort().join(','), [...g.groupNames].sort().join(',')]).sort();
  const users = [...org.users.values()].map((u) => [u.name, u.id, u.modified, [...u.groupNames].sort().join(',')]).sort();
  return JSON.stringify({ groups, users });
}

function addGroup(org: EmulatorState, name: string, privileges: string[]): void {
  const now = org.now();
  const group: GroupRecord = { kind: 'group', id: crypto.randomUUID(), name, displayName: name, principalTypeEnum: 'LOCAL_GROUP', groupNames: [], visibility: 'DEFAULT', created: now, modified: now, privileges };
  org.groups.set(name, group);
}

/** A user in the Org, in `groups` (and All); a name another Org has is that same user (its id and password). */
function addUser(org: EmulatorState, name: string, groups: string[]): void {
  const now = org.now();
  org.users.set(name, {
    kind: 'user', id: crypto.randomUUID(), name, displayName: name, mail: '', principalTypeEnum: 'LOCAL_USER', groupNames: ['All', ...groups], visibility: 'DEFAULT',
    created: now, modified: now, passwordHash: hashPassword(FIRST_PASSWORD),
  });
}

describe.each(API_VERSIONS)('principals of an Org environment, over %s', (api) => {
  let a: EmulatorState;
  let b: EmulatorState;
  let remote: string;
  let configFile: string;

  beforeAll(() => {
    const instance = stage.emulator.instance;
    // Org A: sam and ann analyse; Org B: sam and bob build. sam is one user in both Orgs.
    a = instance.createOrg(`A ${api}`);
    b = instance.createOrg(`B ${api}`);
    addGroup(a, 'Sales Analysts', ['DATADOWNLOADING']);
    addUser(a, 'sam', ['Sales Analysts']);
    addUser(a, 'ann', ['Sales Analysts']);
    addGroup(b, 'Builders', ['DATAMANAGEMENT']);
    addUser(b, 'sam', ['Builders']);
    addUser(b, 'bob', ['Builders']);
    remote = stage.server.createRepo(`content-${api}`);
    configFile = join(stage.work, `tmlsync-${api}.yaml`);
    const common = `    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    api: ${api}\n`;
    writeFileSync(
      configFile,
      `repository:\n  url: ${remote}\nworkDir: ${join(stage.work, `wd-${api}`)}\nenvironments:\n  a:\n${common}    org: A ${api}\n    branch: a\n    direction: export\n  b:\n${common}    org: B ${api}\n    branch: b\n    direction: deploy\n    principals:\n      prune: true\n      initialPassword: \${TS_INITIAL}\n`,
    );
  });

  it("exports Org A's users and groups with their memberships in A, and nothing of Org B", async () => {
    const result = await cli(['export', '--config', configFile, '--env', 'a'], { TS_INITIAL: INITIAL });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const file = load(textAt(stage.server.pathOf(`content-${api}`), 'a', 'principals/principals.yaml')) as PrincipalsFile;
    expect(file.groups.map((g) => [g.name, g.privileges])).toEqual([['Sales Analysts', ['DATADOWNLOADING']]]);
    expect(file.users.map((u) => [u.name, u.groupNames])).toEqual([
      ['ann', ['All', 'Sales Analysts']],
      ['sam', ['All', 'Sales Analysts']],
    ]);
    expect(JSON.stringify(file)).not.toMatch(/Builders|bob/);
  });

  it("deploys Org B's principals.yaml into Org B only: Org A's groups and memberships are untouched", async () => {
    const before = principalsOf(a);
    const primaryBefore = principalsOf(stage.emulator.state);
    // B's file: sam also reviews, rita joins as a reviewer, bob leaves (prune).
    const file: PrincipalsFile = {
      groups: [
        { name: 'Builders', displayName: 'Builders', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], privileges: ['DATAMANAGEMENT'] },
        { name: 'Reviewers', displayName: 'Reviewers', principalTypeEnum: 'LOCAL_GROUP', groupNames: [], privileges: ['LIVEBOARD_VERIFIER'] },
      ],
      users: [
        { name: 'rita', displayName: 'rita', principalTypeEnum: 'LOCAL_USER', groupNames: ['All', 'Reviewers'] },
        { name: 'sam', displayName: 'sam', principalTypeEnum: 'LOCAL_USER', groupNames: ['All', 'Builders', 'Reviewers'] },
      ],
    };
    // Branch b of its own, as a person's push would leave it (`commitOn`: one git process).
    commitOn(stage.server.pathOf(`content-${api}`), 'b', "Org B's principals", { 'principals/principals.yaml': dump(file, { lineWidth: -1 }) }, null);

    const deployed = await cli(['deploy', '--config', configFile, '--env', 'b', '--format', 'json'], { TS_INITIAL: INITIAL });
    expect(deployed.stderr).toBe('');
    expect(deployed.code).toBe(0);
    const report = JSON.parse(deployed.stdout) as { principals: { changes: { action: string; name: string }[] } };
    expect(report.principals.changes.map((c) => `${c.action} ${c.name}`).sort()).toEqual(['add Reviewers', 'add rita', 'remove bob', 'update sam'].sort());

    expect([...b.groups.keys()].sort()).toEqual(['Administrator', 'All', 'Builders', 'Reviewers', 'System']);
    expect(b.groups.get('Reviewers')!.privileges).toEqual(['LIVEBOARD_VERIFIER']);
    expect([...b.users.get('sam')!.groupNames].sort()).toEqual(['All', 'Builders', 'Reviewers']);
    expect(b.users.get('sam')!.id).toBe(a.users.get('sam')!.id);
    expect(b.users.has('bob')).toBe(false);
    expect(b.users.has('rita')).toBe(true);
    // Org A (and the Primary Org) as they were: no Reviewers, no rita, sam still only analyses there.
    expect(principalsOf(a)).toBe(before);
    expect(principalsOf(stage.emulator.state)).toBe(primaryBefore);
    expect(a.users.has('rita')).toBe(false);
  });

  it('a password changed in Org B is the user\'s password in Org A too: one user, one password', async () => {
    // A user of this version's Orgs only (user names are instance-wide).
    const name = `pat-${api}`;
    addUser(a, name, []);
    addUser(b, name, []);
    const next = 'Second-Pass-2';
    const as = (password: string, org: EmulatorState) => clientOf(api, stage.emulator.url, { username: name, password, org: org.org.name });
    await as(FIRST_PASSWORD, b).updatePassword({ name, currentPassword: FIRST_PASSWORD, newPassword: next });
    await expect(as(next, a).login()).resolves.toBeUndefined();
    await expect(as(FIRST_PASSWORD, a).login()).rejects.toMatchObject({ status: 401 });
  });
});
