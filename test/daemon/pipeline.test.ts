import { describe, expect, it } from 'vitest';
import { statusText } from '../../src/cli/commands/status.js';
import type { EnvironmentConfig } from '../../src/config/index.js';
import { DaemonPipeline } from '../../src/daemon/pipeline.js';
import { silentLogger } from '../../src/log/index.js';
import { finishRun, type ObjectResult } from '../../src/sync/kernel/report.js';
import type { ContentRepo } from '../../src/sync/ports.js';

const environments = [
  { name: 'dev', direction: 'deploy' },
  { name: 'staging', direction: 'deploy', promoteFrom: 'dev' },
  { name: 'qa', direction: 'deploy', promoteFrom: 'dev', approval: 'auto' },
  { name: 'prod', direction: 'deploy', promoteFrom: 'staging', approval: 'manual' },
] as EnvironmentConfig[];

/** Ledgers: dev and staging at c3, prod at c1 (history c1 ← c2 ← c3); state writes (an approval) kept in memory, as a remote would. */
function fakeRemote(): ContentRepo {
  const states = new Map<string, Record<string, string>>();
  return {
    fetch: () => Promise.resolve(),
    readState: (ref: string, file: string) => Promise.resolve(states.get(ref)?.[file]),
    readStates: (reads: { ref: string; file: string }[]) =>
      Promise.resolve(reads.map(({ ref, file }) => (ref.endsWith('/deploy') && file === 'deploy.json' ? JSON.stringify({ version: 1, objects: {}, deployedCommit: ref.includes('/prod/') ? 'c1' : 'c3' }) : undefined))),
    writeState: (ref: string, files: Record<string, string>) => Promise.resolve(void states.set(ref, files)),
    commitsBetween: (from: string | undefined, to: string) => Promise.resolve(Number(to.slice(1)) - Number(from?.slice(1) ?? 0)),
  } as unknown as ContentRepo;
}
const repo = fakeRemote();

function deployOf(environment: string, outcome: ObjectResult['outcome']): ReturnType<typeof finishRun> {
  return finishRun({ runId: `run-${environment}`, environment, loop: 'deploy', dryRun: false, started: Date.now() }, [{ id: 'g', kind: 'table', name: 'orders', outcome }]);
}

async function after(pipeline: DaemonPipeline, environment: string, outcome: ObjectResult['outcome']): Promise<string[]> {
  const asked: string[] = [];
  await pipeline.afterRun(deployOf(environment, outcome), repo, (name, trigger) => asked.push(`${name} (${trigger})`), silentLogger());
  return asked;
}

describe("the daemon's pipeline", () => {
  it('runs the auto stages that follow a deploy that changed something', async () => {
    expect(await after(new DaemonPipeline(environments), 'dev', 'updated')).toEqual(['staging (pipeline: after dev run run-dev)', 'qa (pipeline: after dev run run-dev)']);
  });

  it('stops at a failed deploy, and leaves the followers of one that changed nothing to their schedule', async () => {
    expect(await after(new DaemonPipeline(environments), 'dev', 'failed')).toEqual([]);
    expect(await after(new DaemonPipeline(environments), 'dev', 'unchanged')).toEqual([]);
  });

  it('holds a manual stage, which then shows an approval pending, until it is approved', async () => {
    const remote = fakeRemote();
    const pipeline = new DaemonPipeline(environments);
    await pipeline.afterRun(deployOf('staging', 'added'), remote, () => undefined, silentLogger());
    expect(pipeline.statusOf('prod')).toEqual({ stage: { promoteFrom: 'staging', approval: 'manual', commit: 'c1', sourceCommit: 'c3', behind: 2, approvalPending: true } });
    expect(pipeline.statusOf('staging')).toEqual({ stage: { promoteFrom: 'dev', approval: 'auto', commit: 'c3', sourceCommit: 'c3', behind: 0, approvalPending: false } });
    expect(pipeline.statusOf('dev')).toEqual({});
    expect([pipeline.isStage('prod'), pipeline.isStage('dev')]).toEqual([true, false]);
    const text = statusText([{ name: 'prod', direction: 'deploy', branch: 'main', running: false, pending: false, ...pipeline.statusOf('prod') }]);
    expect(text).toBe('prod [deploy → main]: idle; no run yet\n  pipeline: prod ← staging: runs c1, 2 commits behind staging (c3), approval pending (tmlsync promote --env prod)');

    // The approval is kept in the remote: a daemon started afresh (a restart, another replica) sees it.
    expect(await pipeline.approve('prod', remote, 'api promote', silentLogger())).toMatchObject({ commit: 'c3', by: expect.stringContaining('(api promote)') as string });
    const restarted = new DaemonPipeline(environments);
    await restarted.afterRun(deployOf('staging', 'unchanged'), remote, () => undefined, silentLogger());
    expect(restarted.statusOf('prod').stage).toMatchObject({ behind: 2, approvalPending: false, approved: { commit: 'c3' } });
  });
});
