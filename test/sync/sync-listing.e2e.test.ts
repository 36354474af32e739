import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thoughtspotPort } from '../../src/app/index.js';
import { DEMO_GUIDS } from '../../src/emulator/seed/demo.js';
import { GitRepo } from '../../src/git/index.js';
import { silentLogger } from '../../src/log/index.js';
import { CONTENT_TYPES } from '../../src/sync/kernel/target.js';
import type { HeaderType, ThoughtSpotPort } from '../../src/sync/ports.js';
import { repoWith } from '../../src/sync/kernel/repo-view.js';
import { runSync } from '../../src/sync/sync/sync.js';
import { describedAs, editInThoughtSpot, pushEdit } from '../support/edits.js';
import { git } from '../support/git-server.js';
import { useStage } from '../support/stage.js';
import { API_VERSIONS, clientOf } from '../support/api.js';

// Issue 16: a sync run lists ThoughtSpot once, and its deploy and export halves share that
// listing; the export lists again, newest first, only the type the deploy wrote objects of.

const committer = { name: 'Person', email: 'person@example.com' };

/** What a run asked of ThoughtSpot: full listings and newest-first listings by type, imports by policy, exports by ids. */
interface Asked {
  listed: HeaderType[];
  listedSince: HeaderType[];
  imports: string[];
  exports: string[][];
}

function counted(port: ThoughtSpotPort): { port: ThoughtSpotPort; asked: Asked } {
  const asked: Asked = { listed: [], listedSince: [], imports: [], exports: [] };
  const since = port.listHeadersSince?.bind(port);
  return {
    asked,
    port: {
      ...port,
      listHeaders: (type, subtypes, onPage) => (asked.listed.push(type), port.listHeaders(type, subtypes, onPage)),
      ...(since ? { listHeadersSince: (type: HeaderType, from: number, onPage?: Parameters<typeof since>[2]) => (asked.listedSince.push(type), since(type, from, onPage)) } : {}),
      importTml: (documents, policy) => (asked.imports.push(policy), port.importTml(documents, policy)),
      exportTml: (ids) => (asked.exports.push(ids), port.exportTml(ids)),
    },
  };
}

// One emulator and one git server for both versions: each version syncs a branch and a remote of its own.
const stage = useStage('tmlsync-sync-listing-');

describe.each(API_VERSIONS)('the listings of a sync run, over %s', (api) => {
  const environment = { name: `dev-${api}`, branch: 'dev' };
  let person: GitRepo;
  let repo: GitRepo;

  function sync() {
    const { port, asked } = counted(thoughtspotPort(clientOf(api, stage.emulator.url), { username: 'tsadmin' }));
    return runSync({ environment, thoughtspot: port, repo, committer, log: silentLogger() }).then((report) => ({ report, asked }));
  }

  beforeAll(async () => {
    const remote = stage.server.createRepo(`content-${api}`);
    person = await GitRepo.open(join(stage.work, `person-${api}`), { remoteUrl: remote, committer });
    repo = await GitRepo.open(join(stage.work, `wd-${api}`), { remoteUrl: remote, committer });
    expect((await sync()).report.outcome).toBe('ok');
  });

  /** Someone edits an object's description in ThoughtSpot, over v1 as any other client, in a session of its own. */
  async function editInThoughtSpotAlone(guid: string, description: string): Promise<void> {
    const client = clientOf('v1', stage.emulator.url);
    await editInThoughtSpot(client, guid, describedAs(description));
    await client.logout();
  }

  it('deploys the files as the sync read them: its deploy half reads and parses the tree no second time', async () => {
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Read once over ${api}.`), committer);
    // Once the sync has read the tree (its next step asks for HEAD), another file there stops parsing: a deploy that read the tree again would stop at it.
    const spoiled = join(repo.dir, git(repo.dir, 'ls-files', 'tml/liveboard').split('\n')[0]!);
    const original = readFileSync(spoiled, 'utf8');
    const watched = repoWith(repo, {
      revParse: (ref) => {
        if (ref === 'HEAD') writeFileSync(spoiled, 'guid: [not closed\n');
        return repo.revParse(ref);
      },
    });
    try {
      const report = await runSync({ environment, thoughtspot: thoughtspotPort(clientOf(api, stage.emulator.url), { username: 'tsadmin' }), repo: watched, committer, log: silentLogger() });
      expect(report.outcome).toBe('ok');
      expect(report.deploy?.objects.find((o) => o.id === DEMO_GUIDS.worksheet)?.outcome).toBe('updated');
      expect(JSON.stringify(stage.emulator.state.objects.get(DEMO_GUIDS.worksheet)?.document)).toContain(`Read once over ${api}.`);
    } finally {
      writeFileSync(spoiled, original);
    }
  });

  it('with one change on each side: one listing per type, the deploy\'s type refreshed newest first, three write-path calls', { timeout: 60_000 }, async () => {
    await pushEdit(person, DEMO_GUIDS.worksheet, describedAs(`Edited in git over ${api}.`), committer);
    await editInThoughtSpotAlone(DEMO_GUIDS.model, `Edited in ThoughtSpot over ${api}.`);

    const { report, asked } = await sync();

    expect(report.outcome).toBe('ok');
    expect(report.conflicts).toEqual([]);
    expect(JSON.stringify(stage.emulator.state.objects.get(DEMO_GUIDS.worksheet)?.document)).toContain(`Edited in git over ${api}.`);
    // The sync's listing of every content type, and the users for commit authors: the deploy lists nothing.
    expect([...asked.listed].sort()).toEqual([...CONTENT_TYPES, 'USER'].sort());
    // The worksheet the deploy wrote is a logical table: only that type's listing is refreshed.
    expect(asked.listedSince).toEqual(['LOGICAL_TABLE']);
    // Write path: validate, import, and the round-trip export of the worksheet; then one export call of the
    // export half, for the model (and the worksheet, whose refreshed header it records).
    expect(asked.imports).toEqual(['VALIDATE_ONLY', 'ALL_OR_NONE']);
    expect(asked.exports).toHaveLength(2);
    expect(asked.exports[0]).toEqual([DEMO_GUIDS.worksheet]);
    expect(asked.exports[1]).toContain(DEMO_GUIDS.model);
    expect(report.export?.objects.filter((o) => o.outcome === 'updated').map((o) => o.id)).toEqual([DEMO_GUIDS.model]);
  });
});
