import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { cli } from '../support/cli.js';
import { commitOn, filesAt, textAt, type CommittedFile } from '../support/commits.js';
import { git, useGitServer } from '../support/git-server.js';
import { API_VERSIONS, clientOf, requestLog } from '../support/api.js';
import { editInThoughtSpot, pushEdit } from '../support/edits.js';

const committer = { name: 'Person', email: 'person@example.com' };

interface Report {
  outcome: string;
  counts: Record<string, number>;
  commits: string[];
  conflicts: { id: string; path: string; git: string; thoughtspot: string; resolution: string }[];
  conflictsBranch?: string;
  error?: string;
}

/**
 * A `sync` environment end to end: one emulator edited through its API (v1,
 * as any other client of ThoughtSpot), one remote edited by a person's
 * clone, and `tmlsync sync` in between over the version of the run.
 */
/** One listing per content kind (cohorts among them), shared by the sync's two halves (issue 16), and the users for commit authors. */
const ONE_LISTING = 5 + 1;

/** One git server for the file; each version's half has its own remote and its own emulator (their edits of one object would meet). */
const server = useGitServer('tmlsync-sync-');

describe.each(API_VERSIONS)('direction sync, over %s', (api) => {
  const content = `content-${api}`;
  let work: string;
  let emulator: RunningEmulator;
  const log = requestLog();
  let configFile: string;
  let person: GitRepo;
  let admin: ReturnType<typeof clientOf>;

  beforeAll(async () => {
    emulator = await startEmulator({ logger: log.logger });
    work = server.tempDir();
    const remote = server.createRepo(content);
    configFile = join(work, 'tmlsync.yaml');
    writeFileSync(configFile, `repository:\n  url: ${remote}\nworkDir: ${join(work, 'wd')}\nenvironments:\n  dev:\n    url: ${emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    direction: sync\n    api: ${api}\n`);
    person = await GitRepo.open(join(work, 'person'), { remoteUrl: remote, committer });
    admin = clientOf('v1', emulator.url);
  });
  afterAll(async () => {
    await emulator.close();
  });

  async function sync(...extra: string[]): Promise<{ code: number; report: Report; imports: number; listings: number; stderr: string }> {
    const [imports, listings] = [log.count(api, 'tmlImport'), log.count(api, 'listing')];
    const result = await cli(['sync', '--config', configFile, '--env', 'dev', '--format', 'json', ...extra]);
    return {
      code: result.code,
      report: JSON.parse(result.stdout || '{}') as Report,
      imports: log.count(api, 'tmlImport') - imports,
      listings: log.count(api, 'listing') - listings,
      stderr: result.stderr,
    };
  }

  /** The path and text of each object's file on the remote's `dev` (two git processes, where a fetch and a checkout of the person's clone were some ten). */
  const onDev = (...guids: string[]) => filesAt(server.pathOf(content), 'dev', guids);

  /** A change that replaces `from` by `to`, which the text must hold (an edit is never silently a no-op). */
  const replacing = (from: string, to: string) => (text: string) => {
    expect(text).toContain(from);
    return text.replace(from, to);
  };

  const inThoughtSpot = (guid: string) => JSON.stringify(emulator.state.objects.get(guid)?.document);

  it('first run exports ThoughtSpot into an empty branch; a second run makes no commit and no import', async () => {
    const first = await sync();
    expect(first.code).toBe(0);
    expect(first.report).toMatchObject({ outcome: 'ok', conflicts: [] });
    expect(first.report.counts.added).toBeGreaterThan(10);
    expect(first.report.commits.length).toBeGreaterThan(0);
    expect(first.imports).toBe(0);

    const second = await sync();
    expect(second.report).toMatchObject({ outcome: 'ok', commits: [], conflicts: [] });
    expect(second.imports).toBe(0);
    expect(second.listings).toBe(ONE_LISTING);
  });

  it('lands an edit in git and an edit in ThoughtSpot of different objects, then is in step', async () => {
    await pushEdit(person, DEMO_GUIDS.worksheet, replacing('Sales with products, stores and customers (worksheet form).', 'Edited in git.'), committer);
    await editInThoughtSpot(admin, DEMO_GUIDS.model, replacing('Retail sales as a model.', 'Edited in ThoughtSpot.'));

    const run = await sync();
    expect(run.code).toBe(0);
    expect(run.report.conflicts).toEqual([]);
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain('Edited in git.');
    const [model, worksheet] = onDev(DEMO_GUIDS.model, DEMO_GUIDS.worksheet);
    expect(model!.text).toContain('Edited in ThoughtSpot.');
    expect(worksheet!.text).toContain('Edited in git.');

    // After the deploy, the export makes no commit; after the export, the deploy no write call.
    const again = await sync();
    expect(again.report).toMatchObject({ outcome: 'ok', commits: [], conflicts: [] });
    expect(again.imports).toBe(0);
    expect(again.listings).toBe(ONE_LISTING);
  });

  it('reports one object edited on both sides as a conflict and overwrites neither side', async () => {
    await pushEdit(person, DEMO_GUIDS.worksheet, replacing('Edited in git.', 'Git says this.'), committer);
    await editInThoughtSpot(admin, DEMO_GUIDS.worksheet, replacing('Edited in git.', 'ThoughtSpot says that.'));
    const branchBefore = git(server.pathOf(content), 'rev-parse', 'dev');

    const run = await sync();
    expect(run.code).toBe(1);
    expect(run.report.conflicts).toMatchObject([{ id: DEMO_GUIDS.worksheet, git: 'modified', thoughtspot: 'modified', resolution: 'kept both' }]);
    expect(run.report.conflictsBranch).toBe('tmlsync/conflicts/dev');
    expect(run.imports).toBe(0);
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain('ThoughtSpot says that.');
    expect(git(server.pathOf(content), 'rev-parse', 'dev')).toBe(branchBefore);
    const [{ path, text }] = onDev(DEMO_GUIDS.worksheet) as [CommittedFile];
    expect(text).toContain('Git says this.');
    // Both versions are kept: ThoughtSpot's on the conflicts branch.
    expect(git(server.pathOf(content), 'show', `tmlsync/conflicts/dev:${path}`)).toContain('ThoughtSpot says that.');

    // The plan shows it too.
    const plan = await cli(['plan', '--config', configFile, '--env', 'dev', '--format', 'json']);
    expect(plan.code).toBe(0);
    const entries = (JSON.parse(plan.stdout) as { entries: { canonicalGuid: string; action: string; fields: string[] }[] }).entries;
    expect(entries.find((e) => e.canonicalGuid === DEMO_GUIDS.worksheet)).toMatchObject({ action: 'conflict', fields: ['worksheet->description'] });

    // Still a conflict on the next run: nothing was decided for the person.
    const again = await sync();
    expect(again.report.conflicts).toHaveLength(1);
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain('ThoughtSpot says that.');
  });

  it('resolves a conflict by policy: git-wins deploys the git side, then the environment is in step', async () => {
    const run = await sync('--policy', 'git-wins');
    expect(run.code).toBe(0);
    expect(run.report.conflicts).toMatchObject([{ id: DEMO_GUIDS.worksheet, resolution: 'git version deployed' }]);
    expect(inThoughtSpot(DEMO_GUIDS.worksheet)).toContain('Git says this.');
    // Nothing left to settle: the conflicts branch is gone.
    expect(git(server.pathOf(content), 'branch', '--list', 'tmlsync/conflicts/dev')).toBe('');

    const again = await sync();
    expect(again.report).toMatchObject({ outcome: 'ok', commits: [], conflicts: [] });
    expect(again.imports).toBe(0);
  });

  it('resolves a conflict by policy: thoughtspot-wins exports the ThoughtSpot side over the git one', async () => {
    await pushEdit(person, DEMO_GUIDS.worksheet, replacing('Git says this.', 'Git again.'), committer);
    await editInThoughtSpot(admin, DEMO_GUIDS.worksheet, replacing('Git says this.', 'ThoughtSpot again.'));
    const run = await sync('--policy', 'thoughtspot-wins');
    expect(run.code).toBe(0);
    expect(run.report.conflicts).toMatchObject([{ id: DEMO_GUIDS.worksheet, resolution: 'ThoughtSpot version exported' }]);
    expect(run.imports).toBe(0);
    expect(onDev(DEMO_GUIDS.worksheet)[0]!.text).toContain('ThoughtSpot again.');

    const again = await sync();
    expect(again.report).toMatchObject({ outcome: 'ok', commits: [], conflicts: [] });
    expect(again.imports).toBe(0);
  });

  /** The lines of the deploy gate's refusal of the branch as `tmlsync deploy --dry-run` prints them (one per finding), and its exit code. */
  async function deployGate(): Promise<{ code: number; findings: string[] }> {
    const dry = await cli(['deploy', '--dry-run', '--config', configFile, '--env', 'dev']);
    return { code: dry.code, findings: dry.stderr.split('\n').filter((line) => line.startsWith('  - ')) };
  }

  /** A person pushes `text` as `path` on dev; the function returned pushes its removal, once: the test's, or at its end (a failed test leaves no file for the next). */
  function pushFile(path: string, text: string): () => void {
    commitOn(server.pathOf(content), 'dev', `add ${path}`, { [path]: text });
    let removed = false;
    const remove = () => {
      if (!removed) commitOn(server.pathOf(content), 'dev', `remove ${path}`, { [path]: null });
      removed = true;
    };
    onTestFinished(remove);
    return remove;
  }

  // A file the deploy's gate refuses is in no ledger and no change of the sync, which compares files
  // by GUID: pushed alone, it was reported by no run (ok, exit 0) until some other file changed.

  /** A sync run the deploy's gate stopped at `path`: failed with the gate's own line, nothing imported, the file on the branch as pushed. */
  function expectStoppedAtGate(run: Awaited<ReturnType<typeof sync>>, gate: Awaited<ReturnType<typeof deployGate>>, path: string, text: string): void {
    expect(run.code).toBe(1);
    expect(run.report.outcome).toBe('failed');
    expect(run.report.error).toContain(gate.findings[0]!.slice(4));
    expect(run.imports).toBe(0);
    expect(textAt(server.pathOf(content), 'dev', path)).toBe(text);
  }

  it('fails a run whose branch holds a file that does not parse, naming it as the deploy gate does, and still exports ThoughtSpot\'s side', async () => {
    const path = 'tml/answer/bad.answer.tml';
    const text = 'guid: 0b5e0000-0000-4000-8000-000000000001\nanswer:\n  name: Bad\n   description: indented one space too far\n';
    const remove = pushFile(path, text);
    await editInThoughtSpot(admin, DEMO_GUIDS.model, replacing('Edited in ThoughtSpot.', 'Exported beside a bad file.'));
    const gate = await deployGate();
    expect(gate.code).toBe(2);
    expect(gate.findings).toEqual([expect.stringContaining(path)]);

    expectStoppedAtGate(await sync(), gate, path, text);
    // The gate stops git's side only: ThoughtSpot's edit is exported in the same run.
    expect(onDev(DEMO_GUIDS.model)[0]!.text).toContain('Exported beside a bad file.');

    // Nothing was recorded of it: the next run says it again, until the file is fixed or removed.
    expect((await sync()).report).toMatchObject({ outcome: 'failed', error: expect.stringContaining(path) as unknown });
    remove();
    expect(await sync()).toMatchObject({ code: 0, report: { outcome: 'ok', commits: [] } });
  });

  it('fails a run whose branch holds a file with neither guid nor obj_id, naming it as the deploy gate does', async () => {
    const path = 'tml/answer/No guid.answer.tml';
    const text = 'answer:\n  name: No guid\n  description: a file tmlsync cannot track\n';
    const remove = pushFile(path, text);
    const gate = await deployGate();
    expect(gate.code).toBe(2);
    expect(gate.findings).toEqual([expect.stringContaining(`${path}: answer "No guid" has neither a guid nor an obj_id`)]);

    expectStoppedAtGate(await sync(), gate, path, text);

    remove();
    expect(await sync()).toMatchObject({ code: 0, report: { outcome: 'ok', commits: [] } });
  });

  it('refuses one-way runs on a sync environment, which would put its ledgers out of step', async () => {
    const exported = await cli(['export', '--config', configFile, '--env', 'dev']);
    expect(exported.code).toBe(2);
    expect(exported.stderr).toContain('tmlsync sync --env dev');
  });
});
