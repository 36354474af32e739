import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { GitRepo } from '../../src/git/index.js';
import { runDeploy } from '../../src/sync/deploy/deploy.js';
import { API_VERSIONS, clientOf } from '../support/api.js';
import { exportedLocalRemote, SCALE_CONNECTION } from '../support/seeded-remote.js';
import { useStage } from '../support/stage.js';

// A fresh-user trial: a deploy environment whose `branch:` was misspelled (`mian`) deployed "ok", with a line per
// object "kept: gone from the repository, but prune is off". A branch the remote does not have is nothing to deploy
// while the environment has nothing deployed (not pushed yet), and refused once its deploy ledger holds objects.

const COMMITTER = { name: 'tmlsync test', email: 'test@localhost' };
const ORGS = API_VERSIONS.map((api) => `Branch ${api}`);
const stage = useStage('tmlsync-missing-branch-', { emulator: { seed: 'none', seedScale: 1, orgs: ORGS }, gitServer: false });
let remote: string;

beforeAll(async () => {
  remote = await exportedLocalRemote(stage, COMMITTER);
});

describe.each(API_VERSIONS)('a deploy of a branch the remote does not have, over %s', (api) => {
  it('is nothing to deploy while the environment has nothing deployed, and refused, writing nothing, once it has', async () => {
    const org = stage.emulator.instance.findOrg(`Branch ${api}`)!;
    const client = clientOf(api, stage.emulator.url, { org: String(org.org.id) });
    await client.importTml([SCALE_CONNECTION], { policy: 'PARTIAL', forceCreate: false, throwOnError: true });
    const repo = await GitRepo.open(join(stage.work, `prod-${api}`), { remoteUrl: remote, committer: COMMITTER });
    const deploy = (branch: string) => runDeploy({ environment: { name: `prod-${api}`, branch }, thoughtspot: thoughtspotPort(client), repo });

    const notPushed = await deploy('not-pushed-yet');
    expect(notPushed).toMatchObject({ outcome: 'ok', objects: [] });

    const deployed = await deploy('main');
    expect(deployed.outcome).toBe('ok');
    expect(deployed.counts.added).toBeGreaterThan(0);
    const objects = [...org.objects.keys()].sort();

    await expect(deploy('mian')).rejects.toThrow(new RegExp(`^branch mian is not in the remote \\(environments\\.prod-${api}\\.branch\\), but prod-${api}'s deploy ledger holds ${deployed.counts.added} objects deployed from it before`));
    expect([...org.objects.keys()].sort()).toEqual(objects);
  });
});
