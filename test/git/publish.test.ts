import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GitLeases, GitRepo, ensureBareRepo } from '../../src/git/index.js';
import { git } from '../support/git-server.js';

// Issue 15: a run's outcome (its branch commits, its ledgers, its lease's move) is published in
// one atomic push, so that a run killed at any point has published all of it or none.

const work = mkdtempSync(join(tmpdir(), 'tmlsync-publish-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };
const STATE = 'refs/tmlsync/dev/deploy';
const LOCK = 'refs/tmlsync/dev/lock';

/** A bare remote and a work tree on its `dev` branch. */
async function setUp(name: string): Promise<{ bare: string; repo: GitRepo }> {
  const bare = join(work, `${name}.git`);
  await ensureBareRepo(bare);
  const repo = await GitRepo.open(join(work, name), { remoteUrl: bare, committer });
  await repo.fetch();
  await repo.checkout('dev');
  return { bare, repo };
}

async function commitFile(repo: GitRepo, file: string, text: string): Promise<string> {
  writeFileSync(join(repo.dir, file), text);
  return (await repo.commitAll(`add ${file}`, committer))!;
}

const stateOf = (text: string) => () => Promise.resolve([{ ref: STATE, files: { 'deploy.json': text }, message: `state ${text}` }]);

describe('publishing a run', () => {
  it('lands the branch, the state refs and the fence together, and none of them when the fence had moved', async () => {
    const { bare, repo } = await setUp('fenced');
    const leases = new GitLeases(repo.dir, { ttlMs: 60_000, skewMarginMs: 0, committer });
    const taken = await leases.take(LOCK, 'a');
    if (!taken.taken) throw new Error('not taken');
    const first = await commitFile(repo, 'one.txt', '1\n');
    const fenced = await leases.fence(taken.lease);
    expect(await repo.publish({ branch: 'dev', states: stateOf('first'), fence: () => Promise.resolve(fenced.move) })).toBe(true);
    expect([git(bare, 'rev-parse', 'dev'), git(bare, 'show', `${STATE}:deploy.json`), git(bare, 'rev-parse', LOCK)]).toEqual([first, 'first', fenced.move.to]);
    expect(git(repo.dir, 'show', `${STATE}:deploy.json`)).toBe('first');
    // What the remote took is here too, by the push itself (tracking refs), and known as such.
    expect([git(repo.dir, 'rev-parse', 'refs/remotes/origin/dev'), await repo.revParse('refs/remotes/origin/dev'), await repo.revParse(STATE)]).toEqual([first, first, git(bare, 'rev-parse', STATE)]);

    // The same move again: the remote's lease is no longer where it expects it (as after a takeover).
    await commitFile(repo, 'two.txt', '2\n');
    const stale = await leases.fence(taken.lease);
    expect(await repo.publish({ branch: 'dev', states: stateOf('second'), fence: () => Promise.resolve(stale.move) })).toBe(false);
    expect([git(bare, 'rev-parse', 'dev'), git(bare, 'show', `${STATE}:deploy.json`), git(bare, 'rev-parse', LOCK)]).toEqual([first, 'first', fenced.move.to]);
  });

  it('rebases onto a commit pushed meanwhile, asks for the state refs again, and lands all of it', async () => {
    const { bare, repo } = await setUp('raced');
    await commitFile(repo, 'base.txt', 'base\n');
    await repo.push('dev');
    const other = await GitRepo.open(join(work, 'raced-other'), { remoteUrl: bare, committer });
    await other.fetch();
    await other.checkout('dev');
    await commitFile(repo, 'mine.txt', 'mine\n');
    await commitFile(other, 'theirs.txt', 'theirs\n');
    await other.push('dev');
    let asked = 0;
    const states = () => Promise.resolve([{ ref: STATE, files: { 'deploy.json': `asked ${(asked += 1)}` }, message: 'state' }]);
    expect(await repo.publish({ branch: 'dev', states })).toBe(true);
    expect(asked).toBe(2);
    expect(git(bare, 'ls-tree', '--name-only', 'dev').split('\n').sort()).toEqual(['base.txt', 'mine.txt', 'theirs.txt']);
    expect(git(bare, 'show', `${STATE}:deploy.json`)).toBe('asked 2');
    expect(git(bare, 'log', '--format=%P', '-1', `${STATE}`)).toBe('');
  });
});
