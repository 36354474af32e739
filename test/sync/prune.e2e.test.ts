import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { thoughtspotPort } from '../../src/app/index.js';
import { GitRepo } from '../../src/git/index.js';
import { runDeploy } from '../../src/sync/deploy/deploy.js';
import type { DeletableType, ThoughtSpotPort } from '../../src/sync/ports.js';
import { cli } from '../support/cli.js';
import { git } from '../support/git-server.js';
import { filesAt, prepareCommits, setBranch } from '../support/commits.js';
import { copyRemote, exportedRemote } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { deployLedgerIn } from '../support/ledger.js';

/**
 * Prune end to end: dev and prod both hold the demo content (prod's objects
 * exist before tmlsync deploys there, so its ledger marks them adopted, not
 * created); tmlsync then creates three objects of its own in prod (a model, an
 * answer and a liveboard on it), and a commit removes those three files and
 * one adopted answer.
 */
const COPY = { model: '7d1c9a52-0b7e-4f43-9a7e-1f0c2b3d4e01', answer: '7d1c9a52-0b7e-4f43-9a7e-1f0c2b3d4e02', liveboard: '7d1c9a52-0b7e-4f43-9a7e-1f0c2b3d4e03' };
const ADOPTED = DEMO_GUIDS.answers[5]; // "Sales by Segment"

const stage = useStage('tmlsync-prune-');
const { work } = stage;
/**
 * The demo content exported once from dev, with commits for each step of a
 * version's set-up: dev's content (adopted), `own` (three objects of our own
 * more), `main` (our three and one adopted answer removed); and branches
 * `no-source` (no tml/), `connection-only` and `more` (main and two more of
 * our own). Each version deploys a copy of it.
 */
let seed: string;
/** The commits main is set to in turn by each version's set-up. */
let steps: { adopted: string; own: string; main: string };

/** `file` (of the seed's dev) under a new GUID and name, its references to the model pointed at the model's copy. */
function copied(file: { text: string }, guid: string, name: [string, string]): string {
  return file.text
    .replace(/^guid: .*$/m, `guid: ${guid}`)
    .replace(new RegExp(`^  name: ${name[0]}$`, 'm'), `  name: ${name[1]}`)
    .replaceAll(DEMO_GUIDS.model, COPY.model)
    .replace(/: Retail Sales$/gm, ': Retail Sales Copy');
}

/** `file` (of the seed's dev) under a new GUID and name, nothing else changed. */
const renamed = (file: { text: string }, guid: string, name: [string, string]) => file.text.replace(/^guid: .*$/m, `guid: ${guid}`).replace(`  name: ${name[0]}\n`, `  name: ${name[1]}\n`);

/** Two more answers and liveboards of our own, on branch `more` (main and them), for the case of a lost delete answer. */
const MORE = { answer: '7d1c9a52-0b7e-4f43-9a7e-1f0c2b3d4e04', liveboard: '7d1c9a52-0b7e-4f43-9a7e-1f0c2b3d4e05' };
const MORE_FILES = [`tml/answer/Region-Copy.${MORE.answer}.answer.tml`, `tml/liveboard/Store-Copy.${MORE.liveboard}.liveboard.tml`] as const;

// An export, then the seed's branches in one fast-import: more than the default 30 s for a hook on a loaded 2-core machine.
beforeAll(async () => {
  seed = await exportedRemote(stage);
  const bare = stage.server.pathOf('seed');
  const [model, top10, insights, region, store] = filesAt(bare, 'dev', [DEMO_GUIDS.model, DEMO_GUIDS.answers[3], DEMO_GUIDS.liveboards[2], DEMO_GUIDS.answers[0], DEMO_GUIDS.liveboards[1]]);
  const dev = git(bare, 'rev-parse', 'dev');
  const ours = {
    [`tml/model/Retail-Sales-Copy.${COPY.model}.model.tml`]: copied(model!, COPY.model, ['Retail Sales', 'Retail Sales Copy']),
    [`tml/answer/Top-10-Copy.${COPY.answer}.answer.tml`]: copied(top10!, COPY.answer, ['Top 10 Products', 'Top 10 Copy']),
    [`tml/liveboard/Insights-Copy.${COPY.liveboard}.liveboard.tml`]: copied(insights!, COPY.liveboard, ['Product Insights', 'Insights Copy']),
  };
  const gone = (paths: string[]) => Object.fromEntries(paths.map((path) => [path, null]));
  const [own, , , main] = prepareCommits(bare, [
    { ref: 'refs/heads/own', from: 'dev', message: 'three objects of our own', files: ours },
    // A source with no tml/ at all, and one with only a connection, on branches of their own.
    { ref: 'refs/heads/no-source', from: 'refs/heads/own', message: 'no tml/', files: { tml: null } },
    { ref: 'refs/heads/connection-only', from: 'refs/heads/own', message: 'only the connection', files: gone(['table', 'model', 'worksheet', 'view', 'sql_view', 'answer', 'liveboard'].map((kind) => `tml/${kind}`)) },
    // main loses our three objects and one adopted answer.
    { ref: 'refs/heads/main', from: 'refs/heads/own', message: 'remove four objects', files: gone([...Object.keys(ours), `tml/answer/Sales-by-Segment.${ADOPTED}.answer.tml`]) },
    {
      ref: 'refs/heads/more',
      from: ':4',
      message: 'two more of our own',
      files: {
        [MORE_FILES[0]]: renamed(region!, MORE.answer, ['Sales by Region', 'Region Copy']),
        [MORE_FILES[1]]: renamed(store!, MORE.liveboard, ['Store Performance', 'Store Copy']),
      },
    },
  ]);
  steps = { adopted: dev, own: own!, main: main! };
}, 120_000);

describe.each(API_VERSIONS)('prune on deploy, over %s', (api) => {
  let remote: string;
  let bare: string;
  let n = 0;

  function configFor(prune = ''): string {
    const file = join(work, `config-${api}-${(n += 1)}.yaml`);
    writeFileSync(
      file,
      `repository:\n  url: ${remote}\nworkDir: ${join(work, `wd-${api}`)}\nenvironments:\n  dev:\n    url: ${stage.emulator.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: dev\n    api: ${api}\n  prod:\n    url: ${prod.url}\n    username: tsadmin\n    password: \${P:-admin}\n    branch: main\n    direction: deploy\n    api: ${api}\n${prune}`,
    );
    return file;
  }
  const PRUNE = '    prune: true\n';

  let prod: RunningEmulator;
  const inProd = (id: string) => prod.state.objects.has(id);
  const ledger = () => deployLedgerIn(bare);
  const hasBackup = () => {
    try {
      git(bare, 'rev-parse', '--verify', '--quiet', 'refs/tmlsync/prod/backup');
      return true;
    } catch {
      return false;
    }
  };

  interface Report {
    outcome: string;
    counts: Record<string, number>;
    objects: { kind: string; name: string; outcome: string; error?: string }[];
    prune?: { kept: { name: string; reason: string }[]; backup?: { ref: string; commit?: string; files: string[] } };
  }
  async function deploy(config: string, ...flags: string[]): Promise<{ code: number; report?: Report; stderr: string }> {
    const result = await cli(['deploy', '--config', config, '--env', 'prod', '--format', 'json', ...flags]);
    return { code: result.code, stderr: result.stderr, ...(result.stdout ? { report: JSON.parse(result.stdout) as Report } : {}) };
  }

  afterAll(() => prod?.close());
  // Two deploys, main set to each step of the seed in turn.
  beforeAll(async () => {
    prod = await startEmulator();
    remote = copyRemote(stage.server, seed, `content-${api}`);
    bare = stage.server.pathOf(`content-${api}`);
    const config = configFor();
    // prod already holds every object: the first deploy adopts them all.
    setBranch(bare, 'main', steps.adopted);
    expect((await deploy(config)).code).toBe(0);
    expect(Object.values((await ledger()).objects).every((e) => !e.created)).toBe(true);

    setBranch(bare, 'main', steps.own);
    const created = await deploy(config);
    expect(created.report?.counts, created.stderr).toMatchObject({ added: 3, failed: 0 });
    expect(Object.values(COPY).every(inProd)).toBe(true);
    setBranch(bare, 'main', steps.main);
  }, 120_000);

  it('deletes nothing with prune off, and the plan says why each object is kept', async () => {
    const config = configFor();
    const plan = await cli(['plan', '--config', config, '--env', 'prod']);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain('4 delete');
    expect(plan.stdout).toMatch(/delete +model "Retail Sales Copy" \(tml\/model\/Retail-Sales-Copy\.[0-9a-f-]+\.model\.tml\) — kept: gone from the repository, but prune is off/);
    expect(plan.stdout).toMatch(/delete +answer "Sales by Segment" .* — kept: tmlsync did not create it/);
    const { code, report } = await deploy(config);
    expect(code).toBe(0);
    expect(report?.counts.deleted).toBe(0);
    expect(report?.prune?.kept.map((k) => k.name).sort()).toEqual(['Insights Copy', 'Retail Sales Copy', 'Sales by Segment', 'Top 10 Copy']);
    expect([...Object.values(COPY), ADOPTED].every(inProd)).toBe(true);
  });

  it('deletes nothing in a dry run, and reports what it would delete', async () => {
    const { code, report } = await deploy(configFor(PRUNE), '--dry-run');
    expect(code).toBe(0);
    expect(report?.objects.filter((o) => o.outcome === 'deleted').map((o) => o.name).sort()).toEqual(['Insights Copy', 'Retail Sales Copy', 'Top 10 Copy']);
    expect([...Object.values(COPY), ADOPTED].every(inProd)).toBe(true);
    expect(hasBackup()).toBe(false);
  });

  it('refuses more deletions than maxDeletions, naming the count and the limit, and deletes nothing', async () => {
    const result = await cli(['deploy', '--config', configFor(`${PRUNE}    maxDeletions: 2\n`), '--env', 'prod']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('prune refused in prod: 3 objects would be deleted');
    expect(result.stderr).toContain('more than maxDeletions (2); nothing was deleted');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect([...Object.values(COPY), ADOPTED].every(inProd)).toBe(true);
    expect(hasBackup()).toBe(false);
  });

  it('never deletes when the source is missing or holds no objects', async () => {
    const config = configFor(`${PRUNE}    maxDeletions: 100\n`);
    const objects = prod.state.objects.size;
    const missing = await cli(['deploy', '--config', config, '--env', 'prod', '--ref', 'no-source']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/prune refused in prod: the source folder tml\/ is missing at [0-9a-f]{12}, and 3 objects would be deleted; nothing was deleted/);
    const empty = await cli(['deploy', '--config', config, '--env', 'prod', '--ref', 'connection-only']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('the source folder tml/ holds no objects');
    const plan = await cli(['plan', '--config', config, '--env', 'prod', '--ref', 'no-source']);
    expect(plan.stdout).toContain('prune refused in prod: the source folder tml/ is missing');
    expect(prod.state.objects.size).toBe(objects);
    expect(hasBackup()).toBe(false);
  });

  it('deletes only the objects it created, dependents first, after backing up their TML', async () => {
    const before = new Map(Object.values(COPY).map((id) => [id, JSON.stringify(prod.state.objects.get(id)!.document)]));
    const { code, report, stderr } = await deploy(configFor(PRUNE));
    expect(code, stderr).toBe(0);
    const deleted = report!.objects.filter((o) => o.outcome === 'deleted').map((o) => o.name);
    expect(deleted.sort()).toEqual(['Insights Copy', 'Retail Sales Copy', 'Top 10 Copy']);
    // The model goes last: the answer and the liveboard stand on it (the emulator refuses otherwise).
    expect(report!.objects.filter((o) => o.outcome === 'deleted').at(-1)?.name).toBe('Retail Sales Copy');
    expect(Object.values(COPY).some(inProd)).toBe(false);
    expect(inProd(ADOPTED)).toBe(true);
    expect(report!.prune?.kept).toEqual([expect.objectContaining({ name: 'Sales by Segment', reason: expect.stringContaining('tmlsync did not create it') })]);

    // The ledger forgets them; the backup in the remote holds their TML as prod had it.
    expect(Object.keys((await ledger()).objects).filter((guid) => Object.values(COPY).includes(guid))).toEqual([]);
    expect(report!.prune?.backup).toMatchObject({ ref: 'refs/tmlsync/prod/backup' });
    const manifest = JSON.parse(git(bare, 'show', 'refs/tmlsync/prod/backup:backup.json')) as { objects: { name: string; path: string; envGuid: string }[] };
    expect(manifest.objects.map((o) => o.name).sort()).toEqual(['Insights Copy', 'Retail Sales Copy', 'Top 10 Copy']);
    for (const object of manifest.objects) {
      const saved = git(bare, 'show', `refs/tmlsync/prod/backup:${object.path}`);
      expect(saved).toContain(`guid: ${object.envGuid}`);
      expect(saved).toContain(`name: ${object.name}`);
      expect(before.has(object.envGuid)).toBe(true);
    }

    // Text output names the backup; a second run has nothing left to delete.
    const again = await cli(['deploy', '--config', configFor(PRUNE), '--env', 'prod']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0 deleted');
    expect(again.stdout).toContain('answer "Sales by Segment" (tml/answer/Sales-by-Segment.');
  });

  it('checks by listing when a delete answer is lost: sends again only what is still there', async () => {
    // Our two more, deployed from `more`; main, without them, is what the lossy run deploys.
    expect((await deploy(configFor(), '--ref', 'more')).report?.counts.added).toBe(2);

    // The liveboard's delete takes effect but its answer is lost; the answer's first delete is lost before it arrives.
    const real = thoughtspotPort(clientOf(api, prod.url));
    const calls: [DeletableType, string[]][] = [];
    const lossy: ThoughtSpotPort = {
      ...real,
      async deleteObjects(type, list) {
        calls.push([type, list]);
        const first = calls.filter(([t]) => t === type).length === 1;
        if (type === 'QUESTION_ANSWER_BOOK' && first) return { answered: false, error: 'socket hang up' };
        const answer = await real.deleteObjects(type, list);
        return type === 'PINBOARD_ANSWER_BOOK' && first ? { answered: false, error: 'socket hang up' } : answer;
      },
    };
    const repo = await GitRepo.open(join(work, `lossy-${api}`), { remoteUrl: remote, committer: { name: 'tmlsync', email: 'tmlsync@localhost' } });
    const report = await runDeploy({ environment: { name: 'prod', branch: 'main', prune: { maxDeletions: 10 } }, thoughtspot: lossy, repo });
    expect(report.objects.filter((o) => o.outcome === 'deleted').map((o) => o.name).sort()).toEqual(['Region Copy', 'Store Copy']);
    expect(inProd(MORE.answer) || inProd(MORE.liveboard)).toBe(false);
    expect(calls.filter(([t]) => t === 'PINBOARD_ANSWER_BOOK')).toHaveLength(1);
    expect(calls.filter(([t]) => t === 'QUESTION_ANSWER_BOOK')).toEqual([['QUESTION_ANSWER_BOOK', [MORE.answer]], ['QUESTION_ANSWER_BOOK', [MORE.answer]]]);
  });
});
