import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { GitRepo } from '../../src/git/index.js';
import { runDeploy } from '../../src/sync/deploy/deploy.js';
import { repoWith } from '../../src/sync/kernel/repo-view.js';
import type { WorkflowEnvironment } from '../../src/sync/kernel/environment.js';
import type { ContentRepo, StateWrite, ThoughtSpotPort } from '../../src/sync/ports.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { git } from '../support/git-server.js';
import { exportedLocalRemote, SCALE_CONNECTION } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';
import { deployLedgerIn, writtenDeployLedger } from '../support/ledger.js';

const COMMITTER = { name: 'tmlsync test', email: 'test@localhost' };
/** The one visualization of the generated liveboard (`--seed-scale 1`: one object of each kind). */
const TILE = 'Scale Answer 0';

/**
 * When a deploy's commit is recorded as deployed (issue 13, item 4: what a
 * pipeline's next stage promotes): only once the run passed everything, in
 * the one push that also releases the deploy's lock. Generated content (one
 * object of each kind) is exported once; each case deploys it into an empty
 * Org of the same emulator, whose warehouse fails the liveboard's tile.
 */
const ORGS = API_VERSIONS.flatMap((api) => [`Checked ${api}`, `Clean ${api}`, `Thrown ${api}`]);
const stage = useStage('tmlsync-passed-commit-', { emulator: { seed: 'none', seedScale: 1, orgs: ORGS, failingVisualizations: [TILE] }, gitServer: false });
let remote: string;

beforeAll(async () => {
  remote = await exportedLocalRemote(stage, COMMITTER);
});

/**
 * Every state write a run makes, in order (its ledger writes, and the last one made with the
 * lock's release), as `how ref deployedCommit`: a run killed at any point leaves the last of
 * those that landed, so a commit in none of them but the release is never marked early.
 */
function recording(repo: ContentRepo): { repo: ContentRepo; writes: string[] } {
  const writes: string[] = [];
  const note = (write: StateWrite, how: string) => {
    const ledger = write.ref.endsWith('/deploy') ? writtenDeployLedger(write) : undefined;
    writes.push(`${how} ${write.ref} ${ledger ? (ledger.deployedCommit ?? 'none') : ''}`.trim());
  };
  return {
    writes,
    repo: repoWith(repo, {
      writeState: async (ref, files, message) => {
        note({ ref, files, message }, 'write');
        await repo.writeState(ref, files, message);
      },
      releaseLock: async (ref, last) => {
        if (last) note(last, 'release');
        await repo.releaseLock(ref, last);
      },
    }),
  };
}

describe.each(API_VERSIONS)('the commit a deploy records as deployed, over %s', (api) => {
  const main = () => git(remote, 'rev-parse', 'main');
  const remoteLedger = (environment: string) => deployLedgerIn(remote, environment);
  const remoteRefs = () => git(remote, 'for-each-ref', '--format=%(refname)', 'refs/tmlsync/');

  async function deployInto(org: string, environment: WorkflowEnvironment, port: (real: ThoughtSpotPort) => ThoughtSpotPort = (real) => real) {
    const { emulator, work } = stage;
    const client = clientOf(api, emulator.url, { org: String(emulator.instance.findOrg(org)!.org.id) });
    await client.importTml([SCALE_CONNECTION], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
    const real = await GitRepo.open(join(work, `${environment.name}-wd`), { remoteUrl: remote, committer: COMMITTER });
    const recorded = recording(real);
    const run = runDeploy({ environment, thoughtspot: port(thoughtspotPort(client)), repo: recorded.repo });
    return { run, writes: recorded.writes };
  }

  it('never records a commit whose data check failed, at any point of the run', async () => {
    const name = `checked-${api}`;
    const { run, writes } = await deployInto(`Checked ${api}`, { name, branch: 'main', dataChecks: { enabled: true } });
    const report = await run;
    expect(report.outcome).toBe('failed');
    expect(report.checks?.filter((c) => c.status === 'failed').map((c) => [c.kind, c.visualization])).toEqual([['liveboard', TILE]]);
    // The GUIDs were recorded (pending creations, then the imports, with the lock's release); the commit never was.
    expect(writes.length).toBeGreaterThan(1);
    expect(writes.every((w) => w.endsWith(' none'))).toBe(true);
    expect(writes.at(-1)).toBe(`release refs/tmlsync/${name}/deploy none`);
    expect((await remoteLedger(name)).deployedCommit).toBeUndefined();
    expect(Object.keys((await remoteLedger(name)).objects).length).toBeGreaterThan(0);
    expect(remoteRefs()).not.toContain(`refs/tmlsync/${name}/lock`);
  });

  it('records a commit that passed in the push that releases the lock, as the run\'s last write', async () => {
    const name = `clean-${api}`;
    const { run, writes } = await deployInto(`Clean ${api}`, { name, branch: 'main' });
    expect((await run).outcome).toBe('ok');
    expect(writes.at(-1)).toBe(`release refs/tmlsync/${name}/deploy ${main()}`);
    expect(writes.slice(0, -1).every((w) => w.endsWith(' none'))).toBe(true);
    expect((await remoteLedger(name)).deployedCommit).toBe(main());
    expect(remoteRefs()).not.toContain(`refs/tmlsync/${name}/lock`);
  });

  it('records what it imported with the lock\'s release when it throws after its imports, and not the commit', async () => {
    const name = `thrown-${api}`;
    // The re-export that verifies the imports (step 7) fails: the run throws once every import landed.
    const failingVerify = (real: ThoughtSpotPort): ThoughtSpotPort => {
      let imported = false;
      return {
        ...real,
        importTml: (...args) => real.importTml(...args).finally(() => (imported = true)),
        exportTml: (...args) => (imported ? Promise.reject(new Error('verify failed')) : real.exportTml(...args)),
      };
    };
    const { run, writes } = await deployInto(`Thrown ${api}`, { name, branch: 'main' }, failingVerify);
    await expect(run).rejects.toThrow('verify failed');
    expect(writes.at(-1)).toBe(`release refs/tmlsync/${name}/deploy none`);
    const ledger = await remoteLedger(name);
    expect(ledger.deployedCommit).toBeUndefined();
    expect(ledger.pending).toBeUndefined();
    // Every imported object is in the ledger with its text's hash: the next run imports nothing again.
    expect(Object.values(ledger.objects).length).toBeGreaterThan(0);
    expect(Object.values(ledger.objects).every((o) => o.hash !== '')).toBe(true);
    expect(remoteRefs()).not.toContain(`refs/tmlsync/${name}/lock`);
  });
});
