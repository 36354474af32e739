import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { silentLogger } from '../../src/log/index.js';
import { repoWith } from '../../src/sync/kernel/repo-view.js';
import type { ContentRepo } from '../../src/sync/ports.js';
import { runSync } from '../../src/sync/sync/sync.js';
import { describedAs, editInThoughtSpot, pushEdit } from '../support/edits.js';
import { useStage } from '../support/stage.js';
import { filesAt } from '../support/commits.js';
import { API_VERSIONS, clientOf } from '../support/api.js';

// Issue 15 (the replicas FIXME's cause): a sync run killed (kill -9 of a replica) after some of its
// writes to the remote and before the others. It used to record its outcome in three pushes (the
// export's commits, the export ledger, the deploy ledger): killed after the export's push, the next
// run took tmlsync's own exported text for a person's edit, and ThoughtSpot's next edit of that
// object then made a conflict ("kept both") on every later run, the object never exported again.
// The kill is simulated by a repository that fails when the run reaches its write of one of them.

const committer = { name: 'Person', email: 'person@example.com' };
const KILL_POINTS = ['the branch', 'the export ledger', 'the deploy ledger'] as const;
type KillPoint = (typeof KILL_POINTS)[number];

/** The repository of a run that dies when it reaches its first write of `what`, before that write lands. */
function killedAt(repo: ContentRepo, what: KillPoint): ContentRepo {
  const writes = (ref: string) => (what === 'the export ledger' ? ref.endsWith('/export') : what === 'the deploy ledger' ? ref.endsWith('/deploy') : false);
  const killed = () => Promise.reject(new Error(`killed before ${what} was written`));
  return repoWith(repo, {
    writeState: (ref, files, message) => (writes(ref) ? killed() : repo.writeState(ref, files, message)),
    publish: async (publication) => {
      const states = await publication.states();
      if (what === 'the branch' ? publication.branch !== undefined : states.some((s) => writes(s.ref))) return killed();
      return repo.publish(publication);
    },
  });
}

/** One emulator and one git server for the file: each version's half has its own remote and work trees, and edits of its own. */
const stage = useStage('tmlsync-sync-killed-');

describe.each(API_VERSIONS)('a sync run killed halfway, over %s', (api) => {
  const content = `content-${api}`;
  const environment = { name: 'dev', branch: 'dev' };

  function sync(repo: ContentRepo) {
    return runSync({ environment, thoughtspot: thoughtspotPort(clientOf(api, stage.emulator.url), { username: 'tsadmin' }), repo, committer, log: silentLogger() });
  }

  /** Someone edits the model's description in ThoughtSpot (over v1, as any other client of ThoughtSpot). */
  function editModelInThoughtSpot(description: string): Promise<void> {
    return editInThoughtSpot(clientOf('v1', stage.emulator.url), DEMO_GUIDS.model, describedAs(description));
  }

  // One repository, its first sync made once: each case starts from a run that ended in step.
  let repo: GitRepo;
  let remoteUrl: string;
  beforeAll(async () => {
    remoteUrl = stage.server.createRepo(content);
    repo = await GitRepo.open(join(stage.work, `wd-${api}`), { remoteUrl, committer });
    expect((await sync(repo)).outcome).toBe('ok');
  });

  it.each(KILL_POINTS)('killed before %s is written: the next runs export ThoughtSpot\'s edits and report no conflict', { timeout: 60_000 }, async (what) => {
    await editModelInThoughtSpot(`Edited before a kill of ${what} ${api}.`);
    await expect(sync(killedAt(repo, what))).rejects.toThrow(`killed before ${what}`);
    await editModelInThoughtSpot(`Edited after a kill of ${what} ${api}.`);
    for (const run of ['first', 'second']) {
      const report = await sync(repo);
      expect(report.conflicts, `the ${run} run after the kill`).toEqual([]);
      expect(report.outcome).toBe('ok');
    }
    expect(filesAt(stage.server.pathOf(content), 'dev', [DEMO_GUIDS.model])[0]!.text).toContain(`Edited after a kill of ${what} ${api}.`);
  });

  /** The worksheet's description in ThoughtSpot. */
  function worksheetInThoughtSpot(): string {
    const document = stage.emulator.state.objects.get(DEMO_GUIDS.worksheet)?.document as { worksheet?: { description?: string } } | undefined;
    return document?.worksheet?.description ?? '';
  }


  it('killed after its deploy landed and before it published: the next runs deploy what was pushed since, and report no conflict', { timeout: 60_000 }, async () => {
    const person = await GitRepo.open(join(stage.work, `person-${api}`), { remoteUrl, committer });
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Pushed before a kill ${api}.`), committer);
    const killed = repoWith(repo, { publish: () => Promise.reject(new Error('killed before it published')) });
    await expect(sync(killed)).rejects.toThrow('killed before it published');
    expect(worksheetInThoughtSpot()).toBe(`Pushed before a kill ${api}.`);
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Pushed after a kill ${api}.`), committer);
    for (const run of ['first', 'second']) {
      const report = await sync(repo);
      expect(report.conflicts, `the ${run} run after the kill`).toEqual([]);
      expect(report.outcome).toBe('ok');
    }
    expect(worksheetInThoughtSpot()).toBe(`Pushed after a kill ${api}.`);
  });

  // A daemon's run records its imports with its lease's release (deploy.ts `Recording`): killed right
  // after an import, it recorded nothing of it. ThoughtSpot then holds a version git had, and the next
  // push made both sides look changed: a conflict ("kept both") on every later run, in the replicas test.
  it('killed right after its imports, before it recorded anything: the next runs deploy what was pushed since, and report no conflict', { timeout: 60_000 }, async () => {
    const person = await GitRepo.open(join(stage.work, `person-imports-${api}`), { remoteUrl, committer });
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Pushed before a kill after imports ${api}.`), committer);
    const killed = () => Promise.reject(new Error('killed after its imports'));
    // Its lock taken as a daemon's lease holds it (nothing to take), every write after the imports lost.
    const dying = repoWith(repo, { acquireLock: () => Promise.resolve(undefined), releaseLock: killed, writeState: killed, publish: killed });
    await expect(sync(dying)).rejects.toThrow('killed after its imports');
    expect(worksheetInThoughtSpot()).toBe(`Pushed before a kill after imports ${api}.`);
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Pushed after a kill after imports ${api}.`), committer);
    for (const run of ['first', 'second']) {
      const report = await sync(repo);
      expect(report.conflicts, `the ${run} run after the kill`).toEqual([]);
      expect(report.outcome).toBe('ok');
    }
    expect(worksheetInThoughtSpot()).toBe(`Pushed after a kill after imports ${api}.`);
  });
});
