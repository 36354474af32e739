import { describe, expect, it } from 'vitest';
import { commitsBehind, stageCommit, stageLine, stageStatus, type Approval, type StageSettings } from '../../src/sync/deploy/pipeline.js';
import type { ContentRepo } from '../../src/sync/ports.js';

/**
 * A repository that only holds deploy ledgers (`deployedCommit` per environment),
 * prod's approval if given, and a linear history `c1 ← c2 ← … ← c9`: all a
 * stage reads to choose its commit.
 */
function repoWith(deployed: Record<string, string | undefined>, approval?: Approval | string): ContentRepo {
  return {
    readState: (ref: string) => Promise.resolve(ref === 'refs/tmlsync/prod/approval' ? (typeof approval === 'string' ? approval : approval && JSON.stringify(approval)) : undefined),
    // Each deploy ledger as one deploy.json, as an earlier release wrote it.
    readStates: (reads: { ref: string; file: string }[]) => Promise.resolve(reads.map(({ ref, file }) => {
      const environment = /^refs\/tmlsync\/([^/]+)\/deploy$/.exec(ref)?.[1];
      if (file !== 'deploy.json' || !environment || !(environment in deployed)) return undefined;
      const commit = deployed[environment];
      return JSON.stringify({ version: 1, objects: {}, ...(commit ? { deployedCommit: commit } : {}) });
    })),
    commitsBetween: (from: string | undefined, to: string) => Promise.resolve(Number(to.slice(1)) - (from ? Number(from.slice(1)) : 0)),
  } as unknown as ContentRepo;
}

const auto: StageSettings = { promoteFrom: 'staging', approval: 'auto' };
const manual: StageSettings = { promoteFrom: 'staging', approval: 'manual' };

describe('which commit a pipeline stage deploys', () => {
  it("deploys the source's last successful commit, whatever the stage ran before", async () => {
    const repo = repoWith({ staging: 'c5', prod: 'c2' });
    expect(await stageCommit(repo, 'prod', auto)).toEqual({ from: 'staging', approval: 'auto', state: 'promoted', commit: 'c5' });
  });

  it('does nothing, and says why, while the source has never deployed successfully', async () => {
    const promotion = await stageCommit(repoWith({ staging: undefined }), 'prod', auto, false);
    expect(promotion).toEqual({ from: 'staging', approval: 'auto', state: 'waiting', reason: 'staging has not deployed anything successfully yet: prod has nothing to promote' });
    expect((await stageCommit(repoWith({}), 'prod', manual, true)).state).toBe('waiting');
  });

  it('a manual stage keeps its own commit until approved, then takes the source\'s', async () => {
    const repo = repoWith({ staging: 'c5', prod: 'c2' });
    expect(await stageCommit(repo, 'prod', manual, false)).toMatchObject({ state: 'held', commit: 'c2', reason: expect.stringContaining('c5, which waits for an approval (tmlsync promote --env prod)') });
    expect(await stageCommit(repo, 'prod', manual, true)).toMatchObject({ state: 'promoted', commit: 'c5' });
  });

  it("a manual stage promotes by an approval of the source's commit, kept in the remote", async () => {
    const approval = { commit: 'c5', by: 'dana on ci-7 (tmlsync promote)', at: '2026-01-01T10:00:00.000Z' };
    expect(await stageCommit(repoWith({ staging: 'c5', prod: 'c2' }, approval), 'prod', manual)).toEqual({ from: 'staging', approval: 'manual', state: 'promoted', commit: 'c5', approved: approval });
  });

  it('never uses an approval of a commit the source has moved on from, and says it is stale', async () => {
    const stale = { commit: 'c4', by: 'dana on ci-7 (tmlsync promote)', at: '2026-01-01T10:00:00.000Z' };
    const promotion = await stageCommit(repoWith({ staging: 'c5', prod: 'c2' }, stale), 'prod', manual);
    expect(promotion).toMatchObject({ state: 'held', commit: 'c2' });
    expect(promotion.reason).toContain('the approval of c4 (by dana on ci-7 (tmlsync promote), at 2026-01-01T10:00:00.000Z) is stale: staging has deployed c5 since, which needs an approval of its own');
    const status = await stageStatus(repoWith({ staging: 'c5', prod: 'c2' }, stale), 'prod', manual);
    expect(status).toMatchObject({ approvalPending: true, staleApproval: stale });
    expect(stageLine('prod', status)).toContain('approval pending (tmlsync promote --env prod); a stale approval of c4 (by dana on ci-7 (tmlsync promote), at 2026-01-01T10:00:00.000Z) is not used');
  });

  it('an approval is spent once the stage runs its commit, and an unreadable one is none', async () => {
    const spent = { commit: 'c5', by: 'dana', at: '2026-01-01T10:00:00.000Z' };
    expect(await stageCommit(repoWith({ staging: 'c5', prod: 'c5' }, spent), 'prod', manual)).toMatchObject({ state: 'held', commit: 'c5' });
    expect(await stageStatus(repoWith({ staging: 'c5', prod: 'c5' }, spent), 'prod', manual)).toEqual({ promoteFrom: 'staging', approval: 'manual', commit: 'c5', sourceCommit: 'c5', behind: 0, approvalPending: false });
    expect(await stageCommit(repoWith({ staging: 'c5', prod: 'c2' }, '{"commit": 5'), 'prod', manual)).toMatchObject({ state: 'held', commit: 'c2' });
  });

  it('a manual stage that never deployed waits for its approval rather than deploying anything', async () => {
    expect(await stageCommit(repoWith({ staging: 'c5' }), 'prod', manual, false)).toMatchObject({ state: 'waiting', reason: expect.stringContaining('promoted only when approved') });
  });
});

describe('where a stage stands against its source', () => {
  it('counts the commits a stage is behind, and a manual one behind waits for an approval', async () => {
    const status = await stageStatus(repoWith({ staging: 'c5', prod: 'c2' }), 'prod', manual);
    expect(status).toEqual({ promoteFrom: 'staging', approval: 'manual', commit: 'c2', sourceCommit: 'c5', behind: 3, approvalPending: true });
    expect(stageLine('prod', status)).toBe('prod ← staging: runs c2, 3 commits behind staging (c5), approval pending (tmlsync promote --env prod)');
    const approved = await stageStatus(repoWith({ staging: 'c5', prod: 'c2' }, { commit: 'c5', by: 'dana', at: '2026-01-01T10:00:00.000Z' }), 'prod', manual);
    expect(approved).toMatchObject({ behind: 3, approvalPending: false, approved: { commit: 'c5' } });
    expect(stageLine('prod', approved)).toBe('prod ← staging: runs c2, 3 commits behind staging (c5), approved c5 (by dana, at 2026-01-01T10:00:00.000Z): its next run promotes it');
  });

  it('is in step when it runs what its source runs, or while its source has deployed nothing', async () => {
    expect(await stageStatus(repoWith({ staging: 'c5', prod: 'c5' }), 'prod', manual)).toMatchObject({ behind: 0, approvalPending: false });
    const fresh = await stageStatus(repoWith({}), 'prod', auto);
    expect(fresh).toEqual({ promoteFrom: 'staging', approval: 'auto', behind: 0, approvalPending: false });
    expect(stageLine('prod', fresh)).toBe('prod ← staging: has deployed nothing yet, staging has deployed nothing yet');
  });

  it('counts all of the source\'s history for a stage that has deployed nothing yet', async () => {
    expect(await stageStatus(repoWith({ staging: 'c4' }), 'prod', auto)).toMatchObject({ behind: 4, approvalPending: false });
  });

  it('counts what a promotion of a commit brings as the status counts it (a plan\'s "commits it does not run yet")', async () => {
    const repo = repoWith({ staging: 'c5', prod: 'c2' });
    expect(await commitsBehind(repo, 'prod', 'c5')).toBe((await stageStatus(repo, 'prod', auto)).behind);
    expect(await commitsBehind(repo, 'prod', 'c2')).toBe(0);
    expect(await commitsBehind(repo, 'prod', undefined)).toBe(0);
    expect(await commitsBehind(repoWith({ staging: 'c4' }), 'prod', 'c4')).toBe(4);
  });
});
