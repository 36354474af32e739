import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { loginCookie } from '../emulator/raw-http.js';
import { API_VERSIONS, clientOf, requestLog } from '../support/api.js';
import { cli } from '../support/cli.js';
import { filesAt, prepareCommits, setBranch, type CommittedFile } from '../support/commits.js';
import { copyRemote, exportedRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { addProdConnection, PROD_MAPPINGS } from '../support/prod.js';

const INITIAL = 'Welcome-Prod-1';
const env = { TS_INITIAL: INITIAL };

/** prod's users and groups as they are now: what a run must not change when it applies nothing. */
function principalsOf(e: RunningEmulator) {
  const groups = [...e.state.groups.values()].map((g) => ({ name: g.name, groupNames: [...g.groupNames].sort(), privileges: [...g.privileges].sort(), modified: g.modified }));
  const users = [...e.state.users.values()].map((u) => ({ name: u.name, displayName: u.displayName, groupNames: [...u.groupNames].sort(), modified: u.modified }));
  return { groups: groups.sort((a, b) => a.name.localeCompare(b.name)), users: users.sort((a, b) => a.name.localeCompare(b.name)) };
}

interface PrincipalsFile {
  groups: { name: string; groupNames: string[]; privileges?: string[] }[];
  users: { name: string; groupNames: string[]; principalTypeEnum?: string }[];
}

const group = (file: PrincipalsFile, name: string) => file.groups.find((g) => g.name === name)!;

/** The principals files a deploy must refuse, each on a branch of its own off main. */
const PROBLEMS = [
  {
    problem: 'a membership in an unknown group',
    edit: (f: PrincipalsFile) => void f.users.find((u) => u.name === 'alex.analyst')!.groupNames.push('Ghosts'),
    message: 'users[0] "alex.analyst": group "Ghosts" is unknown: neither in the file nor in prod',
  },
  {
    problem: 'duplicate names',
    edit: (f: PrincipalsFile) => void f.groups.push({ ...group(f, 'Analysts') }),
    message: 'groups[3] "Analysts": duplicate name (also groups[0])',
  },
  {
    problem: 'a group cycle',
    edit: (f: PrincipalsFile) => void (group(f, 'Analysts').groupNames = ['Executives']),
    message: 'groups[0] "Analysts": group cycle "Analysts" → "Executives" → "Analysts"',
  },
  {
    problem: 'an unknown privilege',
    edit: (f: PrincipalsFile) => void (group(f, 'Analysts').privileges = ['DATADOWNLOADING', 'CAN_FLY']),
    message: `groups[0] "Analysts": unknown privilege 'CAN_FLY'`,
  },
  {
    problem: 'a new local user without a password source',
    edit: () => undefined,
    message: 'users[0] "alex.analyst": a new local user needs a first password, and prod has none: set principals.initialPassword',
    block: 'prune: false',
  },
];
const branchOf = (problem: string) => `bad-${problem.replace(/\W+/g, '-')}`;

// dev is the stage's demo emulator (three users, three groups with privileges), exported once into
// `seed` (main as dev, and a branch per problem); each version deploys a copy of it to a prod of its own.
const stage = useStage('tmlsync-principals-');
let seed: string;

const PRINCIPALS = 'principals/principals.yaml';
/** The answer the privileges case changes with its principals (a pie made a bar). */
const BOARD = 'tml/answer/Sales-by-Category.';
/** The seed's main with its principals file edited (and `other` files), as one commit. */
function principalsEdit(main: CommittedFile, edit: (file: PrincipalsFile) => unknown, other: Record<string, string> = {}): Record<string, string> {
  const file = load(main.text) as PrincipalsFile;
  return { [PRINCIPALS]: dump(edit(file) ?? file, { lineWidth: -1 }), ...other };
}
/** The privileges case's change, prepared in the seed: each version moves its copy's main to it. */
let privileges: string;

// An export, then the problem branches and the privileges change in one fast-import: more than the default 30 s for a hook on a loaded 2-core machine.
beforeAll(async () => {
  seed = await exportedRemote(stage);
  const bare = stage.server.pathOf('seed');
  const [principals, answer] = filesAt(bare, 'main', [PRINCIPALS, BOARD]) as [CommittedFile, CommittedFile];
  const problems = PROBLEMS.map(({ problem, edit }) => ({ ref: `refs/heads/${branchOf(problem)}`, from: 'main', message: `principals: ${branchOf(problem)}`, files: principalsEdit(principals, edit) }));
  const change = principalsEdit(
    principals,
    (f) => {
      group(f, 'Analysts').privileges = ['DATADOWNLOADING', 'SHAREWITHALL'];
      group(f, 'Data Engineers').privileges = ['DATAMANAGEMENT'];
      f.users = f.users.filter((u) => u.name !== 'erin.exec');
    },
    { [answer.path]: answer.text.replace('type: PIE', 'type: BAR') },
  );
  privileges = prepareCommits(bare, [...problems, { ref: 'refs/prepared/privileges', from: 'main', message: 'principals: privileges', files: change }]).at(-1)!;
}, 120_000);

describe.each(API_VERSIONS)('principals as code, over %s', (api) => {
  // prod starts with only the built-ins.
  let prod: RunningEmulator;
  let remote: string;
  /** prod's requests, from its log. */
  const prodLog = requestLog();
  const count = (call: Parameters<typeof prodLog.count>[1]) => prodLog.count(api, call);
  let n = 0;

  /** A configuration with dev (export) and prod (deploy), prod's `principals:` block as given (none when undefined). */
  function config(principals?: string): string {
    const file = join(stage.work, `config-${api}-${(n += 1)}.yaml`);
    const block = principals === undefined ? '' : `    principals:\n${principals.replace(/^/gm, '      ')}\n`;
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${join(stage.work, `wd-${api}`)}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n  prod:\n    url: ${prod.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n${PROD_MAPPINGS}${block}`,
    );
    return file;
  }

  beforeAll(async () => {
    prod = await startEmulator({
      seed: 'none',
      guidPolicy: 'regenerate',
      logger: prodLog.logger,
    });
    const admin = clientOf('v1', prod.url);
    await addProdConnection(admin);
    remote = copyRemote(stage.server, seed, `content-${api}`);
  });
  afterAll(() => prod.close());

    it('leaves the principals of an environment without a principals block untouched, and the plan says so', async () => {
      const file = config();
      const before = principalsOf(prod);
      const plan = await cli(['plan', '--config', file, '--env', 'prod'], env);
      expect(plan.code).toBe(0);
      expect(plan.stdout).toContain('principals: not managed — prod has no principals: block in the configuration; its users and groups are left alone');
      const deployed = await cli(['deploy', '--config', file, '--env', 'prod', '--format', 'json'], env);
      expect(deployed.code).toBe(0);
      const report = JSON.parse(deployed.stdout) as { counts: Record<string, number>; principals: unknown };
      expect(report.counts).toMatchObject({ added: 17, failed: 0 });
      expect(report.principals).toEqual({ managed: false, reason: expect.stringContaining('no principals: block') as unknown });
      expect(principalsOf(prod)).toEqual(before);
      expect(count('principalsSync') + count('groupsImport') + count('groupListing') + count('privilegeChange')).toBe(0);
    });

    it.each(PROBLEMS)('refuses $problem, naming the entry, and applies nothing', async ({ problem, message, block }) => {
      const branch = branchOf(problem);
      const before = principalsOf(prod);
      const [syncs, changes] = [count('principalsSync'), count('privilegeChange')];
      const result = await cli(['deploy', '--config', config(block ?? 'initialPassword: ${TS_INITIAL}'), '--env', 'prod', '--ref', branch], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^error: principals\/principals\.yaml: (a problem|\d+ problems), nothing was applied/);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(principalsOf(prod)).toEqual(before);
      // The file is checked before user/sync is even asked for a dry run.
      expect([count('principalsSync'), count('privilegeChange')]).toEqual([syncs, changes]);
    });

    it('plans users, groups and privileges with a dry run of user/sync, and changes nothing', async () => {
      const before = principalsOf(prod);
      const { code, stdout } = await cli(['plan', '--config', config('initialPassword: ${TS_INITIAL}'), '--env', 'prod', '--format', 'json'], env);
      expect(code).toBe(0);
      const plan = JSON.parse(stdout) as { counts: Record<string, number>; principals: { managed: boolean; changes: unknown[] } };
      expect(plan.counts).toMatchObject({ unchanged: 17, create: 0 });
      expect(plan.principals).toEqual({
        managed: true,
        prune: false,
        changes: [
          { action: 'add', kind: 'group', name: 'Analysts', privilegesAdded: ['DATADOWNLOADING'] },
          { action: 'add', kind: 'group', name: 'Data Engineers', privilegesAdded: ['DATAMANAGEMENT', 'USERDATAUPLOADING'] },
          { action: 'add', kind: 'group', name: 'Executives' },
          { action: 'add', kind: 'user', name: 'alex.analyst' },
          { action: 'add', kind: 'user', name: 'dana.engineer' },
          { action: 'add', kind: 'user', name: 'erin.exec' },
        ],
      });
      expect(principalsOf(prod)).toEqual(before);
      const text = await cli(['plan', '--config', config('initialPassword: ${TS_INITIAL}'), '--env', 'prod'], env);
      expect(text.stdout).toContain('principals (principals/principals.yaml): 3 users added, 3 groups added');
      expect(text.stdout).toContain('  add      group "Data Engineers" — +DATAMANAGEMENT +USERDATAUPLOADING');
    });

    it('deploys users, groups and privileges; new users log in with the initial password; a second deploy sends no write', async () => {
      const file = config('initialPassword: ${TS_INITIAL}');
      const deployed = await cli(['deploy', '--config', file, '--env', 'prod', '--format', 'json'], env);
      expect(deployed.code).toBe(0);
      const report = JSON.parse(deployed.stdout) as { principals: { changes: { action: string; name: string }[] } };
      expect(report.principals.changes.map((c) => `${c.action} ${c.name}`)).toEqual([
        'add Analysts', 'add Data Engineers', 'add Executives', 'add alex.analyst', 'add dana.engineer', 'add erin.exec',
      ]);
      const now = principalsOf(prod);
      expect(now.groups.find((g) => g.name === 'Data Engineers')).toMatchObject({ groupNames: [], privileges: ['DATAMANAGEMENT', 'USERDATAUPLOADING'] });
      expect(now.groups.find((g) => g.name === 'Executives')).toMatchObject({ groupNames: ['Analysts'], privileges: [] });
      expect(now.users.find((u) => u.name === 'erin.exec')).toMatchObject({ displayName: 'Erin Executive', groupNames: ['All', 'Executives'] });
      await loginCookie(prod.url, 'alex.analyst', INITIAL);
      expect(deployed.stderr).not.toContain(INITIAL);

      // Nothing to change: the dry run only, no applying user/sync, no privilege call, nothing modified.
      const [syncs, changes] = [count('principalsSync'), count('privilegeChange')];
      const again = await cli(['--log-level', 'info', 'deploy', '--config', file, '--env', 'prod', '--format', 'json'], env);
      expect(again.code).toBe(0);
      const messages = again.stderr.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { msg: string }).msg);
      expect(messages).toContain('nothing to deploy');
      expect(messages).not.toContain('principals synced');
      expect(messages).not.toContain('group privilege changed');
      expect(again.stderr).not.toContain(INITIAL);
      expect((JSON.parse(again.stdout) as { principals: unknown }).principals).toEqual({ managed: true, prune: false, changes: [] });
      expect([count('principalsSync') - syncs, count('privilegeChange') - changes]).toEqual([1, 0]);
      expect(principalsOf(prod)).toEqual(now);
    });

    it('applies only the privilege difference with content changes, keeps principals absent from the file, and removes them with prune', async () => {
      setBranch(stage.server.pathOf(`content-${api}`), 'main', privileges);
      const changes = count('privilegeChange');
      const deployed = await cli(['deploy', '--config', config('initialPassword: ${TS_INITIAL}'), '--env', 'prod'], env);
      expect(deployed.code).toBe(0);
      expect(deployed.stdout).toContain('0 added, 1 updated, 0 deleted, 16 unchanged, 0 failed');
      expect(deployed.stdout).toContain('principals (principals/principals.yaml): 2 groups updated, 1 user kept');
      expect(deployed.stdout).toContain('  update   group "Analysts" — +SHAREWITHALL');
      expect(deployed.stdout).toContain('  update   group "Data Engineers" — -USERDATAUPLOADING');
      expect(deployed.stdout).toContain('  keep     user "erin.exec" — not in the file; removed only with principals.prune: true');
      // One call per privilege and direction over v1 (+SHAREWITHALL, -USERDATAUPLOADING); one per group changed over v2.
      expect(count('privilegeChange') - changes).toBe(2);
      const now = principalsOf(prod);
      expect(now.groups.find((g) => g.name === 'Analysts')?.privileges).toEqual(['DATADOWNLOADING', 'SHAREWITHALL']);
      expect(now.groups.find((g) => g.name === 'Data Engineers')?.privileges).toEqual(['DATAMANAGEMENT']);
      expect(now.users.map((u) => u.name)).toContain('erin.exec');

      const pruning = config('prune: true\ninitialPassword: ${TS_INITIAL}');
      const plan = await cli(['plan', '--config', pruning, '--env', 'prod', '--format', 'markdown'], env);
      expect(plan.stdout).toContain('| remove | user | erin.exec |');
      const dry = await cli(['deploy', '--config', pruning, '--env', 'prod', '--dry-run'], env);
      expect(dry.stdout).toContain('principals (principals/principals.yaml, prune): 1 user removed');
      expect(prod.state.users.has('erin.exec')).toBe(true);
      const pruned = await cli(['deploy', '--config', pruning, '--env', 'prod'], env);
      expect(pruned.code).toBe(0);
      expect(pruned.stdout).toContain('principals (principals/principals.yaml, prune): 1 user removed');
      expect(prod.state.users.has('erin.exec')).toBe(false);
      expect([...prod.state.users.keys()].sort()).toEqual(['alex.analyst', 'dana.engineer', 'su', 'system', 'tsadmin']);
      expect([...prod.state.groups.keys()].sort()).toEqual(['Administrator', 'All', 'Analysts', 'Data Engineers', 'Executives', 'System']);
      expect(prod.state.groups.get('Administrator')?.privileges).toEqual(['ADMINISTRATION']);
    });
});
