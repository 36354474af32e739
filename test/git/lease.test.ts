import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLeases, GitRepo, type LeaseOptions } from '../../src/git/index.js';
import { gitProcessCounter } from '../support/git-count.js';
import { git, startGitServer, type GitServer } from '../support/git-server.js';

let server: GitServer;
const dirs: string[] = [];
beforeAll(async () => {
  server = await startGitServer();
});
afterAll(async () => {
  await server.close();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

const committer = { name: 'tmlsync', email: 'tmlsync@localhost' };
const REF = 'refs/tmlsync/prod/lock';

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tmlsync-lease-'));
  dirs.push(dir);
  return dir;
}

/** A replica: its own work tree on the remote, and its leases. */
async function replica(url: string, options: Partial<LeaseOptions> = {}): Promise<{ leases: GitLeases; repo: GitRepo }> {
  const dir = tempDir();
  const repo = await GitRepo.open(dir, { remoteUrl: url, committer });
  return { repo, leases: new GitLeases(dir, { ttlMs: 60_000, skewMarginMs: 5_000, committer, ...options }) };
}

/** Writes a lease record straight into the bare repository, as another process (or anyone who can push) would. */
function plant(bare: string, text: string): void {
  const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: bare, input: text }).toString().trim();
  const tree = execFileSync('git', ['mktree'], { cwd: bare, input: `100644 blob ${blob}\tlock.json\n` }).toString().trim();
  git(bare, 'update-ref', REF, git(bare, 'commit-tree', tree, '-m', 'planted'));
}

/** Where the work tree's own ref of the lease points (undefined: absent), which `read` leaves as the remote has it. */
function localLease(dir: string): string | undefined {
  try {
    return git(dir, 'rev-parse', '--verify', '--quiet', REF);
  } catch {
    return undefined;
  }
}

describe('leases in the remote', () => {
  // A take tries the create first and reads the lease only when the remote refused it. Every git
  // fetch writes .git/FETCH_HEAD, even one of a ref the remote does not have: its absence in a
  // fresh work tree says the take read nothing.
  it('lets one holder take a free lease without reading it, tells the next who holds it, and gives it to the next once released', async () => {
    const url = server.createRepo('one');
    const [a, b] = [await replica(url), await replica(url)];
    const taken = await a.leases.take(REF, 'host-a pid 1 run x');
    expect(taken).toMatchObject({ taken: true, lease: { ref: REF, record: { holder: 'host-a pid 1 run x', counter: 1 } } });
    if (!taken.taken) throw new Error('not taken');
    expect(git(server.pathOf('one'), 'rev-parse', REF)).toBe(taken.lease.commit);
    expect(existsSync(join(a.repo.dir, '.git', 'FETCH_HEAD'))).toBe(false);
    expect(localLease(a.repo.dir)).toBe(taken.lease.commit);
    const refused = { taken: false, holder: 'host-a pid 1 run x', expires: taken.lease.record.expires };
    expect(await b.leases.take(REF, 'host-b pid 2 run y')).toEqual(refused);
    // b now reads first, where a create would be refused: the same answer.
    expect(await b.leases.take(REF, 'host-b pid 2 run y')).toEqual(refused);
    expect(localLease(b.repo.dir)).toBe(taken.lease.commit);
    expect(await a.leases.release(taken.lease)).toBe(true);
    expect(localLease(a.repo.dir)).toBeUndefined();
    const next = await b.leases.take(REF, 'host-b pid 2 run y');
    expect(next).toMatchObject({ taken: true, lease: { record: { holder: 'host-b pid 2 run y', counter: 1 } } });
    expect(localLease(b.repo.dir)).toBe(next.taken ? next.lease.commit : '');
  });

  it('gives a lease to exactly one of several replicas taking it at once', async () => {
    const url = server.createRepo('race');
    const replicas = await Promise.all([1, 2, 3, 4].map(() => replica(url)));
    const results = await Promise.all(replicas.map((r, i) => r.leases.take(REF, `host pid ${i} run r`)));
    const winners = results.filter((r) => r.taken);
    expect(winners).toHaveLength(1);
    const { holder, expires } = winners[0]!.taken ? winners[0]!.lease.record : { holder: '', expires: '' };
    // Each loser's create was refused; it read the lease and names the winner.
    for (const loser of results.filter((r) => !r.taken)) expect(loser).toEqual({ taken: false, holder, expires });
    expect(JSON.parse(git(server.pathOf('race'), 'show', `${REF}:lock.json`))).toMatchObject({ holder, counter: 1 });
  });

  // In CI, one loser of the race above had its create refused with git's "failed to push some refs"
  // and no status line for the ref, which is not a lost race by what git says: what the remote then
  // holds decides. A read-only remote refuses every push so, with no status line.
  it('takes a create refused without a reason for a lost race when the remote then holds a lease, and fails when it does not', async () => {
    const readOnly = await startGitServer({ readOnly: true });
    try {
      const url = readOnly.createRepo('refused');
      const a = await replica(url);
      await expect(a.leases.take(REF, 'a')).rejects.toThrow(/git push of a lease failed/);
      plant(readOnly.pathOf('refused'), JSON.stringify({ holder: 'other', at: new Date().toISOString(), expires: new Date(Date.now() + 60_000).toISOString(), counter: 1 }));
      // The read that judged the refusal is the one the take goes by: one fetch of the lease, not two.
      const [taken, processes] = await gitProcessCounter(tempDir()).logged(async () => (await replica(url)).leases.take(REF, 'a'));
      expect(taken).toMatchObject({ taken: false, holder: 'other' });
      expect(processes.filter((args) => args.split(' ').includes('fetch'))).toHaveLength(1);
    } finally {
      await readOnly.close();
    }
  });

  // A fresh-user trial's finding, in the deploy lock (GitRepo.acquireLock) and here alike: a push a hook refused
  // was taken for a lost race, so the daemon stood by for a holder that did not exist.
  it('fails with the remote\'s reason when a hook refuses the lease, rather than standing by for nobody', async () => {
    const url = server.createRepo('hooked');
    writeFileSync(join(server.pathOf('hooked'), 'hooks', 'pre-receive'), '#!/bin/sh\necho "policy: leases are frozen" >&2\nexit 1\n', { mode: 0o755 });
    const a = await replica(url);
    await expect(a.leases.take(REF, 'a')).rejects.toThrow(/git push of a lease failed: remote rejected \(pre-receive hook declined\): policy: leases are frozen/);
    expect(() => git(server.pathOf('hooked'), 'rev-parse', '--verify', '--quiet', REF)).toThrow();
  });

  it('renews a held lease with a higher counter, and a renewal after a takeover fails', async () => {
    const url = server.createRepo('renew');
    const a = await replica(url, { ttlMs: 40, skewMarginMs: 0 });
    const b = await replica(url, { ttlMs: 40, skewMarginMs: 0 });
    const first = await a.leases.take(REF, 'a');
    if (!first.taken) throw new Error('not taken');
    const renewed = await a.leases.renew(first.lease);
    expect(renewed?.record.counter).toBe(2);
    expect(Date.parse(renewed!.record.expires!)).toBeGreaterThanOrEqual(Date.parse(first.lease.record.expires!));
    await new Promise((resolve) => setTimeout(resolve, 80)); // past the 40 ms the renewal holds
    const takeover = await b.leases.take(REF, 'b');
    // b's create was refused; it read the expired lease and took it over with the next counter.
    expect(takeover).toMatchObject({ taken: true, lease: { record: { holder: 'b', counter: 3 } } });
    expect(localLease(b.repo.dir)).toBe(takeover.taken ? takeover.lease.commit : '');
    expect(await a.leases.renew(renewed!)).toBeUndefined();
    expect(await a.leases.release(renewed!)).toBe(false);
    expect(JSON.parse(git(server.pathOf('renew'), 'show', `${REF}:lock.json`))).toMatchObject({ holder: 'b' });
  });

  it('does not take over a lease expired by less than the clock-skew margin', async () => {
    const url = server.createRepo('skew');
    // A margin of a minute, so that a slow machine's git (seconds under load) cannot use it up.
    const a = await replica(url, { skewMarginMs: 60_000 });
    const now = Date.now();
    plant(server.pathOf('skew'), JSON.stringify({ holder: 'other', at: new Date(now - 62_000).toISOString(), expires: new Date(now - 2_000).toISOString(), counter: 7 }));
    expect(await a.leases.take(REF, 'a')).toMatchObject({ taken: false, holder: 'other' });
    plant(server.pathOf('skew'), JSON.stringify({ holder: 'other', at: new Date(now - 180_000).toISOString(), expires: new Date(now - 120_000).toISOString(), counter: 7 }));
    expect(await a.leases.take(REF, 'a')).toMatchObject({ taken: true, lease: { record: { counter: 8 } } });
  });

  it('releases only its own lease', async () => {
    const url = server.createRepo('release');
    const a = await replica(url);
    const taken = await a.leases.take(REF, 'a');
    if (!taken.taken) throw new Error('not taken');
    expect(await a.leases.release(taken.lease)).toBe(true);
    expect(() => git(server.pathOf('release'), 'rev-parse', '--verify', '--quiet', REF)).toThrow();
    expect(await a.leases.read(REF)).toEqual({ commit: undefined });
  });

  it('never takes over an unreadable lease, and names the ref to delete', async () => {
    const url = server.createRepo('garbage');
    const a = await replica(url, { ttlMs: 1, skewMarginMs: 0 });
    plant(server.pathOf('garbage'), '{"holder": [1, 2');
    expect(await a.leases.take(REF, 'a')).toEqual({ taken: false, holder: `an unreadable lease (delete ${REF} in the remote to release it)` });
  });

  it('is the deploy lock: a CLI deploy meets the daemon lease, and the daemon a CLI deploy lock', async () => {
    const url = server.createRepo('shared');
    const daemon = await replica(url);
    const cli = await replica(url);
    const taken = await daemon.leases.take(REF, 'host-d pid 9 run d');
    if (!taken.taken) throw new Error('not taken');
    expect(await cli.repo.acquireLock(REF, 'host-c pid 8 run c', () => false)).toMatch(/^host-d pid 9 run d since /);
    await daemon.leases.release(taken.lease);
    expect(await cli.repo.acquireLock(REF, 'host-c pid 8 run c', () => false)).toBeUndefined();
    expect(await daemon.leases.take(REF, 'host-d pid 9 run d')).toMatchObject({ taken: false, holder: 'host-c pid 8 run c' });
  });

  it('fences the state a holder records: once taken over, a holder that stood still past its expiry records nothing', { timeout: 60_000 }, async () => {
    const url = server.createRepo('fence');
    const bare = server.pathOf('fence');
    const state = 'refs/tmlsync/prod/deploy';
    const a = await replica(url, { ttlMs: 40, skewMarginMs: 0 });
    const b = await replica(url, { ttlMs: 60_000, skewMarginMs: 0 });
    const first = await a.leases.take(REF, 'a');
    if (!first.taken) throw new Error('not taken');
    const write = (by: string) => () => Promise.resolve([{ ref: state, files: { 'ledger.json': `{"by":"${by}"}\n` }, message: `${by} records` }]);
    const recorded = await a.leases.fence(first.lease);
    expect(recorded.next.record).toMatchObject({ holder: 'a', counter: 2, expires: first.lease.record.expires });
    expect(await a.repo.publish({ states: write('a'), fence: () => Promise.resolve(recorded.move) })).toBe(true);
    expect(git(bare, 'show', `${state}:ledger.json`)).toBe('{"by":"a"}');
    // a stands still; once its lease has run out, b takes over (polled, bounded: no fixed wait).
    let takeover: Awaited<ReturnType<GitLeases['take']>> = { taken: false, holder: '' };
    for (let tries = 0; !takeover.taken && tries < 100; tries += 1) takeover = await b.leases.take(REF, 'b');
    if (!takeover.taken) throw new Error('never taken over');
    const late = await a.leases.fence(recorded.next);
    expect(await a.repo.publish({ states: write('a, late'), fence: () => Promise.resolve(late.move) })).toBe(false);
    expect(git(bare, 'show', `${state}:ledger.json`)).toBe('{"by":"a"}');
    expect(git(a.repo.dir, 'show', `${state}:ledger.json`)).toBe('{"by":"a"}');
    const byB = await b.leases.fence(takeover.lease);
    expect(byB.next).toMatchObject({ record: { holder: 'b' } });
    expect(await b.repo.publish({ states: write('b'), fence: () => Promise.resolve(byB.move) })).toBe(true);
    expect(git(bare, 'show', `${state}:ledger.json`)).toBe('{"by":"b"}');
  });
});
