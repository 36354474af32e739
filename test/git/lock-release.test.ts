import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBareRepo, GitRepo } from '../../src/git/index.js';
import { git } from '../support/git-server.js';

/**
 * A run's last state write made with its lock's release (issue 13: a deploy
 * records the commit it passed only there): one atomic push, fenced on the
 * lock commit this repository pushed. A local bare remote: no server needed.
 */
const work = mkdtempSync(join(tmpdir(), 'tmlsync-lock-release-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };
const LOCK = 'refs/tmlsync/prod/lock';
const LEDGER = 'refs/tmlsync/prod/deploy';
const last = (text: string) => ({ ref: LEDGER, files: { 'deploy.json': text }, message: `deploy(prod): ${text}` });

async function remoteWithTwo(name: string): Promise<{ remote: string; a: GitRepo; b: GitRepo }> {
  const remote = join(work, `${name}.git`);
  await ensureBareRepo(remote);
  const open = (who: string) => GitRepo.open(join(work, `${name}-${who}`), { remoteUrl: remote, committer });
  return { remote, a: await open('a'), b: await open('b') };
}

const refsOf = (remote: string) => git(remote, 'for-each-ref', '--format=%(refname)', 'refs/tmlsync/');

describe('releasing a lock with the run\'s last write', () => {
  it('writes the state ref and deletes the lock in one push', async () => {
    const { remote, a } = await remoteWithTwo('together');
    expect(await a.acquireLock(LOCK, 'host-a run 1', () => false)).toBeUndefined();
    await a.releaseLock(LOCK, last('passed'));
    expect(refsOf(remote)).toBe(LEDGER);
    expect(git(remote, 'show', `${LEDGER}:deploy.json`)).toBe('passed');
    expect(git(remote, 'log', '-1', '--format=%s', LEDGER)).toBe('deploy(prod): passed');
  });

  it('writes nothing, and leaves the lock to its new holder, once another run took it over as stale', async () => {
    const { remote, a, b } = await remoteWithTwo('taken-over');
    expect(await a.acquireLock(LOCK, 'host-a run 1', () => false)).toBeUndefined();
    expect(await b.acquireLock(LOCK, 'host-b run 2', () => true)).toBeUndefined();
    await expect(a.releaseLock(LOCK, last('from the run that lost its lock'))).rejects.toThrow(`the lock ${LOCK} is no longer this run's (another run took it over as stale): ${LEDGER} was not written`);
    expect(refsOf(remote)).toBe(LOCK);
    expect(git(remote, 'show', `${LOCK}:lock.json`)).toContain('host-b run 2');
    // Nor here: the refused write left no ledger commit in the run's own repository either.
    expect(git(a.dir, 'for-each-ref', '--format=%(refname)', LEDGER)).toBe('');
    await b.releaseLock(LOCK, last('from the holder'));
    expect([refsOf(remote), git(remote, 'show', `${LEDGER}:deploy.json`)]).toEqual([LEDGER, 'from the holder']);
  });

  it('never deletes the lock of the run that took it over, when the run that lost it gives it back', async () => {
    const { remote, a, b } = await remoteWithTwo('lost');
    expect(await a.acquireLock(LOCK, 'host-a run 1', () => false)).toBeUndefined();
    expect(await b.acquireLock(LOCK, 'host-b run 2', () => true)).toBeUndefined();
    await a.releaseLock(LOCK);
    expect(git(remote, 'show', `${LOCK}:lock.json`)).toContain('host-b run 2');
    await b.releaseLock(LOCK);
    expect(refsOf(remote)).toBe('');
  });

  it('refuses a last write with a lock this repository never took', async () => {
    const { remote, a, b } = await remoteWithTwo('never-taken');
    expect(await b.acquireLock(LOCK, 'host-b run 2', () => false)).toBeUndefined();
    await expect(a.releaseLock(LOCK, last('no lock'))).rejects.toThrow('was not written');
    expect(refsOf(remote)).toBe(LOCK);
  });
});
