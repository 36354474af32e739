import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { loginCookie, raw } from '../emulator/raw-http.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { exportLedgerIn } from '../support/ledger.js';
import { copyRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';

async function exportOnce(file: string, ...extra: string[]) {
  const { code, stdout, stderr } = await cli(['--log-level', 'warn', 'export', '--config', file, '--format', 'json', ...extra]);
  return { code, report: stdout ? (JSON.parse(stdout) as { counts: Record<string, number>; commits: string[] }) : undefined, stderr };
}

/** The same run over either REST API (issue 12): each version on a stage of its own, as the tests change the emulator's state. */
describe.each(['v1', 'v2'] as const)('tmlsync export against the emulator and a git daemon, over %s', (api) => {
  const stage = useStage(`tmlsync-export-${api}-`);

  function configFile(remote: string, workDir: string): string {
    const file = join(stage.work, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, `repository:\n  url: ${remote}\nworkDir: ${workDir}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    api: ${api}\n    username: tsadmin\n    password: \${TS_PASSWORD:-admin}\n    branch: dev\n`);
    return file;
  }

  // The first run is made once: the first case asserts on it, the others start from copies of its remote.
  let remote: string;
  let file: string;
  let first: Awaited<ReturnType<typeof exportOnce>>;
  const copies: Record<string, string> = {};
  beforeAll(async () => {
    remote = stage.server.createRepo('demo');
    file = configFile(remote, join(stage.work, 'wd1'));
    first = await exportOnce(file);
    for (const name of ['lost-ledger', 'changes']) copies[name] = copyRemote(stage.server, remote, name);
  });

  it('exports everything on the first run, then nothing changes and no commit is made', async () => {
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.report!.counts).toMatchObject({ added: 18, failed: 0 });
    const bare = stage.server.pathOf('demo');
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'dev').split('\n');
    expect(files).toContain('principals/principals.yaml');
    // Users and groups without built-ins, each group with its privileges (read with GET group).
    const principals = git(bare, 'show', 'dev:principals/principals.yaml');
    expect(principals).toContain('- name: Data Engineers\n  displayName: Data Engineers\n  principalTypeEnum: LOCAL_GROUP\n  groupNames: []\n  visibility: DEFAULT\n  privileges:\n  - DATAMANAGEMENT\n  - USERDATAUPLOADING\n');
    expect(principals).toContain('- name: Executives\n  displayName: Executives\n  principalTypeEnum: LOCAL_GROUP\n  groupNames:\n  - Analysts\n  visibility: DEFAULT\n  privileges: []\n');
    expect(principals).not.toMatch(/tsadmin|Administrator|password/);
    expect(files).toContain(`tml/liveboard/Retail-Overview.${DEMO_GUIDS.liveboards[0]}.liveboard.tml`);
    expect(files.filter((f) => f.startsWith('tml/'))).toHaveLength(18);
    const commitsBefore = git(bare, 'rev-list', '--count', 'dev');

    const second = await exportOnce(file);
    expect(second.report!.counts).toMatchObject({ added: 0, updated: 0, unchanged: 18 });
    expect(second.report!.commits).toEqual([]);
    expect(git(bare, 'rev-list', '--count', 'dev')).toBe(commitsBefore);

    // A fresh working tree on "another machine" resumes from the state ref: nothing to export.
    const resumed = await exportOnce(configFile(remote, join(stage.work, 'wd2')));
    expect(resumed.report!.counts).toMatchObject({ unchanged: 18, added: 0 });

    // The runs went over the version asked for: the connection logs the one it uses, once per run.
    const logged = await cli(['--log-level', 'info', 'export', '--config', configFile(remote, join(stage.work, 'wd-logged')), '--format', 'json']);
    expect(logged.stderr.split('\n').filter((line) => line.includes('"api":'))).toEqual([expect.stringContaining(`"api":"${api}"`)]);
  });

  it('re-exports everything when the ledger is lost, and commits nothing when the files already hold it', async () => {
    const remote = copies['lost-ledger']!;
    const bare = stage.server.pathOf('lost-ledger');
    const head = git(bare, 'rev-parse', 'dev');
    git(bare, 'update-ref', '-d', 'refs/tmlsync/dev/export');

    const again = await exportOnce(configFile(remote, join(stage.work, 'wd-lost-2')));
    expect(again.code).toBe(0);
    // Every object exported and compared with its file: all the same, so no commit (and none empty).
    expect(again.report!.counts).toMatchObject({ added: 0, updated: 0, unchanged: 18, failed: 0 });
    expect(again.report!.commits).toEqual([]);
    expect(git(bare, 'rev-parse', 'dev')).toBe(head);
    expect(Object.keys((await exportLedgerIn(bare)).objects)).toContain(DEMO_GUIDS.liveboards[0]);
  });

  it('commits a change as its ThoughtSpot author, and removes the file of a deleted object', async () => {
    const file = configFile(copies.changes!, join(stage.work, 'wd3'));
    const dana = await loginCookie(stage.emulator.url, 'dana.engineer', 'demo-password');
    const exported = await raw(stage.emulator.url, 'POST', 'metadata/tml/export', { cookie: dana, form: { export_ids: JSON.stringify([DEMO_GUIDS.answers[0]]) } });
    const edoc = ((await exported.json()) as { object: { edoc: string }[] }).object[0]!.edoc;
    await raw(stage.emulator.url, 'POST', 'metadata/tml/import', { cookie: dana, form: { import_objects: JSON.stringify([edoc.replace('name: Sales by Region', 'name: Sales by Region (renamed)')]) } });
    stage.emulator.state.objects.delete(DEMO_GUIDS.answers[5]);
    // A full listing finds the deletion (a run that lists only what changed leaves it to the next full one).
    const run2 = await exportOnce(file, '--full');
    expect(run2.report!.counts).toMatchObject({ updated: 1, deleted: 1 });
    const bare = stage.server.pathOf('changes');
    const log = git(bare, 'log', '--format=%an|%s', 'dev').split('\n');
    expect(log).toContain('Dana Engineer|export(dev): 1 object by Dana Engineer');
    expect(log).toContain('tmlsync|export(dev): 1 object');
    const files = git(bare, 'ls-tree', '-r', '--name-only', 'dev');
    expect(files).toContain(`tml/answer/Sales-by-Region-renamed.${DEMO_GUIDS.answers[0]}.answer.tml`);
    expect(files).not.toContain(`Sales-by-Region.${DEMO_GUIDS.answers[0]}`);
    expect(files).not.toContain(DEMO_GUIDS.answers[5]);
  });

  it('writes nothing with --dry-run', async () => {
    const remote = stage.server.createRepo('dry');
    const dry = await exportOnce(configFile(remote, join(stage.work, 'wd4')), '--dry-run');
    expect(dry.report!.counts.added).toBe(stage.emulator.state.objects.size);
    expect(git(stage.server.pathOf('dry'), 'for-each-ref')).toBe('');
  });
});
